"""The API-key leak check for the whole test suite (imported by tests/conftest.py).

The suite's tests use a few distinctive API keys (``DISTINCTIVE_KEYS``, plus whatever
``ROBOFY_API_KEY`` holds when it looks like a real key). A test fails when any of them
shows up in

- its captured stdout or stderr (setup, call and teardown), or
- any log record emitted while it runs (``no_key_in_log_records``, autouse), including
  the text of exceptions attached to records.

Tests that pass the key to a subprocess check that process's output themselves (see
tests/security/test_key_leak.py), because a subprocess's output is only captured
here when a test prints it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Generator, Iterable, Iterator

import pytest

# every distinctive key value the suite uses; tests/security uses SECURITY_KEY
SECURITY_KEY = "kbsync-security-KEY-5e1f0c2d9b"
DISTINCTIVE_KEYS = (
    SECURITY_KEY,
    "kbsync-reliability-KEY-7f3a9c",  # tests/reliability
    "sk-live-SECRET-0123456789abcdef",  # tests/robofy
    "rk_live_0123456789abcdef",  # tests/manifest (a literal key in a manifest)
    "rk_live_secret123",  # tests/github
)
_MIN_ENV_KEY = 12  # shorter values ("test-key", "k-123") are too common to search for


def keys_to_look_for() -> tuple[str, ...]:
    env_key = os.environ.get("ROBOFY_API_KEY", "").strip()
    extra = (env_key,) if len(env_key) >= _MIN_ENV_KEY else ()
    return DISTINCTIVE_KEYS + extra


def leaked(texts: Iterable[str], keys: Iterable[str] | None = None) -> list[str]:
    """The keys found in any of ``texts``."""
    wanted = tuple(keys) if keys is not None else keys_to_look_for()
    joined = "\n".join(texts)
    return [key for key in wanted if key in joined]


class _Records(logging.Handler):
    """Formats every record it sees (level 0): message, arguments and exception text."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.texts: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.texts.append(self.format(record))
        except Exception as e:  # a broken record must not hide a leak elsewhere
            self.texts.append(f"unformattable record {record.msg!r}: {e}")


@pytest.fixture(autouse=True)
def no_key_in_log_records() -> Iterator[None]:
    """Fail the test when a log record emitted during it contains an API key.

    It only listens: logger levels are left as the test sets them (tests that turn on
    DEBUG logging, e.g. tests/security/test_key_leak.py, get their debug records checked)."""
    handler = _Records()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
    found = leaked(handler.texts)
    if found:
        pytest.fail(f"an API key appeared in a log record: {_masked(found)}", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Turn a passing phase into a failure when its captured output holds an API key."""
    report = yield
    # each phase's report repeats the earlier phases' sections: look at its own only
    found = leaked(text for title, text in report.sections if title.endswith(report.when))
    if found and report.passed:
        report.outcome = "failed"
        report.longrepr = f"an API key appeared in the captured output: {_masked(found)}"
    return report


def _masked(keys: list[str]) -> str:
    return ", ".join(f"{key[:6]}…" for key in keys)
