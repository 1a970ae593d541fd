"""Crash safety: `kbsync apply` killed at random moments converges on the next run.

One emulator process (SQLite file store, 20 ms latency per request) and one 200-item
agent (170 docs files, 30 texts). Every trial changes the manifest (replaced, added and
removed files, changed texts), starts `kbsync apply` as a real process and SIGKILLs it
once the emulator has answered a seeded random number of its requests. Then:

- make-before-break held: every item linked before the trial that the manifest still
  declares has a linked version (old or new);
- one more `apply` converges: every declared item linked exactly once, in its current
  version, nothing undeclared left (read from ``GET /_emulator/state``).

Each trial starts where the previous one converged. Three trials by default, 24 with
KBSYNC_SLOW=1. SIGINT and SIGTERM are tested the same way and must end with exit 130 / 143
and a summary of what was and was not done.
"""

from __future__ import annotations

import random
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import DIALECT_MANIFEST_API
from tests.reliability.conftest import (
    Project,
    assert_converged,
    linked_by_key,
)
from tests.reliability.processes import (
    EmulatorProcess,
    Run,
    assert_clean,
    finish,
    kbsync_process,
    run_kbsync,
    slow_or_default,
    wait_for,
)

FILES, TEXTS = 170, 30
LATENCY_MS = 20
TRIALS = slow_or_default(3, 24)


class Chain(NamedTuple):
    """The emulator and the project the trials share; ``requests``: what one change costs."""

    emulator: EmulatorProcess
    project: Project
    requests: int


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    root = tmp_path_factory.mktemp("crash")
    project = Project.create(root / "project", FILES, TEXTS)
    emulator = EmulatorProcess(root / "store.sqlite")
    try:
        _apply_converges(emulator, project)
        emulator.set_faults(latency_ms=LATENCY_MS)
        project.mutate(random.Random(-1))
        requests = _total(emulator)
        measured = _apply_converges(emulator, project)
        _assert_all_kinds_of_change(measured)
        yield Chain(emulator, project, _total(emulator) - requests)
    finally:
        assert "Traceback" not in emulator.stop()


def _total(emulator: EmulatorProcess) -> int:
    return int(emulator.state()["requests"]["total"])


def _apply_converges(emulator: EmulatorProcess, project: Project) -> Run:
    done = run_kbsync(emulator.base_url, project.root, "apply")
    assert done.code == 0, done.out + done.err
    assert_converged(emulator.state(), project)
    return done


def _assert_all_kinds_of_change(run: Run) -> None:
    """The change the trials make has adds, replacements and delinks (read from the plan)."""
    summary = re.search(
        r"Plan: (\d+) to add, (\d+) to replace, \d+ to update, (\d+) to delink", run.out
    )
    assert summary is not None, run.out
    adds, replaces, delinks = (int(n) for n in summary.groups())
    assert adds > 0 and replaces > 0 and delinks > 0, summary.group(0)


def _start_change(
    chain: Chain, rng: random.Random
) -> tuple[dict[str, list[str]], subprocess.Popen[str]]:
    """Change the manifest and start applying it; returns what was linked before."""
    linked_before = linked_by_key(chain.emulator.state())
    chain.project.mutate(rng)
    return linked_before, kbsync_process(chain.emulator.base_url, chain.project.root, "apply")


def _wait_for_requests(chain: Chain, process: subprocess.Popen[str], count: int) -> None:
    """Until the emulator has answered ``count`` more requests, or the apply ended."""
    target = _total(chain.emulator) + count
    wait_for(
        lambda: process.poll() is not None or _total(chain.emulator) >= target,
        timeout=120,
        what=f"{count} requests",
    )


def _assert_nothing_declared_lost(chain: Chain, linked_before: dict[str, list[str]]) -> None:
    """Make-before-break: what was linked and is still declared has a linked version."""
    linked = linked_by_key(chain.emulator.state())
    still_declared = set(linked_before) & set(chain.project.desired_markers())
    lost = sorted(key for key in still_declared if not linked.get(key))
    assert not lost, f"{len(lost)} declared item(s) lost their linked version: {lost[:5]}"


