"""Fixtures for the executor tests: a fresh World (emulator + real client) per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.executor.helpers import World


@pytest.fixture
def world() -> Iterator[World]:
    w = World()
    yield w
    w.api.close()
