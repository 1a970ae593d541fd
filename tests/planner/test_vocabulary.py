"""The model's typed vocabulary: one Enum per closed set of words, read-only shared defaults."""

from __future__ import annotations

import json

import pytest

from kbsync.model import (
    CRAWL,
    DELINK,
    DONE,
    FAILED,
    FAILED_OUTCOME,
    Action,
    ActionKind,
    AssetState,
    DelinkReason,
    DesiredAgent,
    DesiredState,
    Plan,
    PruneMode,
    RemoteAgent,
    Status,
)


def test_each_word_is_its_own_string_in_output() -> None:
    assert (f"{DONE}", str(CRAWL), f"{CRAWL:>6}") == ("done", "crawl", " crawl")
    assert json.dumps([DONE, CRAWL, FAILED, PruneMode.ALL]) == '["done", "crawl", "failed", "all"]'
    assert {"done": 1}[DONE] == 1 and ActionKind("delink") is DELINK


def test_an_asset_state_and_an_outcome_are_different_words() -> None:
    assert type(FAILED) is AssetState and type(FAILED_OUTCOME) is Status
    assert FAILED is AssetState.FAILED and FAILED_OUTCOME is Status.FAILED


def test_a_delink_has_exactly_one_reason() -> None:
    def delink(reason: DelinkReason) -> Action:
        return Action("a", DELINK, "r", linkage_ids=(1,), delink_reason=reason)

    flags = {
        reason: (
            delink(reason).is_prune,
            delink(reason).superseded,
            delink(reason).holds_no_content,
        )
        for reason in DelinkReason
    }
    assert flags == {
        DelinkReason.PRUNE: (True, False, False),
        DelinkReason.SUPERSEDED: (False, True, False),
        DelinkReason.FAILED_COPY: (False, False, True),
    }
    assert not Action("a", CRAWL, "r").is_prune  # only a delink prunes


@pytest.mark.parametrize(
    "value",
    [
        DesiredAgent("k", "n").profile,
        DesiredAgent("k", "n").settings,
        RemoteAgent("cb", "n").profile,
        Plan(1, ()).agent_ids,
        DesiredState(1, (), __file__, "fp").file_fingerprints,  # type: ignore[arg-type]
    ],
)
def test_mapping_defaults_are_read_only_so_never_shared_state(value: object) -> None:
    with pytest.raises(TypeError):
        value["x"] = 1  # type: ignore[index]
    assert DesiredAgent("k", "n").prune is PruneMode.MANAGED
