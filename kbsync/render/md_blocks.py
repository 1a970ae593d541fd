"""Small pure Markdown building blocks: escaping, code spans, fences, diffs, tables.

Everything a plan shows comes from files and remote state we do not control, so
every piece of it is escaped: a text named ``</details>`` or a prompt full of
backticks must not break the comment around it.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from collections.abc import Iterable

from kbsync.model import FieldChange, Scalar

# an underscore inside a word (snake_case, ids) never starts emphasis in GitHub's Markdown
_MARKDOWN_SPECIALS = re.compile(r"([\\`*\[\]<>|~#]|(?<!\w)_|_(?!\w))")
_BACKTICK_RUNS = re.compile(r"`+")


def one_line(text: str) -> str:
    """Collapse whitespace runs (newlines included) so a value stays on its line."""
    return " ".join(text.split())


def escape_text(text: str) -> str:
    """Plain text safe inside Markdown prose, on one line."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", one_line(text))


def escape_html(text: str) -> str:
    """Plain text safe inside an HTML element such as <summary>."""
    return html.escape(one_line(text), quote=False)


def _longest_backtick_run(text: str) -> int:
    return max((len(m) for m in _BACKTICK_RUNS.findall(text)), default=0)


def code_span(text: str) -> str:
    """An inline code span that survives backticks in its content."""
    text = one_line(text)
    if not text:
        return "*(empty)*"
    fence = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def table_cell(text: str) -> str:
    """A table cell: GitHub splits cells on every unescaped pipe, even inside code."""
    return text.replace("|", "\\|")


def fenced(body: str, info: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run in the body."""
    fence = "`" * max(3, _longest_backtick_run(body) + 1)
    return f"{fence}{info}\n{body.rstrip(chr(10))}\n{fence}\n"


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> list[str]:
    """The lines of a unified diff from old to new (empty when equal)."""
    return list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=3
        )
    )


def diff_stats(lines: Iterable[str]) -> tuple[int, int]:
    """(added, removed) line counts of a unified diff, headers excluded."""
    added = removed = 0
    for line in lines:
        if line.startswith(("+++", "---")):
            continue
        added += line.startswith("+")
        removed += line.startswith("-")
    return added, removed


def scalar_text(value: Scalar) -> str:
    """A setting's value as JSON, so 0.3 and "0.3" and null look different."""
    return json.dumps(value, ensure_ascii=False)


def changes_table(changes: Iterable[FieldChange]) -> str:
    """An old -> new table, one row per changed field."""
    rows = ["| field | old | new |", "| --- | --- | --- |"]
    for change in changes:
        cells = (change.field, scalar_text(change.old), scalar_text(change.new))
        rows.append("| " + " | ".join(table_cell(code_span(c)) for c in cells) + " |")
    return "\n".join(rows) + "\n"


def blockquote(lines: Iterable[str]) -> str:
    """Prefix every line with '> ' (empty lines with '>')."""
    return "".join(f"> {line}\n" if line else ">\n" for line in lines)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 action', '2 actions', '1,234 actions'."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"
