"""Answer bodies: the size kbsync will parse, and JSON decoding that fails closed.

A body over MAX_BODY_BYTES, one whose Content-Encoding does not match its bytes, or a
success that is not JSON is a ShapeError naming the endpoint and the status.
"""

from __future__ import annotations

import json
from typing import Any

from kbsync.errors import ShapeError
from kbsync.robofy.wire import Route

MAX_BODY_BYTES = 20 * 1024 * 1024  # never parse more than this


def _too_big(route: Route, status: int) -> ShapeError:
    return ShapeError(
        f"Robofy answered {route.endpoint} (HTTP {status}) with a body over "
        f"{MAX_BODY_BYTES // (1024 * 1024)} MB; kbsync does not parse it",
        endpoint=route.endpoint,
        status=status,
    )


def _undecodable(route: Route, status: int | None, encoding: str = "") -> ShapeError:
    """httpx could not undo the Content-Encoding (gzip, deflate, ...) of the body."""
    answered = f" (HTTP {status})" if status is not None else ""
    named = f"Content-Encoding {encoding[:40]!r}" if encoding else "its Content-Encoding"
    return ShapeError(
        f"Robofy answered {route.endpoint}{answered} with a body kbsync cannot decode "
        f"({named} does not match the bytes)",
        endpoint=route.endpoint,
        status=status,
    )


def _decode(raw: bytes, route: Route, status: int, content_type: str) -> Any:
    """JSON body, or None when empty; a success that is not JSON is a ShapeError."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        if status >= 400:
            return None  # the status alone is mapped to an error
        kind = content_type.split(";")[0].strip() or "no content type"
        raise ShapeError(
            f"Robofy answered {route.endpoint} (HTTP {status}) with a body that is not "
            f"JSON ({kind}); is the base URL right?",
            endpoint=route.endpoint,
            status=status,
        ) from None
