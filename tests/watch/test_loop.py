"""The debounced loop: a real polling observer, real temp folders, a recording cycle."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kbsync.watch.engine import (
    Backoff,
    ChangeCollector,
    CycleReport,
    Loop,
    Scope,
    Watcher,
    WatchRoot,
    is_noise,
    minimal_roots,
    run_loop,
)
from tests.watch.conftest import Background, polling_observer, wait_until, write

SLOW_BACKOFF = Backoff(60.0, 60.0)  # only a new change retries within a test


class Recorder:
    """The injected cycle: records every batch; can be told to raise."""

    def __init__(self) -> None:
        self.batches: list[frozenset[Path]] = []
        self.reports: list[CycleReport] = []
        self.errors: list[tuple[Exception, frozenset[Path], float]] = []
        self.fail_next = 0

    def cycle(self, changed: frozenset[Path]) -> CycleReport:
        self.batches.append(changed)
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("emulator unreachable")
        return CycleReport(tuple(sorted(p.name for p in changed)), time.time(), 0.0)

    def on_error(self, error: Exception, batch: frozenset[Path], retry_in: float) -> None:
        self.errors.append((error, batch, retry_in))


def start_loop(
    background: Callable[[Callable[[threading.Event], object]], Background],
    folder: Path,
    recorder: Recorder,
    *,
    debounce: float = 0.4,
    backoff: Backoff = SLOW_BACKOFF,
    scope: Scope | None = None,
) -> Background:
    collector = ChangeCollector()
    watcher = Watcher(collector, polling_observer)
    watcher.start(scope or Scope(frozenset({folder})))
    observer_ready(collector, folder)

    def run(stop: threading.Event) -> None:
        loop = Loop(
            collector,
            recorder.cycle,
            recorder.reports.append,
            recorder.on_error,
            stop,
            debounce=debounce,
            backoff=backoff,
        )
        try:
            run_loop(loop)
        finally:
            watcher.stop()

    bg = background(run)
    wait_until(lambda: len(recorder.batches) == 1, what="the first cycle")
    return bg


def observer_ready(collector: ChangeCollector, folder: Path) -> None:
    """The observer reports changes from here on: a probe file was seen (and is dropped)."""
    probe = folder / "watch-probe.txt"
    write(probe, "probe")
    wait_until(collector.signal.is_set, what="the observer to see the probe")
    assert collector.take() == frozenset({probe})


def test_first_cycle_runs_at_start_with_nothing_changed(tmp_path: Path, background) -> None:
    recorder = Recorder()
    bg = start_loop(background, tmp_path, recorder)
    bg.join()
    assert recorder.batches == [frozenset()]


def test_a_burst_of_200_writes_is_one_cycle(tmp_path: Path, background) -> None:
    recorder = Recorder()
    bg = start_loop(background, tmp_path, recorder)
    for i in range(200):
        write(tmp_path / "docs" / f"page{i:03}.md", f"page {i}\n")
    wait_until(lambda: len(recorder.batches) == 2, what="one cycle for the burst")
    write(tmp_path / "after.md", "a later, separate change")
    wait_until(lambda: len(recorder.batches) >= 3, what="the later change's cycle")
    bg.join()
    burst = recorder.batches[1]
    assert {p.name for p in burst if p.suffix == ".md"} == {f"page{i:03}.md" for i in range(200)}
    # nothing of the burst spilled into another cycle
    assert recorder.batches[2:] == [frozenset({tmp_path / "after.md"})]


def test_a_save_via_temp_file_and_rename_resolves_to_the_final_file(
    tmp_path: Path, background
) -> None:
    target = tmp_path / "faq.md"
    write(target, "old\n")
    recorder = Recorder()
    bg = start_loop(background, tmp_path, recorder)
    temp = tmp_path / ".faq.md.swp"
    write(temp, "new\n")
    write(tmp_path / "faq.md~", "old\n")
    os.replace(temp, target)
    wait_until(lambda: len(recorder.batches) == 2, what="the save's cycle")
    bg.join()
    assert recorder.batches[1] == frozenset({target})


def test_noise_alone_starts_no_cycle(tmp_path: Path, background) -> None:
    recorder = Recorder()
    bg = start_loop(background, tmp_path, recorder, debounce=0.1)
    for name in (".git/index", ".kbsync/cache.json", "notes.md~", ".#notes.md", "4913", "x.tmp"):
        write(tmp_path / name, "churn")
    write(tmp_path / "marker.md", "a real change, after the noise")
    wait_until(lambda: len(recorder.batches) == 2, what="the real change's cycle")
    bg.join()
    assert recorder.batches[1] == frozenset({tmp_path / "marker.md"})


def test_only_paths_in_scope_start_a_cycle(tmp_path: Path, background) -> None:
    docs, manifest = tmp_path / "docs", tmp_path / "kbsync.yaml"
    write(docs / "a.md", "a")
    scope = Scope(frozenset({docs}), frozenset({manifest, tmp_path / "watch-probe.txt"}))
    recorder = Recorder()
    bg = start_loop(background, tmp_path, recorder, scope=scope)
    write(tmp_path / "watch.log", "output written beside the manifest")
    write(tmp_path / "other" / "b.md", "not named by the manifest")
    write(docs / "new" / "c.md", "c")
    write(manifest, "version: 1")
    wait_until(lambda: len(recorder.batches) == 2, what="the cycle")
    bg.join()
    assert recorder.batches[1] - {docs / "new"} == {docs / "new" / "c.md", manifest}


def test_a_failing_cycle_is_reported_and_retried_after_the_backoff(
    tmp_path: Path, background
) -> None:
    recorder = Recorder()
    bg = start_loop(background, tmp_path, recorder, backoff=Backoff(0.2, 0.2))
    recorder.fail_next = 2
    write(tmp_path / "a.md", "a")
    wait_until(lambda: len(recorder.reports) == 2, what="a successful retry")
    bg.join()
    assert [type(e).__name__ for e, _, _ in recorder.errors] == ["ConnectionError"] * 2
    # the failed batch is carried into the retries, without a new change
    assert recorder.batches[1:] == [frozenset({tmp_path / "a.md"})] * 3
    assert recorder.reports[-1].changed == ("a.md",)


def test_a_failing_cycle_is_retried_on_the_next_change(tmp_path: Path, background) -> None:
    recorder = Recorder()
    bg = start_loop(background, tmp_path, recorder)  # backoff 60 s: only a change retries
    recorder.fail_next = 1
    write(tmp_path / "a.md", "a")
    wait_until(lambda: recorder.errors, what="the failure")
    write(tmp_path / "b.md", "b")
    wait_until(lambda: len(recorder.reports) == 2, what="the next cycle")
    bg.join()
    assert recorder.reports[-1].changed == ("a.md", "b.md")


def test_stop_ends_the_loop_while_waiting(tmp_path: Path, background) -> None:
    recorder = Recorder()
    bg = start_loop(background, tmp_path, recorder)
    bg.join()  # sets stop; join asserts the thread ended
    assert len(recorder.batches) == 1


def test_editor_noise_patterns() -> None:
    noise = [".faq.md.swp", ".faq.md.swx", "faq.md~", ".#faq.md", "#faq.md#", "4913", "a.tmp"]
    for name in noise:
        assert is_noise(Path("/w/docs") / name), name
    assert is_noise(Path("/w/.git/objects/ab/cdef"))
    assert is_noise(Path("/w/.kbsync/sandbox.sqlite"))
    for name in ("faq.md", "guide.pdf", "swap.md", "notes.txt", "4913.md"):
        assert not is_noise(Path("/w/docs") / name), name


def test_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(1.0, 5.0)
    assert [backoff.after(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]


def test_minimal_roots_drop_covered_and_missing_folders(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "guide").mkdir(parents=True)
    roots = [
        WatchRoot(tmp_path, False),
        WatchRoot(docs, True),
        WatchRoot(docs / "guide", True),
        WatchRoot(docs, False),
        WatchRoot(tmp_path / "missing" / "deeper", True),
    ]
    assert minimal_roots(roots) == [WatchRoot(tmp_path, False), WatchRoot(docs, True)]
