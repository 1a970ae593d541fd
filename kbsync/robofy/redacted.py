"""`kbsync doctor --report FILE`: what the account answered, with every value taken out.

Per endpoint: the HTTP status, the envelope, the key names and value types (recursively;
a string is written as "string"), the status strings seen, and the dialect features
detected. No value, id, name, URL or key is written: key names are kept only when they
look like field names, error codes and status words only when they look like words.
A user attaches the file to a bug report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kbsync.errors import RobofyError
from kbsync.robofy import contract as c
from kbsync.robofy.probe import ShapeReport

REPORT_FORMAT_VERSION = 1
MAX_DEPTH, MAX_KEYS, MAX_ITEMS = 8, 60, 20
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_WORD = re.compile(r"^[A-Za-z][A-Za-z _-]{0,39}$")
OTHER_KEY = "<other key>"  # a key that does not look like a field name (an id, a URL, text)


def redacted_report(reports: Sequence[ShapeReport], *, limit_rejected: bool) -> dict[str, Any]:
    endpoints = [_endpoint(r) for r in reports]
    features = sorted({f for e in endpoints for f in e["features"]})
    if limit_rejected:
        features.append(f"`{c.PAGE_LIMIT_PARAM}` rejected (HTTP 400); listed without it")
    return {
        "format_version": REPORT_FORMAT_VERSION,
        "what": "kbsync doctor --report: shapes only, no values",
        "dialect_features": features,
        "endpoints": endpoints,
    }


def _endpoint(report: ShapeReport) -> dict[str, Any]:
    answer = report.answer
    body = answer.body if answer is not None else None
    return {
        "endpoint": report.endpoint,  # the route template: placeholders, never ids
        "status": report.status,
        "verdict": report.verdict or ("failed" if not report.ok else ""),
        "readable": report.ok,
        "envelope": _envelope(body) if answer is not None else None,
        "shape": shape_of(body) if answer is not None else None,
        "error_code": _error_code(body),
        "statuses": sorted({_word(s) for s in _statuses(body)}),
        "features": _features(report),
    }


def shape_of(value: Any, depth: int = 0) -> Any:
    """The value with every scalar replaced by its JSON type; lists by their item shapes."""
    if depth >= MAX_DEPTH:
        return "..."
    if isinstance(value, dict):
        keys = sorted(value, key=str)[:MAX_KEYS]
        shape: dict[str, Any] = {}
        for key in keys:
            name = str(key) if _FIELD_NAME.match(str(key)) else OTHER_KEY
            shape[name] = _merge(shape.get(name), shape_of(value[key], depth + 1))
        return shape
    if isinstance(value, list):
        items: Any = None
        for item in value[:MAX_ITEMS]:
            items = _merge(items, shape_of(item, depth + 1))
        return {"array of": items if items is not None else "nothing (empty)"}
    return _type(value)


def _merge(old: Any, new: Any) -> Any:
    """Two shapes of the same place: objects merge key by key; different types are listed."""
    if old is None or old == new:
        return new
    if isinstance(old, dict) and isinstance(new, dict) and "array of" not in old:
        merged = dict(old)
        for key, shape in new.items():
            merged[key] = _merge(merged.get(key), shape)
        return merged
    kinds = (old if isinstance(old, list) else [old]) + [new]
    unique: list[Any] = []
    for kind in kinds:
        if kind not in unique:
            unique.append(kind)
    return unique


def _type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string" if isinstance(value, str) else type(value).__name__


def _envelope(body: Any) -> str:
    if isinstance(body, dict) and "data" in body:
        return "{message, data}" if "message" in body else "{data}"
    if isinstance(body, dict) and "error" in body:
        return "{message, error}"
    if isinstance(body, (dict, list)):
        return "bare " + ("array" if isinstance(body, list) else "object")
    return "bare " + _type(body)


def _error_code(body: Any) -> str | None:
    _, code, _ = c.error_fields(body)
    return code if re.match(r"^[A-Z][A-Z0-9_]{0,63}$", code) else (None if not code else "<other>")


def _statuses(body: Any) -> list[str]:
    """Status strings of the listed items (first page), wherever the list was."""
    try:
        items, _ = c.page_of(c.Answer("", 200, body), "a list")
    except RobofyError:  # not a list in any known place: no statuses to show
        return []
    return [i["status"] for i in items if isinstance(i, dict) and isinstance(i.get("status"), str)]


def _word(status: str) -> str:
    return status if _WORD.match(status) else "<unusual status>"


def _features(report: ShapeReport) -> list[str]:
    """The parts of doctor's description that name places and aliases (never values)."""
    if not report.ok:
        return ["an item kbsync cannot read: apply would refuse"] if report.problem else []
    parts = [p.strip() for p in report.shape.split(";")]
    return [p for p in parts if p.startswith(("items", "token", "aliases", "bare", "envelope"))]
