"""The manifest reference, rendered from the JSON Schema so the documentation cannot drift.

The docs site's build hook (docs/hooks/reference.py) replaces each placeholder
``<!-- kbsync:schema PATH -->`` in a page with the table of the object at PATH, and fails
the build when an object of the schema is shown nowhere (``defaults.settings`` is shown by
``agents.*.settings``, the same table): a new key can only ship with its description in
the site. PATH is dotted: ``agents.*`` is an agent (the
values of an open map), ``knowledge.websites[]`` an item of a list, ``.`` the top level.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kbsync.schema import MAX_SAFE_INT

PLACEHOLDER = re.compile(r"<!-- kbsync:schema (\S+) -->")
_INTERPOLATION = r"\$\{"  # the ${VAR} alternative every non-string value accepts
_PATTERNS = {
    "^[Hh][Tt][Tt][Pp][Ss]?://": "an http(s) URL",
    "^([0-9]+[smhdw])+$": "a duration: a number and a unit s, m, h, d, w (e.g. 7d, 1d12h)",
}

Node = dict[str, Any]


def objects(schema: Node, path: str = ".") -> Iterator[tuple[str, Node]]:
    """Every object of the schema that has named keys, with its dotted path."""
    if schema.get("properties"):
        yield path, schema
    prefix = "" if path == "." else path + "."
    for name, sub in schema.get("properties", {}).items():
        yield from objects(sub, prefix + name)
    for sub in schema.get("anyOf", []):
        yield from objects(sub, path)
    if isinstance(schema.get("additionalProperties"), dict):
        yield from objects(schema["additionalProperties"], prefix + "*")
    if isinstance(schema.get("items"), dict):
        yield from objects(schema["items"], path + "[]")


def render_page(markdown: str, schema: Node) -> str:
    """The page with every placeholder replaced; ValueError names unknown or missing paths."""
    nodes = dict(objects(schema))
    plain = {path: table(node) for path, node in nodes.items()}
    used = PLACEHOLDER.findall(markdown)
    unknown = sorted(set(used) - set(plain))
    shown = {plain[path] for path in used if path in plain}
    missing = sorted(path for path, text in plain.items() if text not in shown)
    if unknown or missing:
        raise ValueError(f"manifest reference: unknown paths {unknown}, missing paths {missing}")
    anchors = section_anchors(markdown, plain)
    return PLACEHOLDER.sub(lambda m: table(nodes[m.group(1)], m.group(1), anchors), markdown)


def section_anchors(markdown: str, plain: dict[str, str]) -> dict[str, str]:
    """Each path's section: the anchor of the heading above the table that shows it."""
    placed: dict[str, str] = {}
    heading, fenced = "", False
    for line in markdown.splitlines():
        fenced ^= line.startswith("```")
        if not fenced and line.startswith("#"):
            heading = slug(line.lstrip("#"))
        match = PLACEHOLDER.fullmatch(line.strip())
        if match and not fenced:
            placed.setdefault(plain[match.group(1)], heading)
    return {path: placed[text] for path, text in plain.items() if text in placed}


def slug(heading: str) -> str:
    """The anchor MkDocs gives a heading (Python-Markdown's toc slugify); the strict build
    checks every link, so a difference would fail it rather than break a link."""
    text = re.sub(r"[^\w\s-]", "", heading.replace("`", "")).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def table(node: Node, path: str = ".", anchors: dict[str, str] | None = None) -> str:
    """One Markdown table: every key of the object, its type, whether required, and why.
    With ``anchors``, the type of a key that has a table of its own links to it."""
    required = set(node.get("required", []))
    rows = ["| key | type | required | description |", "| --- | --- | --- | --- |"]
    for name, sub in node["properties"].items():
        kind = _cell(type_of(sub))
        target = _child_anchor(path, name, anchors or {})
        kind = f"[{kind}](#{target})" if target else kind
        need = "yes" if name in required else ""
        rows.append(f"| `{name}` | {kind} | {need} | {_cell(describe(sub))} |")
    return "\n".join(rows) + "\n"


def _child_anchor(path: str, name: str, anchors: dict[str, str]) -> str:
    """The section of a key's own table, unless that is the section it is listed in."""
    child = ("" if path == "." else path + ".") + name
    for candidate in (child, child + "[]", child + ".*"):
        if candidate in anchors and anchors[candidate] != anchors.get(path):
            return anchors[candidate]
    return ""


def describe(node: Node) -> str:
    """The description of a key, with the alternative's own description when it has one."""
    texts = [node.get("description", "")]
    texts += [o["description"] for o in node.get("anyOf", []) if o.get("description")]
    return " ".join(t for t in texts if t)


def type_of(node: Node) -> str:
    """A short type in words, e.g. ``integer ≥ 1``, ``string or list of strings``."""
    if "const" in node:
        return f"`{node['const']}`"
    options = [o for o in node.get("anyOf", []) if not _is_interpolation(o)]
    if options:
        return " or ".join(dict.fromkeys(type_of(o) for o in options))
    kind = node.get("type", "any")
    if kind == "array":
        return "list of " + _plural(type_of(node.get("items", {})))
    if kind == "object":
        return "map of " + _plural(type_of(node["additionalProperties"])) if _is_map(node) else kind
    constraints = _constraints(node)
    return f"{kind} ({constraints})" if constraints else kind


def _constraints(node: Node) -> str:
    parts = []
    if "enum" in node:
        parts.append("one of " + ", ".join(f"`{v}`" for v in node["enum"]))
    if node.get("pattern") in _PATTERNS:
        parts.append(_PATTERNS[node["pattern"]])
    if node.get("minLength"):
        parts.append("not empty")
    if node.get("minimum") is not None:
        parts.append(f"≥ {node['minimum']}")
    if node.get("maximum") not in (None, MAX_SAFE_INT):
        parts.append(f"≤ {node['maximum']}")
    return ", ".join(parts)


def _is_map(node: Node) -> bool:
    return isinstance(node.get("additionalProperties"), dict) and not node.get("properties")


def _is_interpolation(node: Node) -> bool:
    return node.get("type") == "string" and node.get("pattern", "").startswith(_INTERPOLATION)


def _plural(kind: str) -> str:
    """``objects``, ``strings``; a choice of types stays as it is: ``string or number``."""
    return kind + "s" if kind in ("string", "integer", "number", "object") else kind


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
