"""Guards: refused plans send nothing; a failed add, replace or crawl skips every delink."""

from __future__ import annotations

import httpx
import pytest

from kbsync.apply.executor import apply_plan
from kbsync.errors import GuardError
from kbsync.model import ADD_TEXT, DELINK, DONE, FAILED_OUTCOME, REPLACE_TEXT, SKIPPED
from tests.executor.helpers import World, agent, desired, marker, text

DELINK_ROUTE = "DELETE /v1/ai-agent/chatbot_asset_delink"
LISTING_ROUTE = "GET /v1/ai-agent/chatbot_asset_link/{pid}/{cid}"


def test_a_plan_over_max_delete_is_refused_with_zero_writes(world: World) -> None:
    four = [text(n, n) for n in "abcd"]
    assert not world.apply(desired(agent(texts=four))).failed
    plan = world.plan(desired(agent(texts=four[:1])))  # 3 of 4 delinked: more than half
    assert plan.refusals
    writes = world.writes()

    with pytest.raises(GuardError):
        apply_plan(world.api, plan, sleep=world.sleep, clock=world.clock)

    assert world.writes() == writes
    assert len(world.linked()) == 4


def test_max_delete_can_be_lifted(world: World) -> None:
    four = [text(n, n) for n in "abcd"]
    assert not world.apply(desired(agent(texts=four))).failed

    result = world.apply(desired(agent(texts=four[:1])), max_delete="100%")

    assert [o.status for o in result.outcomes] == [DONE] * 3
    assert world.linked_names() == [marker(four[0])]


def test_an_agent_whose_knowledge_expanded_to_nothing_is_refused(world: World) -> None:
    two = [text("a", "1"), text("b", "2")]
    assert not world.apply(desired(agent(texts=two))).failed
    empty = desired(agent(declares_knowledge=True))  # e.g. a docs folder that is now empty
    plan = world.plan(empty, max_delete="100%")
    assert plan.refusals
    writes = world.writes()

    with pytest.raises(GuardError):
        apply_plan(world.api, plan, sleep=world.sleep, clock=world.clock)

    assert world.writes() == writes
    assert len(world.linked()) == 2


def test_a_failed_add_skips_every_delink(world: World) -> None:
    a, b, c = text("a", "1"), text("b", "2"), text("c", "3")
    assert not world.apply(desired(agent(texts=[a, b, c]))).failed
    delinks = world.by_route().get(DELINK_ROUTE, 0)
    broken = text("new", "EMULATOR_FAIL_PROCESSING")  # processing fails on the emulator
    changed = text("c", "3 changed")  # its new version gets ready: still its old one stays

    result = world.apply(desired(agent(texts=[a, changed, broken])))

    by_kind = {o.action.kind: o for o in result.outcomes}
    assert by_kind[ADD_TEXT].status == FAILED_OUTCOME
    assert by_kind[DELINK].status == SKIPPED  # b, no longer declared, is kept
    assert by_kind[REPLACE_TEXT].status == SKIPPED
    assert "new version ready" in by_kind[REPLACE_TEXT].message
    assert any("delinks were skipped" in note for note in result.notes)
    assert world.by_route().get(DELINK_ROUTE, 0) == delinks
    assert marker(b) in world.linked_names()
    assert marker(c) in world.linked_names()


def test_a_rejected_upload_also_skips_every_delink(world: World) -> None:
    a, b = text("a", "1"), text("b", "2")
    assert not world.apply(desired(agent(texts=[a, b]))).failed
    too_big = text("huge", "x" * 1_000_001)  # over the text limit: a 400 from Robofy

    result = world.apply(desired(agent(texts=[a, too_big])))

    statuses = {o.action.kind: o.status for o in result.outcomes}
    assert statuses == {ADD_TEXT: FAILED_OUTCOME, DELINK: SKIPPED}
    assert marker(b) in world.linked_names()


def test_an_agent_that_cannot_be_created_skips_its_actions_and_all_delinks(world: World) -> None:
    a, b = text("a", "1"), text("b", "2")
    assert not world.apply(desired(agent("support", texts=[a, b]))).failed
    broken = agent("sales", texts=[text("c", "3")], prompt="Sell.")
    too_long = "x" * 2001  # Robofy answers 400
    broken = broken._replace(profile={**broken.profile, "description": too_long})

    result = world.apply(desired(agent("support", texts=[a]), broken))

    statuses = [(o.action.agent, o.action.kind, o.status) for o in result.outcomes]
    assert statuses == [
        ("support", DELINK, SKIPPED),
        ("sales", "create_agent", FAILED_OUTCOME),
        ("sales", "update_prompt", SKIPPED),
        ("sales", ADD_TEXT, SKIPPED),
    ]
    assert "could not be created" in result.outcomes[2].message
    assert marker(b) in world.linked_names()


def test_a_delink_for_an_agent_deleted_meanwhile_fails_after_one_look(world: World) -> None:
    a, b = text("a", "1"), text("b", "2")
    assert not world.apply(desired(agent(texts=[a, b]))).failed
    plan = world.plan(desired(agent(texts=[a])))
    cid = plan.agent_ids["support"]
    with httpx.Client(
        transport=httpx.WSGITransport(app=world.app),
        base_url="http://emulator.test",
        headers={"Authorization": "Bearer test-key"},
    ) as http:  # someone deletes the agent on the dashboard
        assert http.delete(f"/v1/ai-agent/chatbot/1/{cid}").status_code == 200
    listings = world.by_route().get(LISTING_ROUTE, 0)

    result = apply_plan(world.api, plan, sleep=world.sleep, clock=world.clock)

    [outcome] = result.outcomes
    assert (outcome.action.kind, outcome.status) == (DELINK, FAILED_OUTCOME)
    assert "not found" in outcome.message
    assert world.by_route().get(LISTING_ROUTE, 0) == listings + 1  # the client's look only
