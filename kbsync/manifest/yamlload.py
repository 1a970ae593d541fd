"""Read a YAML file into located nodes: every value knows its line and column.

PyYAML's constructors lose positions, silently keep the last of duplicate keys and
expand aliases without bound. So this module only lets PyYAML *compose* (parse into
a node graph, linear in the file's size; kbsync.manifest.yamlcompose) and then walks
the graph itself: it refuses duplicate keys, explicit tags and runaway alias
expansion, and interpolates ``${VAR}`` / ``${VAR:-default}`` in scalar values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import yaml
from yaml.constructor import SafeConstructor

from kbsync.errors import Problem
from kbsync.manifest.yamlcompose import (
    MAX_DEPTH,
    _compose,
    _decode,
    _Fatal,
    _only_comments,
    _read_capped,
)
from kbsync.model import Scalar

MAX_ALIAS_NODES = 10_000  # nodes visited again through aliases ("billion laughs" guard)

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_STANDARD_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    _MERGE,
}
_SURROGATE = re.compile("[\ud800-\udfff]")  # only from "\\ud800" escapes or the environment
_INTERPOLATION = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}|\$\{"
)


class Loc(NamedTuple):
    line: int  # 1-based
    col: int  # 1-based


class YNode(NamedTuple):
    """A located YAML value: a dict of YNodes, a list of YNodes, or a scalar."""

    value: object
    line: int
    col: int
    # mappings only: where each key is written (the default is read-only: it is shared)
    key_locs: Mapping[str, Loc] = MappingProxyType({})
    interpolated: bool = False  # scalars only: the value came (partly) from ${...}; a str
    raw: str = ""  # scalars only: the text as written (for messages: `tone: no` is a boolean)
    # scalars only: names an unset ${VAR} that `validate` takes as a placeholder (any value)
    placeholder: bool = False

    @property
    def loc(self) -> Loc:
        return Loc(self.line, self.col)


class _Walk:
    """One conversion of a composed node graph; collects problems as it goes."""

    def __init__(
        self, file: str, env: Mapping[str, str], loader: SafeConstructor, placeholders: bool
    ) -> None:
        self.file = file
        self.env = env
        self.loader = loader
        self.problems: list[Problem] = []
        # validate: an unset ${VAR} is a placeholder, noted in `unset`, not a problem
        self.placeholders = placeholders
        self.unset: dict[str, Problem] = {}
        self.placeholder_uses = 0
        self.seen: set[int] = set()
        self.alias_nodes = 0
        self.bomb = False

    def problem(self, node: yaml.Node, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.file, mark.line + 1, mark.column + 1, message))

    def convert(self, node: yaml.Node, depth: int = 0, aliased: bool = False) -> YNode | None:
        if self.bomb:
            return None
        aliased = aliased or id(node) in self.seen
        self.seen.add(id(node))
        if aliased:
            self.alias_nodes += 1
            if self.alias_nodes > MAX_ALIAS_NODES:
                self.bomb = True
                self.problem(node, "too many alias expansions (refusing a YAML alias bomb)")
                return None
        if depth > MAX_DEPTH:
            self.bomb = True
            self.problem(node, f"nesting deeper than {MAX_DEPTH} levels (recursive alias?)")
            return None
        if node.tag not in _STANDARD_TAGS:
            self.problem(node, f"YAML tags are not allowed here: {node.tag}")
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, depth, aliased)
        if isinstance(node, yaml.SequenceNode):
            items = [self.convert(item, depth + 1, aliased) for item in node.value]
            return _located([i for i in items if i is not None], node)
        assert isinstance(node, yaml.ScalarNode)
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, depth: int, aliased: bool) -> YNode:
        values: dict[str, YNode] = {}
        locs: dict[str, Loc] = {}
        merged: dict[str, tuple[YNode, Loc]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self.merge(value_node, merged, depth, aliased)
                continue
            key = self.key(key_node)
            if key is None:
                continue
            if key in locs:  # also when the first value was refused
                first = locs[key]
                self.problem(key_node, f"duplicate key '{key}' (first at line {first.line})")
                continue
            locs[key] = Loc(key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            value = self.convert(value_node, depth + 1, aliased)
            if value is not None:
                values[key] = value
        for key, (value, loc) in merged.items():
            if key not in locs:
                values[key], locs[key] = value, loc
        return _located(values, node, locs)

    def merge(
        self, node: yaml.Node, into: dict[str, tuple[YNode, Loc]], depth: int, aliased: bool
    ) -> None:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            converted = self.convert(source, depth + 1, aliased)
            if converted is None or not isinstance(converted.value, dict):
                self.problem(source, "'<<' merges only mappings")
                continue
            for key, value in converted.value.items():
                into.setdefault(key, (value, converted.key_locs[key]))

    def key(self, node: yaml.Node) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, "mapping keys must be plain strings")
            return None
        return None if self.has_surrogate(node, str(node.value)) else str(node.value)

    def has_surrogate(self, node: yaml.Node, text: str) -> bool:
        """A lone surrogate is not Unicode text: it could be neither sent nor printed."""
        found = _SURROGATE.search(text)
        if found:
            code = f"U+{ord(found.group()):04X}"
            self.problem(node, f"contains a lone surrogate ({code}), which is not valid text")
        return found is not None

    def scalar(self, node: yaml.ScalarNode) -> YNode | None:
        text = str(node.value)
        if self.has_surrogate(node, text):
            return None
        if "$" not in text:
            return _located(self.construct(node, text), node, raw=text)
        before, uses = len(self.problems), self.placeholder_uses
        value = self.interpolate(node, text)
        if len(self.problems) > before or self.has_surrogate(node, value):
            return None  # already reported; a placeholder value would only add noise
        # interpolated values are text; kbsync.manifest.validation.coerce turns them into the number
        # or boolean a key needs (project: ${ROBOFY_PROJECT_ID})
        placeholder = self.placeholder_uses > uses
        return _located(value, node, interpolated="${" in text, raw=value, placeholder=placeholder)

    def interpolate(self, node: yaml.Node, text: str) -> str:
        def substitute(match: re.Match[str]) -> str:
            if match.group(0) == "$$":
                return "$"
            name = match.group("name")
            if name is None:
                self.problem(node, "bad interpolation: use ${VAR} or ${VAR:-default} ($$ for $)")
                return ""
            value = self.env.get(name, "")
            default = match.group("default")
            if default is not None and "${" in default:  # the regex stops at the first }
                self.problem(node, "a ${...} inside a default is not supported: ${VAR:-text}")
                return ""
            if value:
                return value
            if default is not None:
                return default
            if name not in self.env and self.placeholders:
                mark = node.start_mark
                where = Problem(self.file, mark.line + 1, mark.column + 1, name)
                self.unset.setdefault(name, where)
                self.placeholder_uses += 1
            elif name not in self.env:
                self.problem(node, f"environment variable {name} is not set (and has no default)")
            return ""

        return _INTERPOLATION.sub(substitute, text)

    def construct(self, node: yaml.ScalarNode, text: str) -> Scalar:
        if node.tag == "tag:yaml.org,2002:timestamp":
            return text  # keep dates as written; kbsync has no date fields
        if node.tag == _STR:
            return text  # what the constructor would return, without its calls per scalar
        try:
            value = self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as e:
            self.problem(node, f"bad value {text!r}: {e}")
            return text
        return value if isinstance(value, (str, int, float, bool)) or value is None else text


def _located(
    value: object,
    node: yaml.Node,
    locs: Mapping[str, Loc] | None = None,
    *,
    interpolated: bool = False,
    raw: str = "",
    placeholder: bool = False,
) -> YNode:
    mark = node.start_mark  # one YNode per value: _replace() cost a third of the walk
    line, col = mark.line + 1, mark.column + 1
    return YNode(value, line, col, locs or {}, interpolated, raw, placeholder)


class YamlRead(NamedTuple):
    tree: YNode | None  # None when nothing usable could be read
    data: bytes  # the file's bytes (for its fingerprint)
    problems: list[Problem]
    # placeholders=True: where each unset variable is first used (message = its name)
    unset: tuple[Problem, ...] = ()


def read_yaml(
    path: Path,
    display: str,
    env: Mapping[str, str],
    *,
    placeholders: bool = False,
    libyaml: bool = True,
) -> YamlRead:
    """Parse one YAML file into located nodes, with every problem found on the way.

    ``placeholders``: an unset ``${VAR}`` is no problem but a placeholder node that fits
    any schema (``validate`` checks the shape without the environment). ``libyaml=False``
    reads with the pure-Python parser only (tests compare the two)."""
    try:
        data = _read_capped(path, display)
        text = _decode(data, display)
        clean = read_clean_with_libyaml(text, display, env, placeholders) if libyaml else None
        if clean is not None:
            return YamlRead(clean, data, [])
        node, loader = _compose(text, display)
    except _Fatal as e:
        return YamlRead(None, b"", [e.problem])
    walk = _Walk(display, env, loader, placeholders)
    tree = walk.convert(node)
    unset = tuple(walk.unset.values())
    return YamlRead(None if walk.bomb else tree, data, walk.problems, unset)


# PyYAML's C parser (libyaml) composes a large manifest 20-25x faster than its pure-Python
# parser, but words its errors differently and nests to other limits. So it reads only
# input that is clean: whatever it refuses, and whatever the walk finds a problem in, is
# read again by the pure-Python parser, and every message and position a user sees comes
# from that one parser. Without libyaml (a PyYAML built without it) only the pure one runs.
_LIBYAML_LOADER = getattr(yaml, "CSafeLoader", None) if yaml.__with_libyaml__ else None

# Where the two parsers were found to disagree (tests/manifest/test_libyaml.py generates YAML
# to find such cases); text with any of these is left to the pure parser. Manifests rarely
# have them, and a false alarm costs only speed.
_LIBYAML_DIFFERS_CHARS = "\t\ufeff\x85\u2028\u2029"  # tabs (libyaml allows more), BOM, breaks
_INDICATOR = re.compile(r"[\s\[\]{},][!?]|\A[!?]")  # tags, explicit keys: empty nodes' positions
_HEADER_COMMENT = re.compile(r"[|>][-+0-9]*#")  # libyaml allows a block scalar header's comment
_EMPTY_IN_FLOW = re.compile(r":[ ]*[,}\]]")  # an empty value in a flow mapping: other positions


def _libyaml_may_differ(text: str) -> bool:
    # each test is a substring scan first: a regex costs milliseconds per megabyte
    if any(char in text for char in _LIBYAML_DIFFERS_CHARS):
        return True
    if ("!" in text or "?" in text) and _INDICATOR.search(text):
        return True
    if "#" in text and _HEADER_COMMENT.search(text):
        return True
    return ("{" in text or "[" in text) and _EMPTY_IN_FLOW.search(text) is not None


def _plain_question_in_flow(root: yaml.Node) -> bool:
    """A plain scalar with '?' inside a flow collection: it ends the scalar for the pure
    parser only. Iterative, each node at most once in and once out of flow context
    (composed graphs can hold alias cycles, and an alias can sit in either context)."""
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    seen: set[tuple[int, bool]] = set()
    while stack:
        node, in_flow = stack.pop()
        if (id(node), in_flow) in seen:
            continue
        seen.add((id(node), in_flow))
        if isinstance(node, yaml.ScalarNode):
            if in_flow and not node.style and "?" in node.value:  # plain: None, or "" (C)
                return True
            continue
        assert isinstance(node, (yaml.SequenceNode, yaml.MappingNode))
        in_flow = in_flow or bool(node.flow_style)
        children = node.value if isinstance(node, yaml.SequenceNode) else _pairs(node)
        stack.extend((child, in_flow) for child in children)
    return False


def _pairs(node: yaml.Node) -> list[yaml.Node]:
    return [part for pair in node.value for part in pair]


def read_clean_with_libyaml(
    text: str, display: str, env: Mapping[str, str], placeholders: bool = False
) -> YNode | None:
    """The located tree when libyaml composes ``text`` and the walk finds no problem and
    no unset variable; None (read it with the pure parser) otherwise, or when libyaml is
    not available."""
    if _LIBYAML_LOADER is None or _only_comments(text) or _libyaml_may_differ(text):
        return None
    try:
        loader = _LIBYAML_LOADER(text)
        node = loader.get_single_node()
    except Exception:  # whatever libyaml refuses, the pure parser explains
        return None
    if node is None or ("?" in text and _plain_question_in_flow(node)):
        return None
    walk = _Walk(display, env, loader, placeholders)
    tree = walk.convert(node)
    return tree if tree is not None and not walk.problems and not walk.unset else None
