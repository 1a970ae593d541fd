"""The example manifest through the whole pipeline: load, read, plan, apply, plan again."""

from __future__ import annotations

from pathlib import Path

from kbsync.desired.expand import load_desired_state
from kbsync.model import DONE
from tests.examples import copy_examples
from tests.executor.helpers import World, marker


def test_the_example_manifest_converges_and_then_sends_no_write(
    any_world: World, tmp_path: Path
) -> None:
    copy_examples(tmp_path)
    manifest = tmp_path / "examples" / "robofy.yaml"
    want = load_desired_state(manifest, {"ROBOFY_PROJECT_ID": "1"}, use_cache=False)

    first = any_world.apply(want)

    assert [o for o in first.outcomes if o.status != DONE] == []
    assert any_world.plan(want).actions == ()
    for declared in want.agents:
        linked = any_world.linked_names(declared.name)
        assert declared.assets
        for asset in declared.assets:
            assert linked.count(marker(asset)) == 1, asset.source_key
    writes = any_world.writes()
    assert any_world.apply(want).outcomes == ()
    assert any_world.writes() == writes
