"""A requested recrawl of a site whose crawl is already running waits instead of crawling twice."""

from __future__ import annotations

from kbsync.model import CRAWL, WAIT_CRAWL
from kbsync.plan.pipeline import plan_options, read_and_plan
from tests.executor.helpers import MANUAL_EPOCH, World, agent, desired, site


def test_recrawl_of_a_running_crawl_is_a_wait(world: World) -> None:
    docs = site("https://docs.example.test/", max_pages=5)
    state = desired(agent(sites=[docs]))
    assert not world.apply(state).failed
    chatbot_id = world.state()["agents"][0]["chatbot_id"]
    world.api.crawl(chatbot_id, docs)  # someone started a crawl; it is still running

    options = plan_options(recrawl=["all"], now=MANUAL_EPOCH + world.now)
    planned = read_and_plan(world.api, state, options, parallelism=2)

    kinds = [a.kind for a in planned.plan.actions]
    assert kinds == [WAIT_CRAWL]


def test_recrawl_without_a_running_crawl_crawls(world: World) -> None:
    docs = site("https://docs.example.test/", max_pages=5)
    state = desired(agent(sites=[docs]))
    assert not world.apply(state).failed

    options = plan_options(recrawl=["all"], now=MANUAL_EPOCH + world.now)
    planned = read_and_plan(world.api, state, options, parallelism=2)

    assert [a.kind for a in planned.plan.actions] == [CRAWL]
