"""A small hostile "Robofy" on loopback: every request gets the current mode's answer.

Modes (``HostileServer.mode``) are the ways a broken or malicious server can answer:
huge bodies, deeply nested JSON, wrong types, endless pagination, non-JSON successes,
HTML error pages, bodies and headers that drip slowly, answers that never come,
connections closed mid-answer, garbage instead of HTTP, and a gzip bomb.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MB = 1024 * 1024
HTML = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"


def _json(handler: BaseHTTPRequestHandler, body: Any, status: int = 200) -> None:
    _send(handler, status, json.dumps(body).encode(), "application/json")


def _send(handler: BaseHTTPRequestHandler, status: int, data: bytes, kind: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def _items(items: Any, token: Any = None) -> dict[str, Any]:
    return {"message": "Success", "data": {"items": items, "next_page_token": token}}


def _huge_declared(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(500 * MB))
    h.end_headers()
    h.wfile.write(b'{"data": ' + b" " * MB)  # then hang up


def _huge_streamed(h: BaseHTTPRequestHandler) -> None:
    """No Content-Length: the body just keeps coming (far past the client's 20 MB cap)."""
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.end_headers()
    h.wfile.write(b'{"data": {"items": [')
    chunk = b" " * MB
    for _ in range(200):
        h.wfile.write(chunk)


def _gzip_bomb(h: BaseHTTPRequestHandler) -> None:
    data = HostileServer.gzip_bomb()
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Encoding", "gzip")
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)


def _deep_json(h: BaseHTTPRequestHandler) -> None:
    depth = 200_000
    _send(h, 200, b"[" * depth + b"]" * depth, "application/json")


def _deep_items(h: BaseHTTPRequestHandler) -> None:
    nested: Any = {"chatbot_id": "c1", "name": "deep"}
    for _ in range(500):
        nested = {"chatbot_id": nested, "name": ["x"]}
    _json(h, _items([nested]))


def _drip(h: BaseHTTPRequestHandler, head: bytes, forever: bytes) -> None:
    server = h.server
    assert isinstance(server, HostileServer)
    h.wfile.write(head)
    while not server.stopping.is_set():
        h.wfile.write(forever)
        h.wfile.flush()
        time.sleep(0.05)


def _slow_body(h: BaseHTTPRequestHandler) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9999999\r\n\r\n"
    _drip(h, head, b" ")


def _slow_headers(h: BaseHTTPRequestHandler) -> None:
    _drip(h, b"HTTP/1.1 200 OK\r\n", b"X-Drip: a\r\n")


def _never(h: BaseHTTPRequestHandler) -> None:
    server = h.server
    assert isinstance(server, HostileServer)
    server.stopping.wait(60)


def _short_body(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", "1000")
    h.end_headers()
    h.wfile.write(b'{"data": ')  # and close


def _retry_after(value: str) -> Callable[[BaseHTTPRequestHandler], None]:
    def answer(h: BaseHTTPRequestHandler) -> None:
        data = json.dumps({"message": "slow down"}).encode()
        h.send_response(429)
        h.send_header("Retry-After", value)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return answer


HUGE_NUMBER = b'{"data": {"items": [1' + b"0" * 5000 + b"]}}"


MODES: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {
    "huge-declared-body": _huge_declared,
    "huge-streamed-body": _huge_streamed,
    "gzip-bomb": _gzip_bomb,
    "deeply-nested-json": _deep_json,
    "deeply-nested-items": _deep_items,
    "items-not-a-list": lambda h: _json(h, _items("agents")),
    "items-of-numbers": lambda h: _json(h, _items([1, 2, 3])),
    "id-is-an-object": lambda h: _json(h, _items([{"chatbot_id": {"a": 1}, "name": 5}])),
    "data-is-null": lambda h: _json(h, {"message": "Success", "data": None}),
    "top-level-list": lambda h: _json(h, [1, 2]),
    "huge-number": lambda h: _send(h, 200, HUGE_NUMBER, "application/json"),
    "endless-pagination": lambda h: _json(h, _items([], uuid.uuid4().hex)),
    "repeated-page-token": lambda h: _json(h, _items([], "same")),
    "token-is-an-object": lambda h: _json(h, _items([], {"next": 1})),
    "retry-after-forever": _retry_after("999999999"),
    "retry-after-infinite": _retry_after("1e309"),
    "retry-after-year-9999": _retry_after("Fri, 31 Dec 9999 23:59:59 GMT"),
    "non-json-200": lambda h: _send(h, 200, b"OK, all good!", "text/plain"),
    "html-200": lambda h: _send(h, 200, HTML, "text/html"),
    "html-404": lambda h: _send(h, 404, HTML, "text/html"),
    "html-502": lambda h: _send(h, 502, HTML, "text/html"),
    "error-envelope-wrong-types": lambda h: _json(h, {"error": {"code": 7, "message": [1]}}, 400),
    "slow-body-drip": _slow_body,
    "slow-header-drip": _slow_headers,
    "never-answers": _never,
    "body-shorter-than-declared": _short_body,
    "closes-without-answer": lambda h: None,
    "garbage-not-http": lambda h: h.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff\r\n\r\n"),
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _any(self) -> None:
        server = self.server
        assert isinstance(server, HostileServer)
        with server.lock:
            server.requests += 1
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client hung up on us, as it should
            MODES[server.mode](self)

    do_GET = do_POST = do_PUT = do_DELETE = _any

    def log_message(self, format: str, *args: object) -> None:
        pass


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True
    _bomb: bytes | None = None

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = "non-json-200"
        self.requests = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @classmethod
    def gzip_bomb(cls) -> bytes:
        """24 MB of zeros (past the client's 20 MB cap), gzipped to about 24 KB (made once)."""
        if cls._bomb is None:
            cls._bomb = gzip.compress(b"\0" * (24 * MB), compresslevel=6)
        return cls._bomb

    def close(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self._thread.join(5)
