"""HTTP-level values: the parsed request, the response, the error envelope, WSGI encoding."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

Headers = tuple[tuple[str, str], ...]

REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


class ApiError(Exception):
    """Any failure a handler reports: becomes the error envelope with this status and code."""

    def __init__(
        self, status: int, code: str, detail: str, headers: Headers = (), resource: str = ""
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
        self.resource = resource  # of a 404: CHATBOT, LINKAGE, ... (the documented dialect's code)


def bearer_key(request: Request) -> str:
    """The API key of ``Authorization: Bearer KEY``, or ""."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


def bad_request(detail: str) -> ApiError:
    return ApiError(400, "BAD_REQUEST", detail)


def not_found(detail: str, resource: str = "") -> ApiError:
    return ApiError(404, "NOT_FOUND", detail, resource=resource)


class Request(NamedTuple):
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object, or a 400 naming what is wrong with it."""
        if not self.body.strip():
            raise bad_request("request body must be a JSON object")
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise bad_request(f"request body is not valid JSON: {exc}") from None
        value = parse_json(text, "request body")
        if not isinstance(value, dict):
            raise bad_request("request body must be a JSON object")
        return value


MAX_JSON_DEPTH = 64  # arrays and objects inside each other
MIN_INT, MAX_INT = -(2**63), 2**63 - 1  # SQLite's INTEGER range
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json(text: str, what: str) -> Any:
    """JSON as the emulator accepts it, or a 400 naming ``what``: no NaN or Infinity, numbers
    that fit 64 bits, at most MAX_JSON_DEPTH levels, and no lone surrogates (``"\\ud800"``
    is valid JSON but no valid text, and SQLite cannot store it)."""
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite, parse_int=_int64)
    except RecursionError:
        raise bad_request(f"{what} is nested too deeply") from None
    except ValueError as exc:
        raise bad_request(f"{what} is not valid JSON: {exc}") from None
    _check_tree(value, what)
    return value


def _check_tree(value: Any, what: str) -> None:
    """Depth and surrogates, walked without recursion (a deep value must not crash us)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str) and _SURROGATE.search(item):
            raise bad_request(f"{what} contains a lone surrogate (not valid Unicode text)")
        if isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise bad_request(f"{what} is nested deeper than {MAX_JSON_DEPTH} levels")
            children = [*item, *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number out of range: {text}")
    return value


def _int64(text: str) -> int:
    value = int(text)
    if not MIN_INT <= value <= MAX_INT:
        raise ValueError(f"integer does not fit 64 bits: {text[:40]}")
    return value


class Response(NamedTuple):
    status: int
    payload: object  # JSON-serialisable
    headers: Headers = ()


def ok(data: object, message: str = "Success") -> Response:
    """The success envelope ``{"message", "data"}``."""
    return Response(200, {"message": message, "data": data})


def bare(payload: object) -> Response:
    """A success answered as a bare object (Add Text, Add Website)."""
    return Response(200, payload)


def error_response(err: ApiError) -> Response:
    reason = REASONS.get(err.status, "Error")
    envelope = {"message": reason, "error": {"code": err.code, "detail": err.detail}}
    return Response(err.status, envelope, err.headers)


MAX_BODY_BYTES = 64 * 1024 * 1024


def read_request(environ: dict[str, Any]) -> Request:
    """Parse a WSGI environ into a Request (the body is read whole; it is capped at 64 MB)."""
    headers = {
        name[5:].replace("_", "-").lower(): str(value)
        for name, value in environ.items()
        if name.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    query = dict(parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True))
    body = _read_body(environ)
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    return Request(method, str(environ.get("PATH_INFO", "/")), query, headers, body)


def _read_body(environ: dict[str, Any]) -> bytes:
    stream = environ["wsgi.input"]
    if not environ.get("CONTENT_LENGTH") and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", ""):
        # In-process (httpx.WSGITransport) the stream holds the decoded body; our server
        # decodes chunked bodies itself and sets CONTENT_LENGTH.
        body = bytes(stream.read(MAX_BODY_BYTES + 1))
        if len(body) > MAX_BODY_BYTES:
            raise ApiError(413, "PAYLOAD_TOO_LARGE", "request body is larger than 64 MB")
        return body
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise bad_request("invalid Content-Length") from None
    if length <= 0:
        return b""
    if length > MAX_BODY_BYTES:
        raise ApiError(413, "PAYLOAD_TOO_LARGE", "request body is larger than 64 MB")
    return bytes(stream.read(length))


def encode(response: Response) -> tuple[str, list[tuple[str, str]], Iterable[bytes]]:
    """WSGI status line, headers and body for a Response."""
    body = json.dumps(response.payload).encode("utf-8")
    status = f"{response.status} {REASONS.get(response.status, 'Error')}"
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    return status, headers + list(response.headers), [body]
