"""Fixtures for the executor tests: a fresh World (emulator + real client) per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import chosen_dialect
from tests.executor.helpers import World


@pytest.fixture
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    """The emulator in-process (WSGITransport) behind the real client (in the test's
    ``dialect`` when it names that fixture)."""
    w = World(dialect=chosen_dialect(request))
    yield w
    w.close()


@pytest.fixture(params=["inprocess", "loopback"])
def any_world(request: pytest.FixtureRequest) -> Iterator[World]:
    """The same, once in-process and once over loopback HTTP (127.0.0.1)."""
    w = World(loopback=request.param == "loopback", dialect=chosen_dialect(request))
    yield w
    w.close()
