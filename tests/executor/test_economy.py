"""Economy: exactly which requests a no-op read sends."""

from __future__ import annotations

from kbsync.inventory import read_inventory
from tests.executor.helpers import World, agent, desired, site, text

LIST_AGENTS = "GET /v1/ai-agent/chatbot/{pid}"
SETTINGS = "GET /v1/ai-agent/chatbot_ai_settings/{pid}/{cid}"
PERSONA = "GET /v1/ai-agent/persona/{pid}/{cid}"
LINKAGES = "GET /v1/ai-agent/chatbot_asset_link/{pid}/{cid}"
CRAWLS = "GET /v1/ai-agent/crawl_status/{pid}/{cid}"


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}


def test_a_no_op_read_sends_exactly_the_documented_requests(any_world: World, dialect: str) -> None:
    world = any_world
    docs = site("https://docs.acme.example/", max_pages=5)
    want = desired(
        agent("support", texts=[text("a", "1")], sites=[docs], persona={"name": "Ava"}),
        agent("sales", texts=[text("b", "2")], prompt="Sell."),
        agent("ops"),
    )
    assert not world.apply(want).failed
    before = world.by_route()

    plan = world.plan(want)

    assert plan.actions == ()
    assert _delta(before, world.by_route()) == {
        LIST_AGENTS: 1,
        SETTINGS: 3,  # one per agent
        PERSONA: 1,  # only the agent that declares a persona
        LINKAGES: 3,  # one page each
    }


def test_linked_assets_are_read_page_by_page(world: World) -> None:
    cid = world.api.create_agent({"name": "Agent support", "language": "en"})
    for i in range(201):  # the client asks for 200 per page
        world.api.add_text(cid, f"dashboard-{i}.txt", "x")
    before = world.by_route()

    read_inventory(world.api, desired(agent("support", prune="none")))

    assert _delta(before, world.by_route()) == {LIST_AGENTS: 1, SETTINGS: 1, LINKAGES: 2}


def test_crawl_runs_are_read_only_for_a_site_without_pages(world: World) -> None:
    docs = site("https://docs.acme.example/", max_pages=3)
    shop = site("https://shop.acme.example/", max_pages=3)
    cid = world.api.create_agent({"name": "Agent support", "language": "en"})
    world.api.crawl(cid, docs)
    world.sleep(60)  # the docs crawl finishes; the shop site was never crawled
    before = world.by_route()

    inventory = read_inventory(world.api, desired(agent("support", sites=[docs, shop])))

    assert _delta(before, world.by_route()) == {
        LIST_AGENTS: 1,
        SETTINGS: 1,
        LINKAGES: 1,
        CRAWLS: 1,
    }
    assert inventory.states["support"].crawls is not None


def test_an_agent_without_a_match_costs_nothing_beyond_the_listing(world: World) -> None:
    owned = text("a", "1")
    world.api.create_agent({"name": "someone else", "language": "en"})
    before = world.by_route()

    inventory = read_inventory(world.api, desired(agent("support", texts=[owned])))

    assert inventory.states == {}
    assert _delta(before, world.by_route()) == {LIST_AGENTS: 1}


def test_only_the_named_agents_are_read(world: World) -> None:
    want = desired(agent("support", texts=[text("a", "1")]), agent("sales"))
    assert not world.apply(want).failed
    before = world.by_route()

    inventory = read_inventory(world.api, want, agents=["sales"])

    assert set(inventory.states) == {"sales"}
    assert _delta(before, world.by_route()) == {LIST_AGENTS: 1, SETTINGS: 1, LINKAGES: 1}
