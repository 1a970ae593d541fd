"""Make-before-break: the old version stays linked until the new one is ready."""

from __future__ import annotations

import pytest

from kbsync.model import DELINK, DONE, FAILED_OUTCOME, REPLACE_TEXT
from tests.executor.helpers import World, agent, desired, marker, text


def _status_of(world: World, name: str) -> list[str]:
    return [lk["status"] for lk in world.linked() if lk["asset_name"] == name]


def test_the_old_version_stays_linked_while_the_new_one_processes(dialect: str) -> None:
    world = World(processing_seconds=5.0, dialect=dialect)
    old, new = text("hours", "Mon-Fri"), text("hours", "Mon-Sat")
    assert not world.apply(desired(agent(texts=[old]))).failed
    seen: list[tuple[list[str], list[str]]] = []

    def watching_sleep(seconds: float) -> None:
        seen.append((_status_of(world, marker(old)), _status_of(world, marker(new))))
        world.sleep(seconds)

    result = world.apply(desired(agent(texts=[new])), sleep=watching_sleep)

    [replace] = result.outcomes
    assert (replace.action.kind, replace.status) == (REPLACE_TEXT, DONE)
    assert seen and all(old_states == ["Active"] for old_states, _ in seen)
    assert all(new_states == ["Processing"] for _, new_states in seen)
    assert world.linked_names() == [marker(new)]


def test_a_new_version_that_fails_processing_keeps_the_old_one(dialect: str) -> None:
    world = World(dialect=dialect)
    old, bad = text("hours", "Mon-Fri"), text("hours", "EMULATOR_FAIL_PROCESSING")
    assert not world.apply(desired(agent(texts=[old]))).failed
    delinks_before = world.by_route().get("DELETE /v1/ai-agent/chatbot_asset_delink", 0)

    result = world.apply(desired(agent(texts=[bad])))

    [replace] = result.outcomes
    assert replace.status == FAILED_OUTCOME
    assert "old version is kept" in replace.message
    assert result.failed
    assert _status_of(world, marker(old)) == ["Active"]
    assert _status_of(world, marker(bad)) == ["Failed"]
    delinks = world.by_route().get("DELETE /v1/ai-agent/chatbot_asset_delink", 0)
    assert delinks == delinks_before


def test_without_waiting_the_old_version_stays_until_the_next_apply() -> None:
    world = World(processing_seconds=5.0)
    old, new = text("hours", "Mon-Fri"), text("hours", "Mon-Sat")
    assert not world.apply(desired(agent(texts=[old]))).failed

    result = world.apply(desired(agent(texts=[new])), wait=False)

    [replace] = result.outcomes
    assert replace.status == DONE
    assert "old version stays linked" in replace.message
    assert any("--no-wait" in note for note in result.notes)
    assert sorted(world.linked_names()) == sorted([marker(old), marker(new)])
    world.sleep(10)
    assert not world.apply(desired(agent(texts=[new]))).failed
    assert world.linked_names() == [marker(new)]


@pytest.mark.parametrize(
    ("prune", "allow_delink"), [("none", True), ("managed", False), ("all", False)]
)
def test_a_replacement_left_unfinished_is_finished_whatever_the_prune_mode(
    prune: str, allow_delink: bool
) -> None:
    world = World(processing_seconds=5.0)
    old, new = text("hours", "open 9-17"), text("hours", "open 8-16")
    assert not world.apply(desired(agent(texts=[old], prune=prune))).failed
    assert not world.apply(desired(agent(texts=[new], prune=prune)), wait=False).failed
    assert sorted(world.linked_names()) == sorted([marker(old), marker(new)])
    world.sleep(10)

    result = world.apply(
        desired(agent(texts=[new], prune=prune)), allow_delink=allow_delink, max_delete="0"
    )

    [finish] = result.outcomes
    assert (finish.action.kind, finish.action.superseded, finish.status) == (DELINK, True, DONE)
    assert world.linked_names() == [marker(new)]
    again = world.plan(desired(agent(texts=[new], prune=prune)), allow_delink=allow_delink)
    assert not again.has_changes
