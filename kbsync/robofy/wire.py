"""The vocabulary ``contract`` is written in: a route, a decoded answer, the ShapeError
that names what was seen, and checks on decoded JSON values.

No Robofy facts live here (no paths, keys or envelopes): those are in contract.py.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import quote

from kbsync.errors import ShapeError
from kbsync.model import Scalar


class Route(NamedTuple):
    method: str
    template: str  # path with {pid} / {cid} placeholders
    # a POST whose repetition harms nothing (chat) may be retried like a GET
    safe_to_repeat: bool = False

    @property
    def endpoint(self) -> str:
        """How errors and logs name the route: method + template, never ids or the host."""
        return f"{self.method} {self.template}"

    def path(self, pid: int, cid: str = "") -> str:
        return self.template.format(pid=pid, cid=quote(cid, safe=""))


class Answer(NamedTuple):
    """A decoded HTTP answer: what the contract's parsers look at."""

    endpoint: str
    status: int
    body: Any  # decoded JSON (None for an empty body)
    path: str = ""  # the request as sent, ids filled in (GET /v1/.../7/abc): for messages
    size: int = 0  # bytes of the body as received: what bounds a listing's memory

    @property
    def shown(self) -> str:
        """How messages name the request: with its ids when known."""
        return self.path or self.endpoint


def shape_error(answer: Answer, expected: str) -> ShapeError:
    """Name endpoint, status and the top-level keys seen; never a value."""
    seen = seen_keys(answer)
    return ShapeError(
        f"Robofy answered {answer.shown} (HTTP {answer.status}) with a shape kbsync "
        f"does not know: expected {expected}; {seen}. "
        "Run `kbsync doctor`; the assumed shapes are in kbsync/robofy/contract/.",
        endpoint=answer.endpoint,
        status=answer.status,
    )


def item_error(answer: Answer, expected: str, item: object) -> ShapeError:
    """Like shape_error, for one list item: names the item's keys (never a value)."""
    return ShapeError(
        f"Robofy answered {answer.shown} (HTTP {answer.status}) with an item kbsync "
        f"cannot read with confidence: expected {expected}; {seen_keys(answer)}; "
        f"{item_keys(item)}. Nothing was "
        "written. Run `kbsync doctor`; the assumed shapes are in kbsync/robofy/contract/.",
        endpoint=answer.endpoint,
        status=answer.status,
    )


def item_keys(item: object) -> str:
    """The keys of one list item (or its JSON kind): what may be shown of it."""
    if isinstance(item, dict):
        return "item keys: " + (", ".join(sorted(map(str, item))[:30]) or "none")
    return f"item is a JSON {_json_kind(item)}"


def seen_keys(answer: Answer) -> str:
    """What kbsync may show of a body it does not know: its top-level keys, or its kind."""
    if isinstance(answer.body, dict):
        return "top-level keys: " + (", ".join(sorted(map(str, answer.body))[:20]) or "none")
    return f"top-level JSON {_json_kind(answer.body)}"


def _json_kind(value: object) -> str:
    kinds = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


# --- decoded JSON values -------------------------------------------------------


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and finite(value)


def is_scalar(value: object) -> bool:
    return value is None or (isinstance(value, (str, int, float, bool)) and finite(value))


def finite(value: object) -> bool:
    """False for NaN and +-Infinity, which Python's json reads (also for 1e400): skipped."""
    return not isinstance(value, float) or math.isfinite(value)


def scalar(value: object) -> Scalar:
    return value if is_scalar(value) else str(value)  # type: ignore[return-value]


def first(item: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    """The value of the first key present and not empty."""
    for key in keys:
        if item.get(key) not in (None, ""):
            return item[key]
    return None


def int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = value.strip() if isinstance(value, str) else ""
    # ASCII only: "²".isdigit() is True but int("²") fails; 30 digits is plenty for an id
    if text.isascii() and text.isdigit() and len(text) <= 30:
        return int(text)
    return None
