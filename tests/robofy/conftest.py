"""Fixtures for the client tests: a client over httpx.MockTransport that records everything."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from kbsync.robofy.client import RobofyClient

SECRET = "sk-live-SECRET-0123456789abcdef"
PID = 7

Handler = Callable[[httpx.Request], httpx.Response]


class Harness:
    """A RobofyClient whose transport is a handler; requests and sleeps are recorded."""

    def __init__(self, handler: Handler, **options: Any) -> None:
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []
        self.now = 0.0
        self.on_sleep: list[Callable[[float], None]] = []  # hooks run before time moves on
        self._handler = handler
        options.setdefault("rng", random.Random(1))
        self.client = RobofyClient(
            SECRET,
            PID,
            "https://robofy.test",
            transport=httpx.MockTransport(self._serve),
            sleep=self._sleep,
            clock=lambda: self.now,
            **options,
        )

    def _serve(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self._handler(request)

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        hooks, self.on_sleep = self.on_sleep, []
        for hook in hooks:
            hook(seconds)
        self.now += seconds

    def count(self, method: str, path_part: str = "") -> int:
        return sum(1 for r in self.requests if r.method == method and path_part in r.url.path)

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def error(status: int, code: str, detail: str = "", message: str = "Error") -> httpx.Response:
    return reply({"message": message, "error": {"code": code, "detail": detail}}, status)


@pytest.fixture
def harness() -> Iterator[Callable[..., Harness]]:
    made: list[Harness] = []

    def make(handler: Handler, **options: Any) -> Harness:
        made.append(Harness(handler, **options))
        return made[-1]

    yield make
    for h in made:
        h.client.close()


# --- RobofyClient on the real emulator -------------------------------------------------------

EMULATOR_KEY = "test-key"  # tests/conftest.py's emulator accepts it for project 1


def emulator_robofy(app: Any, base_url: str | None = None, **options: Any) -> RobofyClient:
    """A RobofyClient on ``app``: in-process (WSGITransport) or over loopback at ``base_url``."""
    if base_url is None:
        transport = httpx.WSGITransport(app=app)
        return RobofyClient(
            EMULATOR_KEY, 1, "http://emulator.local", transport=transport, **options
        )
    return RobofyClient(EMULATOR_KEY, 1, base_url, timeout=10.0, **options)


@pytest.fixture(params=["inprocess", "loopback"])
def robofy(request: pytest.FixtureRequest, emulator_app: Any) -> Iterator[tuple[RobofyClient, Any]]:
    """(RobofyClient, emulator app), once in-process and once over loopback HTTP."""
    from kbsync.emulator import BackgroundServer

    server = BackgroundServer(emulator_app) if request.param == "loopback" else None
    client = emulator_robofy(
        emulator_app, server.base_url if server else None, sleep=lambda s: None
    )
    try:
        yield client, emulator_app
    finally:
        client.close()
        if server is not None:
            server.close()
