"""Serving the app over loopback HTTP: h11 parses HTTP/1.1, one thread per connection.

h11 (the parser under httpx's own client) does the framing: request line and headers,
Content-Length and chunked bodies (chunk sizes, the CRLF after each chunk, trailers). Whatever
it refuses, and a request line over 64 KB (414), a head over 256 KB (431), an HTTP version
other than 1.0/1.1 (505) or both Content-Length and Transfer-Encoding (400), is answered here
with the JSON error envelope and ``Connection: close``; the app never sees it, and no thread
waits on a body whose end it cannot know.

Connections are kept alive (HTTP/1.1), as a real server keeps them: without that every
request paid a TCP connect and a new server thread, which a profile of the apply benchmark
showed as the biggest cost per request. A connection is closed after a dropped answer (the
app raises ConnectionResetError after its commit: the client sees the connection end with no
response), after a refused request, when the client asks, or after ``IDLE_SECONDS`` idle.
The whole body is read before the app runs (answering first can reset the socket).
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

import h11

from kbsync.emulator.app import EmulatorApp, create_app
from kbsync.emulator.config import EmulatorConfig
from kbsync.emulator.wire import MAX_BODY_BYTES, ApiError, encode, error_response

MAX_REQUEST_LINE = 64 * 1024
MAX_HEAD_BYTES = 256 * 1024  # request line and headers together
IDLE_SECONDS = 60.0  # an idle kept-alive connection stays open this long
LINGER_SECONDS = 2.0  # after a refusal: at most this long, unread input is drained
_READ_SIZE = 64 * 1024
_VERSIONS = (b"1.0", b"1.1")


class _Refused(Exception):
    """A request the server answers itself, then closes the connection."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class _Gone(Exception):
    """The client closed the connection (or it timed out) between or inside requests."""


