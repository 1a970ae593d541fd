"""Two applies at the same moment never leave a duplicate.

- Same machine, same manifest folder: the apply lock (``.kbsync/apply.lock``) makes the
  second apply wait and then plan from what the first left: one agent, every item once,
  with no further apply.
- Two machines (two checkouts of the same manifest, so no shared lock) applying the
  same change: extra copies may be uploaded, and one more apply delinks them (the
  planner's duplicate rule keeps the newest ready copy): every item exactly once.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

from tests.reliability.conftest import (
    Project,
    assert_converged,
)
from tests.reliability.processes import (
    EmulatorProcess,
    Run,
    finish,
    kbsync_process,
    run_kbsync,
)

FILES, TEXTS = 30, 10


def _both_at_once(emulator: EmulatorProcess, first: Path, second: Path) -> tuple[Run, Run]:
    processes = [kbsync_process(emulator.base_url, root, "apply") for root in (first, second)]
    return finish(processes[0]), finish(processes[1])


def test_two_applies_of_one_checkout_at_once_leave_one_copy_of_everything(
    tmp_path: Path, start_emulator: Callable[..., EmulatorProcess]
) -> None:
    project = Project.create(tmp_path / "project", FILES, TEXTS)
    emulator = start_emulator(tmp_path / "store.sqlite", "--latency-ms", "20")
    runs = _both_at_once(emulator, project.root, project.root)
    assert [r.code for r in runs] == [0, 0], [r.out + r.err for r in runs]
    state = emulator.state()
    assert len(state["agents"]) == 1, [a["name"] for a in state["agents"]]
    assert_converged(state, project)
    waited = [r for r in runs if "Waiting for another kbsync apply" in r.err]
    assert len(waited) == 1  # the lock made exactly one of them wait
    assert "No changes" in waited[0].out or "Nothing to apply" in waited[0].out, waited[0].out


def test_two_machines_applying_one_change_converge_with_one_more_apply(
    tmp_path: Path, start_emulator: Callable[..., EmulatorProcess]
) -> None:
    project = Project.create(tmp_path / "one", FILES, TEXTS)
    emulator = start_emulator(tmp_path / "store.sqlite", "--latency-ms", "20")
    assert run_kbsync(emulator.base_url, project.root, "apply").code == 0
    project.mutate(random.Random(5))
    other = tmp_path / "two"  # a second checkout: its own .kbsync/, so no shared lock
    shutil.copytree(project.root, other, ignore=shutil.ignore_patterns(".kbsync"))
    runs = _both_at_once(emulator, project.root, other)
    assert all(r.code in (0, 3) for r in runs), [r.out + r.err for r in runs]
    again = run_kbsync(emulator.base_url, project.root, "apply")
    assert again.code == 0, again.out + again.err
    assert_converged(emulator.state(), project)
