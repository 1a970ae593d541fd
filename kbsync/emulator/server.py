"""Serving the app over loopback HTTP: a threaded wsgiref server.

A request the app drops after commit raises ConnectionResetError out of the app; wsgiref's
handler then returns without writing anything and the socket is closed, so the client sees
the connection end with no response.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Callable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from kbsync.emulator.app import EmulatorApp, create_app
from kbsync.emulator.config import EmulatorConfig


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log: the emulator is used by tests and benchmarks."""


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_emulator_server(host: str, port: int, app: EmulatorApp) -> ThreadingWSGIServer:
    """Bind (port 0 picks a free port; read it from ``server.server_address``)."""
    server = make_server(host, port, app, ThreadingWSGIServer, _QuietHandler)
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
    if seed_demo:
        app.seed_demo(min(app._all_projects(), default=1))
    server = make_emulator_server(host, port, app)
    try:
        if ready is not None:
            ready(base_url(server))
        server.serve_forever()
    finally:
        server.server_close()
        app.close()
