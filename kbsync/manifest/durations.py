"""Durations as the manifest writes them: 30m, 12h, 7d, 2w (units may be combined: 1d12h)."""

from __future__ import annotations

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_UNIT = "[" + "".join(_UNITS) + "]"
# the one duration pattern: parse_duration and the manifest's JSON Schema both use it
DURATION_PATTERN = f"^([0-9]+{_UNIT})+$"
_WHOLE = re.compile(DURATION_PATTERN)
_PART = re.compile(f"([0-9]+)({_UNIT})")


def parse_duration(text: str) -> float:
    """Seconds in a duration; ValueError for anything else (or zero)."""
    text = text.strip()
    if not _WHOLE.match(text):
        raise ValueError(f"not a duration: {text!r} (write a number and a unit: 30m, 12h, 7d, 2w)")
    seconds = sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(text))
    if seconds <= 0:
        raise ValueError(f"duration must be longer than zero: {text!r}")
    return float(seconds)
