"""Prunes wait for the new content: not sent with --no-wait or while an add/crawl still runs."""

from __future__ import annotations

from kbsync.model import ADD_TEXT, CRAWL, DELINK, DONE, SKIPPED, STILL_RUNNING
from tests.executor.helpers import World, agent, desired, marker, site, text

DOCS = "https://acme.example/docs/"
GUIDE = "https://acme.example/guide/"
DELINK_ROUTE = "DELETE /v1/ai-agent/chatbot_asset_delink"


def _pages(world: World, prefix: str) -> list[str]:
    return [n for n in world.linked_names() if n.startswith(prefix)]


def test_a_moved_site_keeps_its_old_pages_until_the_new_crawl_is_done() -> None:
    world = World()
    assert not world.apply(desired(agent(sites=[site(DOCS, max_pages=4)], prune="all"))).failed
    old_pages = _pages(world, DOCS)
    assert old_pages
    moved = desired(agent(sites=[site(GUIDE, max_pages=4)], prune="all"))

    result = world.apply(moved, wait=False, max_delete="100%")

    statuses = {(o.action.kind, o.status) for o in result.outcomes}
    assert statuses == {(CRAWL, DONE), (DELINK, SKIPPED)}
    skipped = [o.message for o in result.outcomes if o.action.kind == DELINK]
    assert all("not waited for (--no-wait)" in m for m in skipped)
    assert any("were skipped" in note and "support" in note for note in result.notes)
    assert world.by_route().get(DELINK_ROUTE, 0) == 0
    assert _pages(world, DOCS) == old_pages

    world.sleep(120)  # the crawl finishes
    assert not world.apply(moved, max_delete="100%").failed
    assert _pages(world, DOCS) == [] and _pages(world, GUIDE)


def test_an_add_still_processing_at_the_timeout_holds_the_prunes() -> None:
    world = World(processing_seconds=10_000)
    old = text("old", "retired")
    cid = world.api.create_agent({"name": "Agent support", "language": "en"})
    world.api.add_text(cid, marker(old), "retired")  # kbsync's, no longer declared

    result = world.apply(desired(agent(texts=[text("slow", "takes forever")])), wait_timeout=30)

    by_kind = {o.action.kind: o for o in result.outcomes}
    assert by_kind[ADD_TEXT].status == STILL_RUNNING
    assert by_kind[DELINK].status == SKIPPED
    assert "are not ready yet" in by_kind[DELINK].message
    assert world.by_route().get(DELINK_ROUTE, 0) == 0
    assert marker(old) in world.linked_names()


def test_an_agent_with_nothing_new_still_prunes_beside_one_that_waits() -> None:
    world = World(processing_seconds=5.0)
    gone_a, gone_b = text("gone-a", "1"), text("gone-b", "2")
    keep = text("keep", "kept")
    first = desired(agent("a", texts=[keep, gone_a]), agent("b", texts=[keep, gone_b]))
    assert not world.apply(first).failed
    second = desired(agent("a", texts=[keep, text("new", "3")]), agent("b", texts=[keep]))

    result = world.apply(second, wait=False)

    outcomes = {(o.action.agent, o.action.kind): o.status for o in result.outcomes}
    assert outcomes == {("a", ADD_TEXT): DONE, ("a", DELINK): SKIPPED, ("b", DELINK): DONE}
    assert marker(gone_a) in world.linked_names("Agent a")
    assert marker(gone_b) not in world.linked_names("Agent b")


def test_an_add_ready_on_upload_counts_as_confirmed_without_waiting() -> None:
    world = World(processing_seconds=0.0)
    gone, keep = text("gone", "1"), text("keep", "2")
    assert not world.apply(desired(agent(texts=[keep, gone]))).failed

    result = world.apply(desired(agent(texts=[keep, text("new", "3")])), wait=False)

    assert {(o.action.kind, o.status) for o in result.outcomes} == {
        (ADD_TEXT, DONE),
        (DELINK, DONE),
    }
    assert marker(gone) not in world.linked_names()
    assert [o.message for o in result.outcomes if o.action.kind == ADD_TEXT] == ["uploaded; ready"]


def test_a_superseded_version_goes_even_while_new_content_is_unconfirmed() -> None:
    world = World(processing_seconds=5.0)
    old, new = text("hours", "open 9-17"), text("hours", "open 8-16")
    assert not world.apply(desired(agent(texts=[old]))).failed
    assert not world.apply(desired(agent(texts=[new])), wait=False).failed
    world.sleep(10)  # the new version is ready now; the old one is still linked

    result = world.apply(desired(agent(texts=[new, text("extra", "x")])), wait=False)

    outcomes = {(o.action.kind, o.status) for o in result.outcomes}
    assert outcomes == {(ADD_TEXT, DONE), (DELINK, DONE)}
    assert marker(old) not in world.linked_names()
