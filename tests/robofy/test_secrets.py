"""The API key never shows: not in repr, errors or logs (httpx's own DEBUG logs included)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from kbsync.errors import RobofyError
from kbsync.robofy.client import RobofyClient
from tests.robofy.conftest import PID, SECRET, Harness, error, reply


def test_repr_and_str_hide_the_key(harness: Callable[..., Harness]) -> None:
    h = harness(lambda request: reply({}))
    assert SECRET not in repr(h.client) and SECRET not in str(h.client)
    assert "project_id=7" in repr(h.client)


def test_the_key_is_sent_as_a_bearer_header(harness: Callable[..., Harness]) -> None:
    h = harness(lambda request: reply({"data": []}))
    h.client.list_agents()
    assert h.requests[0].headers["authorization"] == f"Bearer {SECRET}"


SCENARIOS: list[Callable[[httpx.Request], httpx.Response]] = [
    lambda r: error(401, "UNAUTHORIZED", f"key {SECRET} is not valid", f"Bad key {SECRET}"),
    lambda r: error(500, "INTERNAL_SERVER_ERROR", f"trace: Authorization: Bearer {SECRET}"),
    lambda r: reply({"message": SECRET}, 400),
    lambda r: httpx.Response(200, text=f"<html>{SECRET}</html>"),
]


def _raise_lost(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadError(f"lost talking to {SECRET}")


@pytest.mark.parametrize("serve", [*SCENARIOS, _raise_lost])
@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_persona("cb1"),
        lambda c: c.add_text("cb1", "x.md", "x"),
        lambda c: c.delink("cb1", [1]),
    ],
    ids=["GET", "POST", "DELETE"],
)
def test_no_error_shows_the_key(
    harness: Callable[..., Harness],
    serve: Callable[[httpx.Request], httpx.Response],
    call: Callable[[RobofyClient], object],
) -> None:
    h = harness(serve)
    with pytest.raises(RobofyError) as caught:
        call(h.client)
    err = caught.value
    for text in (str(err), repr(err), err.detail, err.code, err.endpoint, str(err.args)):
        assert SECRET not in text


def test_a_server_echoing_the_key_has_it_scrubbed_from_data_and_shapes(
    harness: Callable[..., Harness],
) -> None:
    h = harness(lambda request: reply({SECRET: 1, "quoted": f"x{SECRET}x"}))
    assert h.client.get_persona("cb1") == {"***": 1, "quoted": "x***x"}
    with pytest.raises(RobofyError) as caught:
        h.client.add_text("cb1", "x.md", "x")
    assert "top-level keys: ***, quoted" in str(caught.value)


# --- DEBUG logging over real loopback HTTP ------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    calls = 0

    def do_GET(self) -> None:
        _Handler.calls += 1
        if _Handler.calls == 1:  # one 429 and one 5xx, so retry logging runs too
            self._send(429, {"error": {"code": "RATE_LIMITED"}}, {"Retry-After": "0"})
        elif _Handler.calls == 2:
            self._send(503, {"error": {"code": "INTERNAL_SERVER_ERROR"}})
        else:
            self._send(200, {"data": {"items": [{"chatbot_id": "c", "name": "n"}]}})

    def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_debug_logs_never_show_the_key(loopback: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with RobofyClient(SECRET, PID, loopback, sleep=lambda s: None) as client:
        assert [a.chatbot_id for a in client.list_agents()] == ["c"]
    names = {record.name.split(".")[0] for record in caplog.records}
    assert {"httpx", "httpcore", "kbsync"} <= names  # the loggers really ran at DEBUG
    assert any("rate limited" in r.getMessage() for r in caplog.records)
    assert SECRET not in caplog.text
    assert all(SECRET not in r.getMessage() for r in caplog.records)
