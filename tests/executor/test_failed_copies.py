"""Content that keeps failing processing leaves at most one failed copy linked."""

from __future__ import annotations

from kbsync.model import DELINK, DONE, FAILED_OUTCOME, REPLACE_TEXT, SKIPPED
from tests.executor.helpers import World, agent, desired, marker, text


def _status_of(world: World, name: str) -> list[str]:
    return [lk["status"] for lk in world.linked() if lk["asset_name"] == name]


def test_a_failing_replacement_does_not_pile_up_failed_copies() -> None:
    world = World()
    old, extra = text("hours", "Mon-Fri"), text("extra", "Also this")
    bad = text("hours", "Mon-Sat EMULATOR_FAIL_PROCESSING")
    assert not world.apply(desired(agent(texts=[old, extra]))).failed
    results = [world.apply(desired(agent(texts=[bad]))) for _ in range(3)]

    for result in results:
        [replace] = [o for o in result.outcomes if o.action.kind == REPLACE_TEXT]
        assert replace.status == FAILED_OUTCOME
        assert replace.action.linkage_ids  # the ready old version, never a failed copy
        assert result.failed
    # the later runs delinked the previous failed copy despite the failed replacement
    for result in results[1:]:
        failed_copies = [o for o in result.outcomes if o.action.holds_no_content]
        assert [(o.action.kind, o.status) for o in failed_copies] == [(DELINK, DONE)]
        # an ordinary prune (extra left the manifest) still waits for a clean run
        [prune] = [o for o in result.outcomes if o.action.label.startswith("text:extra")]
        assert prune.status == SKIPPED
    assert _status_of(world, marker(bad)) == ["Failed"]
    assert _status_of(world, marker(old)) == ["Active"]
    assert _status_of(world, marker(extra)) == ["Active"]
