"""A watch cycle runs under kbsync apply's rules: the same apply lock, the same limits."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from kbsync.apply.lock import apply_lock
from kbsync.emulator import EmulatorApp
from tests.adoption.limits_proxy import LimitsProxy
from tests.watch.conftest import Watching, wait_until, writes


def test_a_cycle_waits_for_another_apply_of_the_manifest(
    watching: Callable[..., Watching], emulator: EmulatorApp, manifest: Path
) -> None:
    with apply_lock(manifest, io.StringIO()):  # as a `kbsync apply` in another process
        w = watching()
        wait_until(lambda: "Waiting for another kbsync apply" in w.err.getvalue(), what="wait")
        assert writes(emulator) == {} and w.lines() == []
    assert "start -> 1 agent created, 2 added" in w.wait_lines(1, "the first apply")[0]
    w.stop()


def test_a_cycle_over_the_account_limits_is_refused_and_watching_goes_on(
    watching: Callable[..., Watching], emulator: EmulatorApp
) -> None:
    w = watching(app=LimitsProxy(emulator, {"max_files": 1}))
    first = w.wait_lines(1, "the first cycle")[0]
    assert "start -> refused, nothing applied in " in first
    problems = [ln for ln in w.out.getvalue().splitlines() if ln.startswith("  ! ")]
    assert problems == [
        "  ! account limits: files: the plan adds 2 but 1 are left (max 1, 0 used): 1 over"
    ]
    assert writes(emulator) == {}
    assert "refused, nothing applied" in w.marker()[-1]  # still watching, still refusing
    w.stop()
