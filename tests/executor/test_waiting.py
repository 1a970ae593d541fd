"""Waiting: a limit, then STILL_RUNNING outcomes naming what still runs; Ctrl-C keeps a summary."""

from __future__ import annotations

import io

import pytest

from kbsync.apply.executor import ApplyInterrupted
from kbsync.model import (
    ADD_TEXT,
    CRAWL,
    CREATE_AGENT,
    DONE,
    STILL_RUNNING,
    WAIT_CRAWL,
    ApplyResult,
    Outcome,
)
from kbsync.render.progress import make_progress
from tests.executor.helpers import World, agent, desired, marker, site, text


def _content(result: ApplyResult) -> list[Outcome]:
    return [o for o in result.outcomes if o.action.kind != CREATE_AGENT]


def test_processing_past_the_timeout_is_reported_still_running() -> None:
    world = World(processing_seconds=10_000)
    slow = text("slow", "takes forever")

    result = world.apply(desired(agent(texts=[slow])), wait_timeout=30)

    [outcome] = _content(result)
    assert outcome.status == STILL_RUNNING
    assert marker(slow) in outcome.message
    assert result.failed
    assert any("Stopped waiting after 30s" in note for note in result.notes)
    assert 30 <= world.now < 33  # waited the limit (on the emulator clock), not longer


def test_a_crawl_past_the_timeout_is_reported_still_running() -> None:
    world = World(crawl_pages_per_second=0.01)

    result = world.apply(
        desired(agent(sites=[site("https://docs.acme.example/")])), wait_timeout=60
    )

    [outcome] = _content(result)
    assert (outcome.action.kind, outcome.status) == (CRAWL, STILL_RUNNING)
    run_id = world.state()["crawl_runs"][0]["run_id"]
    assert f"crawl run {run_id} still running" in outcome.message


def test_polling_reads_each_agent_once_per_round_and_backs_off() -> None:
    world = World(processing_seconds=10.0)
    sleeps: list[float] = []

    def counting_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        world.sleep(seconds)

    texts = [text(f"t{i}", str(i)) for i in range(5)]
    world.api.create_agent({"name": "Agent support", "language": "en"})
    listed = world.by_route().get("GET /v1/ai-agent/chatbot_asset_link/{pid}/{cid}", 0)

    result = world.apply(desired(agent(texts=texts)), sleep=counting_sleep)

    assert [o.status for o in _content(result)] == [DONE] * 5
    assert sleeps[:5] == [0.25, 0.5, 1.0, 2.0, 2.0]
    assert max(sleeps) == 2.0
    polls = world.by_route()["GET /v1/ai-agent/chatbot_asset_link/{pid}/{cid}"] - listed
    assert polls == len(sleeps) + 1 + 1  # one per round, plus the plan's own read


def test_interrupted_while_waiting_reports_what_ran() -> None:
    world = World(processing_seconds=100.0)

    def interrupting_sleep(seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(ApplyInterrupted) as caught:
        world.apply(desired(agent(texts=[text("a", "1")])), sleep=interrupting_sleep)

    [outcome] = _content(caught.value.result)
    assert (outcome.action.kind, outcome.status) == (ADD_TEXT, STILL_RUNNING)
    assert isinstance(caught.value, KeyboardInterrupt)


def test_apply_reports_each_phase_as_plain_lines_off_a_terminal() -> None:
    world = World(processing_seconds=1.0)
    world.api.create_agent({"name": "Agent support", "language": "en"})
    out = io.StringIO()

    world.apply(desired(agent(texts=[text("a", "1")], prompt="p")), progress=make_progress(out))

    lines = out.getvalue().splitlines()
    assert lines[:2] == ["Updating agents: 0/1", "Updating agents: 1/1"]
    assert "Uploading and crawling: 1/1" in lines
    assert "Waiting: 1 processing" in lines
    assert lines[-1] == "Waiting: 1/1"


def test_a_crawl_running_at_plan_time_is_waited_for_not_repeated(world: World) -> None:
    docs = site("https://docs.acme.example/", max_pages=5)
    cid = world.api.create_agent({"name": "Agent support", "language": "en"})
    world.api.crawl(cid, docs)  # started elsewhere, no page linked yet

    result = world.apply(desired(agent(sites=[docs])))

    [outcome] = result.outcomes
    assert (outcome.action.kind, outcome.status) == (WAIT_CRAWL, DONE)
    assert outcome.message == "5 pages crawled"
    assert len(world.state()["crawl_runs"]) == 1
    assert world.plan(desired(agent(sites=[docs]))).actions == ()


class InterruptAfter:
    """A Progress that presses Ctrl-C after ``n`` completed jobs (it runs on the main thread)."""

    def __init__(self, n: int) -> None:
        self.left = n

    def start(self, total: int, label: str) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        self.left -= n
        if self.left <= 0:
            raise KeyboardInterrupt

    def update(self, message: str) -> None:
        pass

    def close(self) -> None:
        pass


def test_interrupted_uploads_cancel_what_has_not_started(world: World) -> None:
    world.api.create_agent({"name": "Agent support", "language": "en"})
    texts = [text(f"t{i}", str(i)) for i in range(20)]

    with pytest.raises(ApplyInterrupted) as caught:
        world.apply(desired(agent(texts=texts)), parallelism=2, progress=InterruptAfter(2))

    statuses = [o.status for o in caught.value.result.outcomes]
    posted = world.by_route()["POST /v1/ai-agent/link_content/{pid}"]
    assert posted < 20  # the rest were cancelled before they started
    assert statuses.count("skipped") >= 20 - posted
    assert all(
        o.message == "not run: apply was interrupted"
        for o in caught.value.result.outcomes
        if o.status == "skipped"
    )
