"""How values and sizes read for people, and ANSI colour (only when asked for)."""

from __future__ import annotations

import json

from kbsync.model import SECRET_FIELDS, Scalar

_ANSI = {"green": "32", "yellow": "33", "red": "31", "cyan": "36", "bold": "1", "dim": "2"}


def paint(text: str, style: str, color: bool) -> str:
    if not color or not text:
        return text
    return f"\x1b[{_ANSI[style]}m{text}\x1b[0m"


def show_value(field: str, value: Scalar) -> str:
    """JSON spelling ("text", 0.3, true), "(unset)" for None, never a secret."""
    if field in SECRET_FIELDS:
        return "(hidden)"
    if value is None:
        return "(unset)"
    return json.dumps(value, ensure_ascii=False)


def show_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
