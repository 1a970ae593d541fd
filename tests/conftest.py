"""Shared emulator fixtures for every test folder.

- ``emulator_app``: a fresh in-process emulator (``EmulatorApp``) with a MANUAL clock (it
  starts at 2026-01-01 00:00:00 UTC and moves only via ``app.advance_clock(seconds)``),
  ``processing_seconds=0`` (new texts/files are "Active" at once) and a crawl pace of
  ``EMULATOR_TEST_PACE`` pages per emulator second. Key ``test-key`` -> project 1; project 2
  exists too (key ``other-key``), so 403 paths can be tested.
- ``emulator_client``: ``httpx.Client`` on ``emulator_app`` through ``httpx.WSGITransport``,
  base URL ``http://emulator.local``, ``Authorization: Bearer test-key``.
- ``emulator_server``: ``emulator_app`` served over real loopback HTTP on a free port; has
  ``.base_url`` (``http://127.0.0.1:PORT``) and ``.app``.
- ``emulator_http``: parametrized over ``["inprocess", "loopback"]``; yields
  ``(client, app)`` with an authorised ``httpx.Client`` for the same tests over both.
- ``dialect``: parametrized over ``DIALECTS`` (``canonical``, ``documented``). A test opts in
  to running in every emulator dialect by naming it: ``emulator_app`` (and every fixture built
  on it, and the executor's ``world``) then answers in that dialect. A client for a documented
  emulator reads statuses with ``DIALECT_STATUSES[dialect]`` (the `api:` section a user of
  such an account writes: files settle at ``Linked``).

Inspect what happened through ``app.state()`` (the dict ``GET /_emulator/state`` answers:
agents, settings, personas, assets, linkages with ``linked``, crawl_runs, request counts
under ``state["requests"]["by_route"]["METHOD /route/{template}"]``). Inject faults with
``app.set_faults(latency_ms=..., fail_rate=..., rate_limit_rps=...,
drop_after_commit_rate=..., seed=...)``; ``app.seed_demo()`` creates a dashboard-made agent.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from kbsync.emulator import BackgroundServer, EmulatorApp, EmulatorConfig, create_app
from kbsync.model import READY

# the suite-wide API-key leak check (tests/security/leakcheck.py): a hook and an autouse fixture
from tests.security.leakcheck import (  # noqa: F401
    no_key_in_log_records,
    pytest_runtest_makereport,
)

EMULATOR_TEST_KEY = "test-key"
EMULATOR_TEST_PACE = 20.0  # simulated pages per emulator second
EMULATOR_TEST_CONFIG = EmulatorConfig(
    api_keys={EMULATOR_TEST_KEY: (1,), "other-key": (2,)},
    manual_clock=True,
    processing_seconds=0.0,
    crawl_pages_per_second=EMULATOR_TEST_PACE,
)
INPROCESS_BASE_URL = "http://emulator.local"
DIALECTS = ("canonical", "documented")
DIALECT_STATUSES: dict[str, dict[str, str]] = {"canonical": {}, "documented": {"linked": READY}}
DIALECT_MANIFEST_API = {"canonical": "", "documented": "api: {ready_statuses: [Linked]}\n"}


@pytest.fixture(params=DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    """Name this fixture to run a test in every emulator dialect (see the docstring)."""
    return str(request.param)


def chosen_dialect(request: pytest.FixtureRequest) -> str:
    """The dialect the test opted into by naming ``dialect``; canonical otherwise."""
    if "dialect" in request.fixturenames:
        return str(request.getfixturevalue("dialect"))
    return "canonical"


def emulator_http_client(
    app: EmulatorApp, base_url: str | None = None, key: str = EMULATOR_TEST_KEY
) -> httpx.Client:
    """An authorised client: in-process through WSGITransport, or over HTTP to ``base_url``."""
    headers = {"Authorization": f"Bearer {key}"}
    if base_url is None:
        transport = httpx.WSGITransport(app=app)
        return httpx.Client(transport=transport, base_url=INPROCESS_BASE_URL, headers=headers)
    return httpx.Client(base_url=base_url, headers=headers, timeout=10.0)


@pytest.fixture
def emulator_app(request: pytest.FixtureRequest) -> Iterator[EmulatorApp]:
    """A fresh in-memory emulator with a manual clock (see the module docstring)."""
    app = create_app(EMULATOR_TEST_CONFIG._replace(dialect=chosen_dialect(request)))
    yield app
    app.close()


@pytest.fixture
def emulator_client(emulator_app: EmulatorApp) -> Iterator[httpx.Client]:
    """``httpx.Client`` on ``emulator_app`` in-process, authorised as ``test-key``."""
    with emulator_http_client(emulator_app) as client:
        yield client


@pytest.fixture
def emulator_server(emulator_app: EmulatorApp) -> Iterator[BackgroundServer]:
    """``emulator_app`` served on 127.0.0.1 (free port): ``.base_url``, ``.app``."""
    server = BackgroundServer(emulator_app)
    yield server
    server.close()


@pytest.fixture(params=["inprocess", "loopback"])
def emulator_http(
    request: pytest.FixtureRequest, emulator_app: EmulatorApp
) -> Iterator[tuple[httpx.Client, EmulatorApp]]:
    """(authorised client, app), once in-process and once over loopback HTTP."""
    if request.param == "inprocess":
        with emulator_http_client(emulator_app) as client:
            yield client, emulator_app
        return
    server = BackgroundServer(emulator_app)
    try:
        with emulator_http_client(emulator_app, server.base_url) as client:
            yield client, emulator_app
    finally:
        server.close()
