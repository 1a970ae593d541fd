"""Hostile server answers: the client, and `kbsync plan` as a process, end with a clear
error inside their timeouts: never a hang, never a traceback, never a wrong success.

Every mode of tests/security/hostile.py is tried against a paginated read (list agents)
and a write (add a text, whose unknown outcome makes the client re-read), with short
client timeouts (0.3 s per read, so 1.2 s for a whole answer) and no real sleeping.
Each call runs in a thread the test waits for with a timeout, so a hang fails the test
instead of stalling the suite. The request count must stay bounded (retries are capped).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kbsync.errors import RobofyError
from kbsync.robofy.client import RobofyClient
from tests.reliability.processes import run_kbsync
from tests.security.hostile import MODES, HostileServer
from tests.security.leakcheck import SECURITY_KEY

HANG = 60.0  # seconds: far beyond every timeout the client was given
MAX_PAGES = 50
RETRIES = 2

CALLS: dict[str, Callable[[RobofyClient], object]] = {
    "list-agents": lambda client: client.list_agents(),
    "add-text": lambda client: client.add_text("cb1", "hello~kb1t~0123456789abcdef.txt", "Hi."),
}


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.close()


def _within(call: Callable[[], object]) -> object:
    """What ``call`` returned or raised; fails the test when it does not end in HANG s."""
    box: list[object] = []

    def run() -> None:
        try:
            box.append(call())
        except BaseException as e:
            box.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive(), f"the client hung for over {HANG:g} s"
    return box[0]


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("mode", sorted(MODES))
def test_the_client_ends_with_a_clear_error(hostile: HostileServer, mode: str, call: str) -> None:
    hostile.mode = mode
    hostile.requests = 0
    client = RobofyClient(
        SECURITY_KEY,
        1,
        hostile.base_url,
        timeout=0.3,
        max_retries=RETRIES,
        sleep=lambda seconds: None,
        max_pages=MAX_PAGES,
    )
    with client:
        outcome = _within(lambda: CALLS[call](client))
    assert isinstance(outcome, RobofyError), f"{mode}: {outcome!r}"
    message = str(outcome)
    assert "/v1/" in message, message  # names the endpoint
    assert len(message) < 2000 and "Traceback" not in message
    assert hostile.requests <= MAX_PAGES + 3 * (RETRIES + 1) * 3  # retries are bounded


PLAN_CASES = ("non-json-200", "html-404", "deeply-nested-json")


@pytest.mark.parametrize("mode", PLAN_CASES)
def test_kbsync_plan_ends_with_a_clear_error(
    hostile: HostileServer, tmp_path: Path, mode: str
) -> None:
    hostile.mode = mode
    (tmp_path / "kbsync.yaml").write_text(
        "version: 1\nproject: 1\nagents:\n  a:\n    name: A\n"
        "    knowledge:\n      texts:\n        - {name: t, content: hello}\n"
    )
    run = run_kbsync(hostile.base_url, tmp_path, "plan", key=SECURITY_KEY, timeout=HANG)
    assert run.code == 1, run.out + run.err
    assert run.err.startswith("Error: ") or "\nError: " in run.err, run.err
    assert "internal error" not in run.err, run.err


def test_kbsync_plan_refuses_a_retry_after_past_its_budget_at_once(
    hostile: HostileServer, tmp_path: Path
) -> None:
    hostile.mode = "retry-after-forever"
    (tmp_path / "kbsync.yaml").write_text("version: 1\nproject: 1\nagents:\n  a:\n    name: A\n")
    args = ("plan", "--rate-limit-budget", "30")
    run = run_kbsync(hostile.base_url, tmp_path, *args, key=SECURITY_KEY, timeout=HANG)
    assert run.code == 1, run.out + run.err
    assert "Retry-After '999999999'" in run.err and "30 s left of 30 s" in run.err, run.err
    assert "/v1/" in run.err


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_the_rate_limit_budget_flag_refuses_endless_values(tmp_path: Path, value: str) -> None:
    (tmp_path / "kbsync.yaml").write_text("version: 1\nproject: 1\nagents:\n  a:\n    name: A\n")
    run = run_kbsync("http://127.0.0.1:9", tmp_path, "plan", "--rate-limit-budget", value)
    assert run.code == 1 and "--rate-limit-budget" in run.err, run.err
