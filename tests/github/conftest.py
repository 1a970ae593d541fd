"""Fixtures for the GitHub integration tests: a fake GitHub API on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.github.fake_github import FakeGitHub, serve


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with serve(FakeGitHub()) as fake:
        yield fake
