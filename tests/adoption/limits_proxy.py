"""A WSGI layer over the emulator that changes what GET /v1/account/limit answers.

The emulator's limits are fixed and generous; this layer keeps its real usage
figures and replaces the limits (``limits``), or answers 404 (``missing=True``).
Every other request goes to the emulator untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

LIMIT_PATH = "/v1/account/limit"


class LimitsProxy:
    def __init__(self, app: Any, limits: dict[str, Any] | None = None, missing: bool = False):
        self.app = app
        self.limits = limits or {}
        self.missing = missing
        self.limit_requests = 0

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != LIMIT_PATH:
            return self.app(environ, start_response)
        self.limit_requests += 1
        if self.missing:
            body = {"message": "Not found", "error": {"code": "NOT_FOUND", "detail": "no route"}}
            return _answer(start_response, "404 Not Found", body)
        seen: dict[str, Any] = {}

        def keep(status: str, headers: list[Any], exc_info: Any = None) -> None:
            seen["status"] = status

        body = json.loads(b"".join(self.app(environ, keep)))
        if seen["status"].startswith("200"):
            body["data"].update(self.limits)
        return _answer(start_response, seen["status"], body)


def _answer(start_response: Callable[..., Any], status: str, body: Any) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]
