"""Serving the app over loopback HTTP: a threaded wsgiref server.

A request the app drops after commit raises ConnectionResetError out of the app; wsgiref's
handler then returns without writing anything and the socket is closed, so the client sees
the connection end with no response.

Connections are kept alive (HTTP/1.1), as a real server keeps them: without that every
request paid a TCP connect and a new server thread, which a profile of the apply benchmark
showed as the biggest cost per request. A connection is closed after a dropped answer, after
a body of unknown length (saying ``Connection: close``), or after ``_Handler.timeout`` idle
seconds; a body the app left partly unread is drained first.
"""

from __future__ import annotations

import io
import socketserver
import threading
from collections.abc import Callable
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer, make_server

from kbsync.emulator.app import EmulatorApp, create_app
from kbsync.emulator.config import EmulatorConfig
from kbsync.emulator.wire import MAX_BODY_BYTES


class _ChunkedBodyError(Exception):
    pass


def _dechunk(stream: io.BufferedIOBase, limit: int = MAX_BODY_BYTES) -> bytes:
    """Decode a ``Transfer-Encoding: chunked`` request body (wsgiref does not)."""
    body = bytearray()
    while True:
        size_line = stream.readline(1026).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise _ChunkedBodyError("malformed chunk size") from None
        if size == 0:
            break
        if len(body) + size > limit:
            raise _ChunkedBodyError("request body too large")
        body += stream.read(size)
        stream.readline(3)
    while stream.readline(65537).strip():  # trailers
        pass
    return bytes(body)


class _Body:
    """wsgi.input for one request: at most Content-Length bytes, so the next request on a
    kept-alive connection starts where this body ends."""

    def __init__(self, stream: Any, length: int) -> None:
        self._stream = stream
        self.left = length

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > self.left:
            size = self.left
        data = self._stream.read(size) if size else b""
        self.left -= len(data)
        return bytes(data)

    def drain(self) -> None:
        while self.left and self.read(1024 * 1024):
            pass

    def readline(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > self.left:
            size = self.left
        data = self._stream.readline(size) if size else b""
        self.left -= len(data)
        return bytes(data)


class _Answer(ServerHandler):
    """wsgiref's ServerHandler, remembering whether an answer went out (a dropped one
    did not): its own ``headers_sent`` is reset when the request ends."""

    answered = False

    def send_headers(self) -> None:
        if self.request_handler.close_connection:  # type: ignore[attr-defined]
            self.headers["Connection"] = "close"  # type: ignore[attr-defined]  # no reuse
        super().send_headers()
        self.answered = True


class _Handler(WSGIRequestHandler):
    """wsgiref's handler, plus chunked request bodies and kept-alive connections, and
    without the access log."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    timeout = 60  # seconds an idle kept-alive connection stays open

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: the emulator is used by tests and benchmarks."""

    def handle(self) -> None:
        self.close_connection = True
        self._one_request()
        while not self.close_connection:
            self._one_request()

    def _one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except OSError:  # an idle connection timed out or the client went away
            self.close_connection = True
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        stdin: Any = self.rfile
        environ = self.get_environ()
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            try:
                body = _dechunk(self.rfile)
            except _ChunkedBodyError as exc:
                self.send_error(400, str(exc))
                return
            stdin, environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        else:
            stdin = self._body(environ)
        wfile: Any = self.wfile
        handler = _Answer(stdin, wfile, self.get_stderr(), environ, multithread=True)
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.http_version = self.request_version.removeprefix("HTTP/")
        handler.run(self.server.get_app())  # type: ignore[attr-defined]
        if not handler.answered:
            self.close_connection = True  # dropped after commit
        elif isinstance(stdin, _Body):
            stdin.drain()  # the app answered without reading all of the body

    def _body(self, environ: dict[str, Any]) -> Any:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            self.close_connection = True  # where this body ends is unknown
            return self.rfile
        return _Body(self.rfile, max(0, length))


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_emulator_server(host: str, port: int, app: EmulatorApp) -> ThreadingWSGIServer:
    """Bind (port 0 picks a free port; read it from ``server.server_address``)."""
    server = make_server(host, port, app, ThreadingWSGIServer, _Handler)
    assert isinstance(server, ThreadingWSGIServer)
    return server


def base_url(server: ThreadingWSGIServer) -> str:
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
