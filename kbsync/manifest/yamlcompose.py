"""Bytes to a composed YAML node graph, by PyYAML's pure-Python parser.

Reads the file (refusing anything over the size cap, or what is not a regular file),
decodes it as UTF-8 and composes it; every failure on the way (not text, empty, a
syntax error, nesting too deep) becomes one located Problem, raised as ``_Fatal``.
kbsync.manifest.yamlload walks the graph this returns.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from kbsync.errors import Problem
from kbsync.safefiles import read_regular

MAX_MANIFEST_BYTES = 5 * 1024 * 1024  # a manifest is prose-sized; anything bigger is a mistake
MAX_DEPTH = 64


class _Fatal(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _compose(text: str, display: str) -> tuple[yaml.Node, yaml.SafeLoader]:
    if not text.strip() or _only_comments(text):
        raise _Fatal(Problem(display, 0, 0, "the manifest is empty"))
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
    except yaml.reader.ReaderError as e:
        line, col = _text_position(text, e.position)
        message = f"not a text file (control character {e.character!r} is not allowed in YAML)"
        raise _Fatal(Problem(display, line, col, message)) from None
    except yaml.MarkedYAMLError as e:
        raise _Fatal(_syntax_problem(display, e, text)) from None
    except RecursionError:  # PyYAML composes recursively: [[[[...]]]] thousands deep
        message = f"YAML nested too deeply (kbsync reads at most {MAX_DEPTH} levels)"
        line, col = _too_deep_at(text)
        raise _Fatal(Problem(display, line, col, message)) from None
    except yaml.YAMLError as e:
        raise _Fatal(Problem(display, 0, 0, f"YAML error: {e}")) from None
    if node is None:
        raise _Fatal(Problem(display, 0, 0, "the manifest is empty"))
    return node, loader


def _read_capped(path: Path, display: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_MANIFEST_BYTES:
            limit = MAX_MANIFEST_BYTES // (1024 * 1024)
            message = f"the manifest is {size / 1024 / 1024:.1f} MB; the limit is {limit} MB"
            raise _Fatal(Problem(display, 0, 0, message))
        return read_regular(path, MAX_MANIFEST_BYTES)  # a pipe would block forever
    except OSError as e:
        raise _Fatal(Problem(display, 0, 0, f"cannot read: {e.strerror}")) from None


def _decode(data: bytes, display: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line, col = _position(data, e.start)
        message = "not a text file (not valid UTF-8); a manifest is UTF-8 YAML"
        raise _Fatal(Problem(display, line, col, message)) from None
    nul = text.find("\0")
    if nul >= 0:
        line, col = _position(data, len(text[:nul].encode()))
        raise _Fatal(Problem(display, line, col, "not a text file (contains NUL bytes)"))
    return text


def _too_deep_at(text: str) -> tuple[int, int]:
    """Where nesting first passes MAX_DEPTH, by the scanner (which is not recursive)."""
    depth = 0
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, _OPENING):
                depth += 1
                if depth > MAX_DEPTH:
                    return token.start_mark.line + 1, token.start_mark.column + 1
            elif isinstance(token, _CLOSING):
                depth -= 1
    except yaml.YAMLError:
        pass
    return 0, 0


_OPENING = (
    yaml.FlowSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.BlockMappingStartToken,
)
_CLOSING = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)


def _position(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, offset - line_start + 1


def _text_position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _only_comments(text: str) -> bool:
    lines = (line.strip() for line in text.splitlines())
    return all(not line or line.startswith("#") or line in ("---", "...") for line in lines)


def _syntax_problem(display: str, e: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = e.problem_mark or e.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    problem = e.problem or "invalid YAML"
    if "'\\t'" in problem or _tab_indented(text, line):
        return Problem(display, line, col, "tab character in indentation; YAML indents with spaces")
    context = f" ({e.context})" if e.context else ""
    return Problem(display, line, col, f"YAML syntax error: {problem}{context}")


def _tab_indented(text: str, line: int) -> bool:
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return False
    content = lines[line - 1]
    indent = content[: len(content) - len(content.lstrip(" \t"))]
    return "\t" in indent
