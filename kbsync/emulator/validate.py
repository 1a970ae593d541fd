"""Body validation: every wrong type, missing field or unknown field becomes a 400."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kbsync.emulator.wire import bad_request

# A field kind: "str", "int", "bool", "int?" (int or null), "number", "str_list", "list",
# "object" or "any" (checked by the handler itself).
Spec = Mapping[str, str]

_KIND_NAMES = {
    "str": "a string",
    "int": "an integer",
    "bool": "a boolean",
    "int?": "an integer or null",
    "number": "a number",
    "str_list": "a list of strings",
    "object": "an object",
    "list": "a list",
    "any": "a value",
}


MAX_INT = 2**63 - 1  # SQLite's INTEGER range


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_INT


def _fits(kind: str, value: object) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return _is_int(value)
    if kind == "int?":
        return value is None or _is_int(value)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "number":
        return _is_int(value) or isinstance(value, float)
    if kind == "any":
        return True
    if kind == "list":
        return isinstance(value, list)
    if kind == "str_list":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, dict)


def check_body(body: Mapping[str, Any], spec: Spec, required: tuple[str, ...] = ()) -> None:
    """Unknown fields, missing required fields and wrong types are 400s, in that order."""
    unknown = sorted(set(body) - set(spec))
    if unknown:
        raise bad_request(f"unknown field(s): {', '.join(unknown)}")
    for name in required:
        if name not in body or body[name] is None:
            raise bad_request(f"missing required field: {name}")
    for name, value in body.items():
        if not _fits(spec[name], value):
            raise bad_request(f"field {name} must be {_KIND_NAMES[spec[name]]}")


def check_length(name: str, value: str, max_len: int, *, non_empty: bool = False) -> str:
    if non_empty and not value.strip():
        raise bad_request(f"field {name} must not be empty")
    if len(value) > max_len:
        raise bad_request(f"field {name} is longer than {max_len} characters")
    return value


def is_digits(text: str) -> bool:
    """ASCII digits that fit SQLite's INTEGER (``str.isdigit`` also accepts "²")."""
    return re.fullmatch(r"[0-9]{1,18}", text) is not None


def project_id_of(value: object, name: str = "project_id") -> int:
    """A project id from a body: a string of digits (the wire form) or an integer."""
    if _is_int(value):
        return int(str(value))
    if isinstance(value, str) and is_digits(value.strip()):
        return int(value.strip())
    raise bad_request(f"field {name} must be a project id (a string of digits)")


def path_project_id(text: str) -> int:
    if not is_digits(text):
        raise bad_request(f"project id in the path must be an integer, got {text!r}")
    return int(text)


def limit_of(query: Mapping[str, str], default: int, maximum: int) -> int:
    raw = query.get("limit")
    if raw is None or raw == "":
        return default
    if not is_digits(raw) or int(raw) < 1:
        raise bad_request("query parameter limit must be a positive integer")
    return min(int(raw), maximum)