def _kill_trial(chain: Chain, seed: int) -> bool:
    """One trial; True when the apply was really killed (not already finished)."""
    rng = random.Random(seed)
    linked_before, process = _start_change(chain, rng)
    _wait_for_requests(chain, process, rng.randint(1, max(1, int(chain.requests * 0.95))))
    killed = process.poll() is None
    process.send_signal(signal.SIGKILL)
    out, err = process.communicate(timeout=30)
    assert_clean(out, err)
    _assert_nothing_declared_lost(chain, linked_before)
    _apply_after_a_kill_converges(chain.emulator, chain.project)
    return killed


def _apply_after_a_kill_converges(emulator: EmulatorProcess, project: Project) -> None:
    """The killed run may have left uploads processing: the next apply then holds the
    prunes that wait for them and says so (nothing is pruned before new content is ready);
    once they are ready, one more apply converges."""
    done = run_kbsync(emulator.base_url, project.root, "apply")
    assert done.code == 0, done.out + done.err
    if "delink(s) held" not in done.out:
        assert_converged(emulator.state(), project)
        return
    wait_for(lambda: not _processing(emulator), timeout=60, what="uploads still processing")
    _apply_converges(emulator, project)


def _processing(emulator: EmulatorProcess) -> bool:
    linkages = emulator.state()["linkages"]
    return any(
        link["linked"] and str(link.get("status", "")).lower() == "processing" for link in linkages
    )


def _interrupt(chain: Chain, sig: signal.Signals) -> Run:
    linked_before, process = _start_change(chain, random.Random(int(sig)))
    _wait_for_requests(chain, process, chain.requests // 3)
    assert process.poll() is None, "the apply ended before it could be interrupted"
    process.send_signal(sig)
    run = finish(process, timeout=60)
    _assert_nothing_declared_lost(chain, linked_before)
    return run


@pytest.mark.parametrize(
    ("sig", "code", "word"),
    [(signal.SIGINT, 130, "Interrupted."), (signal.SIGTERM, 143, "Terminated.")],
)
def test_sigint_and_sigterm_stop_cleanly_with_a_summary(
    sig: signal.Signals, code: int, word: str, chain: Chain
) -> None:
    run = _interrupt(chain, sig)
    assert run.code == code, run.out + run.err
    assert run.err.rstrip().endswith(word)
    # the summary says what was done (or sent) and what was not run
    assert "not run: apply was interrupted" in run.out
    counts = re.search(
        r"Applied: (\d+) done, \d+ failed, (\d+) skipped, (\d+) still running", run.out
    )
    assert counts is not None, run.out
    done, skipped, running = (int(n) for n in counts.groups())
    assert done + running > 0 and skipped > 0, counts.group(0)


@pytest.mark.slow
def test_sigkill_at_random_moments_then_apply_converges(chain: Chain) -> None:
    """Every trial must converge; the figure in docs/contributing/reliability.md comes from here."""
    killed = [_kill_trial(chain, seed) for seed in range(TRIALS)]
    print(f"SIGKILL trials: {len(killed)} survived of {len(killed)} ({sum(killed)} killed mid-run)")
    assert sum(killed) >= len(killed) // 2  # the moments are inside the apply, not after it


def test_one_sigkill_trial_converges_in_each_dialect(tmp_path: Path, dialect: str) -> None:
    """A smaller agent (files and texts), one SIGKILL mid-apply, in each emulator dialect."""
    api = DIALECT_MANIFEST_API[dialect]
    project = Project.create(tmp_path / "project", 40, 10, api)
    # processing 0: an upload the killed run left processing would make the next apply end
    # "No changes (delinks held)" without waiting, a race this test is not about
    options = ("--dialect", dialect, "--processing-seconds", "0")
    emulator = EmulatorProcess(tmp_path / "store.sqlite", *options)
    try:
        _apply_converges(emulator, project)
        emulator.set_faults(latency_ms=LATENCY_MS)
        project.mutate(random.Random(-1))
        before = _total(emulator)
        _apply_converges(emulator, project)
        chain = Chain(emulator, project, _total(emulator) - before)
        assert _kill_trial(chain, seed=3)  # killed mid-run, then converged
    finally:
        assert "Traceback" not in emulator.stop()
