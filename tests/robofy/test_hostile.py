"""A server that drips its answer cannot hold the client past its answer deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kbsync.errors import NetworkError
from kbsync.robofy.client import RobofyClient
from tests.robofy.conftest import PID, SECRET


class _Dripper(BaseHTTPRequestHandler):
    requests = 0
    stop = threading.Event()

    def do_GET(self) -> None:
        type(self).requests += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            while not self.stop.is_set():  # one byte every 50 ms: each read is "in time"
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            return  # the client hung up, as it should

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def dripping_server() -> Iterator[str]:
    _Dripper.requests = 0
    _Dripper.stop.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Dripper)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    _Dripper.stop.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_slow_dripping_answer_is_cut_off_and_not_retried(dripping_server: str) -> None:
    with (
        RobofyClient(SECRET, PID, dripping_server, timeout=0.4) as client,
        pytest.raises(NetworkError, match=r"GET /v1/ai-agent/chatbot/7 .*took over 1.6 s"),
    ):
        client.list_agents()
    assert _Dripper.requests == 1