class _Answer:
    """A WSGI answer: the status line, the headers and the body, collected whole."""

    def __init__(self) -> None:
        self.status = "500 Internal Server Error"
        self.headers: list[tuple[str, str]] = []

    def start_response(self, status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
        self.status, self.headers = status, headers
        return None


_REFUSALS = {
    400: ("Bad Request", "BAD_REQUEST"),
    413: ("Payload Too Large", "PAYLOAD_TOO_LARGE"),
    414: ("URI Too Long", "URI_TOO_LONG"),
    431: ("Request Header Fields Too Large", "HEADERS_TOO_LARGE"),
    505: ("HTTP Version Not Supported", "HTTP_VERSION_NOT_SUPPORTED"),
}


def _refusal_bytes(status: int, detail: str) -> bytes:
    """A complete response with the error envelope; written without h11, whose state may be
    ERROR by now."""
    reason, code = _REFUSALS.get(status, _REFUSALS[400])
    envelope = {"message": reason, "error": {"code": code, "detail": detail}}
    body = json.dumps(envelope).encode("utf-8")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


def _status_of(error: h11.RemoteProtocolError, unread: bytes) -> int:
    """h11's hint, except that a head too long because of its first line is a 414."""
    if error.error_status_hint == 431 and len(unread.split(b"\r\n", 1)[0]) > MAX_REQUEST_LINE:
        return 414
    return error.error_status_hint if error.error_status_hint in _REFUSALS else 400


class _Connection:
    """One client connection: requests in, answers out, until either side closes it."""

    def __init__(self, sock: socket.socket, address: tuple[str, int], app: EmulatorApp) -> None:
        self._sock = sock
        self._address = address
        self._app = app
        self._h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)

    def serve(self) -> None:
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # see module doc
        self._sock.settimeout(IDLE_SECONDS)
        with contextlib.suppress(_Gone, OSError):
            while self._one_request():
                self._h11.start_next_cycle()

    def _one_request(self) -> bool:
        """Answer one request; True when the connection can carry the next one."""
        try:
            request, body = self._read_request()
        except h11.RemoteProtocolError as exc:
            return self._refuse(_status_of(exc, self._h11.trailing_data[0]), str(exc))
        except _Refused as exc:
            return self._refuse(exc.status, exc.detail)
        try:
            answer, payload = self._call_app(request, body)
        except ConnectionResetError:
            return False  # dropped after commit: close with no answer
        self._send(request, answer, payload)
        return self._h11.our_state is h11.DONE and self._h11.their_state is h11.DONE

    def _refuse(self, status: int, detail: str) -> bool:
        self._sock.sendall(_refusal_bytes(status, detail))
        self._linger()
        return False

    def _linger(self) -> None:
        """Stop writing, then drain what the client still sends, for a moment: closing with
        unread input makes the kernel reset the connection, which can destroy the answer."""
        deadline = time.monotonic() + LINGER_SECONDS
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_WR)
            while (left := deadline - time.monotonic()) > 0:
                self._sock.settimeout(left)
                if not self._sock.recv(_READ_SIZE):
                    break

    # --- reading ------------------------------------------------------------------------

    def _next_event(self) -> Any:
        while True:
            event = self._h11.next_event()
            if event is not h11.NEED_DATA:
                if isinstance(event, h11.ConnectionClosed):
                    raise _Gone()
                return event
            try:
                data = self._sock.recv(_READ_SIZE)
            except OSError:  # idle too long, or the client went away
                raise _Gone() from None
            self._h11.receive_data(data)

    def _read_request(self) -> tuple[h11.Request, bytes]:
        request = self._next_event()
        assert isinstance(request, h11.Request)
        _check_request(request)
        if self._h11.they_are_waiting_for_100_continue:
            go_on = h11.InformationalResponse(status_code=100, headers=[])
            self._sock.sendall(self._h11.send(go_on) or b"")
        return request, self._read_body()

    def _read_body(self) -> bytes:
        """The whole body; reading stops at MAX_BODY_BYTES (a 413, and the connection ends)."""
        body = bytearray()
        while not isinstance(event := self._next_event(), h11.EndOfMessage):
            body += event.data
            if len(body) > MAX_BODY_BYTES:
                raise _Refused(413, "request body is larger than 64 MB")
        return bytes(body)

    # --- answering ----------------------------------------------------------------------

    def _call_app(self, request: h11.Request, body: bytes) -> tuple[_Answer, bytes]:
        answer = _Answer()
        environ = wsgi_environ(request, body, self._address)
        try:
            chunks: Iterable[bytes] = self._app(environ, answer.start_response)
            payload = b"".join(chunks)
        except ConnectionResetError:
            raise
        except Exception as exc:  # the app guards itself; this is a last resort
            print(f"emulator: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            return _internal_error_answer()
        return answer, payload

    def _send(self, request: h11.Request, answer: _Answer, payload: bytes) -> None:
        code, _, reason = answer.status.partition(" ")
        head = h11.Response(status_code=int(code), headers=answer.headers, reason=reason)
        if request.method == b"HEAD":
            payload = b""
        out = self._h11.send(head) or b""
        out += (self._h11.send(h11.Data(data=payload)) if payload else b"") or b""
        out += self._h11.send(h11.EndOfMessage()) or b""
        self._sock.sendall(out)  # one write: headers and body leave together


def _check_request(request: h11.Request) -> None:
    """What h11 accepts but this server does not."""
    if request.http_version not in _VERSIONS:
        raise _Refused(505, f"HTTP version {request.http_version.decode('ascii')} not supported")
    line = len(request.method) + len(request.target) + 11
    if line > MAX_REQUEST_LINE:
        raise _Refused(414, "request line is longer than 64 KB")
    # h11 counts only an incomplete head; one that arrived whole can be a read longer
    if line + sum(len(n) + len(v) + 4 for n, v in request.headers) > MAX_HEAD_BYTES:
        raise _Refused(431, "request head is longer than 256 KB")
    headers = dict(request.headers)  # h11 refused conflicting Content-Lengths already
    if b"transfer-encoding" in headers and b"content-length" in headers:
        raise _Refused(400, "both Content-Length and Transfer-Encoding are set")
    if int(headers.get(b"content-length", 0)) > MAX_BODY_BYTES:
        raise _Refused(413, "request body is larger than 64 MB")  # refused before it comes


def _internal_error_answer() -> tuple[_Answer, bytes]:
    answer = _Answer()
    err = ApiError(500, "INTERNAL_SERVER_ERROR", "unexpected emulator error")
    status, headers, body = encode(error_response(err))
    answer.start_response(status, headers)
    return answer, b"".join(body)


def wsgi_environ(request: h11.Request, body: bytes, address: tuple[str, int]) -> dict[str, Any]:
    """The WSGI environ of a parsed request (PEP 3333: the path unquoted as latin-1)."""
    path, _, query = request.target.decode("latin-1").partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method.decode("latin-1"),
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(path, "latin-1"),
        "QUERY_STRING": query,
        "CONTENT_LENGTH": str(len(body)),  # the body is decoded already, chunked or not
        "SERVER_NAME": address[0],
        "SERVER_PORT": str(address[1]),
        "SERVER_PROTOCOL": f"HTTP/{request.http_version.decode('latin-1')}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    environ.update(_header_environ(request.headers))
    return environ


def _header_environ(headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        if "_" in name or name in ("content-length", "transfer-encoding"):
            continue  # "_" would pass for "-" (header smuggling); framing is done
        key = "CONTENT_TYPE" if name == "content-type" else "HTTP_" + name.upper()
        key = key.replace("-", "_")
        found[key] = f"{found[key]},{value}" if key in found else value
    return found


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server = self.server
        assert isinstance(server, EmulatorServer)
        _Connection(self.request, server.address, server.app).serve()


class EmulatorServer(socketserver.ThreadingTCPServer):
    """The listening socket; each connection gets a thread and a ``_Connection``."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, host: str, port: int, app: EmulatorApp) -> None:
        self.app = app
        super().__init__((host, port), _Handler)
        self.address: tuple[str, int] = self.server_address[:2]  # type: ignore[assignment]


def make_emulator_server(host: str, port: int, app: EmulatorApp) -> EmulatorServer:
    """Bind (port 0 picks a free port; read it from ``server.server_address``)."""
    return EmulatorServer(host, port, app)


def base_url(server: EmulatorServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


class BackgroundServer:
    """The app served from a thread (for tests): ``.base_url``, ``.app``, ``.close()``."""

    def __init__(self, app: EmulatorApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server = make_emulator_server(host, port, app)
        self.base_url = base_url(self._server)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    config: EmulatorConfig | None = None,
    ready: Callable[[str], None] | None = None,
    seed_demo: bool = False,
) -> None:
    """Serve until interrupted (Ctrl-C raises KeyboardInterrupt out of here).

    ``ready``, if given, is called with the base URL once the socket is listening."""
    app = create_app(config)
    try:
        if seed_demo:
            app.seed_demo(min(app.project_ids))
        server = make_emulator_server(host, port, app)
        try:
            if ready is not None:
                ready(base_url(server))
            server.serve_forever()
        finally:
            server.server_close()
    finally:
        app.close()
