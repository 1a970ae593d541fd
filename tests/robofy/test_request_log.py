"""The request log behind ``--verbose``: one line per attempt, the path with its ids,
status, milliseconds and the retry; never headers, bodies or the key."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import run_kbsync
from tests.robofy.conftest import SECRET, Harness, error, reply


def test_each_attempt_is_one_line_with_the_path_status_and_retry(
    harness: Callable[..., Harness], caplog: pytest.LogCaptureFixture
) -> None:
    answers = iter([error(503, "BUSY"), reply({"id": 7, "name": "Acme"})])

    def serve(request: httpx.Request) -> httpx.Response:
        return next(answers)

    h = harness(serve)
    with caplog.at_level(logging.INFO, logger="kbsync.requests"):
        h.client.get_project()
    lines = [r.getMessage() for r in caplog.records if r.name == "kbsync.requests"]
    assert lines == [
        "GET /v1/projects/7 -> HTTP 503 in 0 ms",
        "GET /v1/projects/7 -> HTTP 200 in 0 ms (retry 1)",
    ]
    assert not any(SECRET in line or "Bearer" in line for line in lines)


def test_verbose_logs_requests_to_stderr_and_is_quiet_without_it(tmp_path: Path) -> None:
    (tmp_path / "kbsync.yaml").write_text("version: 1\nproject: 1\nagents:\n  s:\n    name: S\n")
    verbose = run_kbsync("plan", "--sandbox", "--verbose", cwd=tmp_path)
    assert verbose.code == 0, verbose.both
    logged = [line for line in verbose.err.splitlines() if line.startswith("kbsync: GET ")]
    assert logged and logged[0].startswith("kbsync: GET /v1/ai-agent/chatbot/1 -> HTTP 200 in ")
    assert logged[0].endswith(" ms")
    quiet = run_kbsync("plan", "--sandbox", cwd=tmp_path)
    assert "kbsync: GET" not in quiet.err
