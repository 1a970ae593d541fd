"""Request economy of apply: an add whose answer already says ready is not polled again."""

from __future__ import annotations

from pathlib import Path

import httpx

from kbsync.apply.executor import apply_plan
from kbsync.desired.expand import load_desired_state
from kbsync.emulator import EmulatorConfig, create_app
from kbsync.model import DONE
from kbsync.plan.pipeline import plan_options, read_and_plan
from kbsync.robofy.client import RobofyClient

MANIFEST = """\
version: 1
project: 1
agents:
  bench:
    name: Bench
    knowledge:
      texts:
        - {name: one, content: first}
        - {name: two, content: second}
        - {name: three, content: third}
"""
LISTING = "GET /v1/ai-agent/chatbot_asset_link/{pid}/{cid}"


def _apply(tmp_path: Path, processing_seconds: float) -> tuple[list[str], dict[str, int]]:
    (tmp_path / "kbsync.yaml").write_text(MANIFEST)
    app = create_app(EmulatorConfig(processing_seconds=processing_seconds))
    transport = httpx.WSGITransport(app=app)
    client = RobofyClient("test-key", 1, "http://emulator.test", transport=transport)
    try:
        desired = load_desired_state(tmp_path / "kbsync.yaml", {})
        planned = read_and_plan(client, desired, plan_options(), parallelism=4)
        result = apply_plan(client, planned.plan, parallelism=4, sleep=lambda s: None)
    finally:
        client.close()
    by_route: dict[str, int] = app.state()["requests"]["by_route"]
    app.close()
    return [o.status for o in result.outcomes], by_route


def test_adds_answered_ready_are_not_polled(tmp_path: Path) -> None:
    statuses, by_route = _apply(tmp_path, processing_seconds=0)
    assert statuses.count(DONE) == 4  # the agent and its three texts
    # a new agent: nothing to read before, and nothing to poll after the adds
    assert by_route.get(LISTING, 0) == 0


def test_adds_still_processing_are_polled(tmp_path: Path) -> None:
    statuses, by_route = _apply(tmp_path, processing_seconds=0.2)
    assert statuses.count(DONE) == 4
    assert by_route.get(LISTING, 0) >= 1  # at least one poll
