"""Fixtures for the executor tests: a fresh World (emulator + real client) per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.executor.helpers import World


@pytest.fixture
def world() -> Iterator[World]:
    """The emulator in-process (WSGITransport) behind the real client."""
    w = World()
    yield w
    w.close()


@pytest.fixture(params=["inprocess", "loopback"])
def any_world(request: pytest.FixtureRequest) -> Iterator[World]:
    """The same, once in-process and once over loopback HTTP (127.0.0.1)."""
    w = World(loopback=request.param == "loopback")
    yield w
    w.close()
