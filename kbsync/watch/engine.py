"""Watch mode's engine: watchdog -> a debounced loop around ONE injected function.

The shape follows mkdocs ``serve``: the watchdog handler only records which paths
changed and signals; one loop waits for a change, waits for quiet (no new event for
``debounce`` seconds), takes the whole batch (a ``git checkout`` of 500 files is one
batch) and calls ``cycle(batch)``. Whatever the cycle raises is reported and retried
after a backoff or on the next change; only the stop Event (or Ctrl-C, which the
caller handles) ends the loop. Nothing here knows about manifests or Robofy.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

# Event types that can mean new content; opened/closed-without-write/attrib come from
# merely reading a file (our own cycle reads the docs), so they must not start a cycle.
CONTENT_EVENTS = frozenset({"created", "modified", "deleted", "moved", "closed"})

# Folders whose churn is never content: git's own writes, kbsync's cache and sandbox.
NOISE_FOLDERS = frozenset({".git", ".kbsync", ".hg", ".svn", "__pycache__", ".idea"})

ObserverFactory = Callable[[], BaseObserver]


class CycleReport(NamedTuple):
    """What one cycle did, for one line of output (text) or one JSON object."""

    changed: tuple[str, ...]  # what changed, relative display paths; () = the first cycle
    started_at: float  # unix time the cycle started
    seconds: float  # how long it took
    applied: tuple[tuple[str, int], ...] = ()  # ("replaced", 1), in apply order
    failed: int = 0  # actions that failed
    notes: tuple[str, ...] = ()  # e.g. "would delink ...; run with --prune"
    problems: tuple[str, ...] = ()  # manifest errors, guard refusals, failure messages
    retry: bool = False  # the loop should try again after a backoff
    status: str = "ok"  # ok | unchanged | invalid | refused | failed | error
    retry_in: float | None = None  # error: seconds until the loop tries again


class WatchRoot(NamedTuple):
    path: Path
    recursive: bool


class Scope(NamedTuple):
    """What matters: whole folders (with everything under them) and single files."""

    folders: frozenset[Path] = frozenset()
    files: frozenset[Path] = frozenset()

    def covers(self, path: Path) -> bool:
        if path in self.files or path in self.folders:
            return True
        return any(folder in path.parents for folder in self.folders)

    def roots(self) -> list[WatchRoot]:
        """Folders recursively; a single file through its folder (it may not exist yet)."""
        return [WatchRoot(f, True) for f in self.folders] + [
            WatchRoot(f.parent, False) for f in self.files
        ]


class Backoff(NamedTuple):
    """Delays between retries of a failed cycle: first, doubled each time, capped."""

    first: float = 1.0
    cap: float = 30.0

    def after(self, failures: int) -> float:
        return float(min(self.cap, self.first * 2 ** max(0, failures - 1)))


# --- editor noise --------------------------------------------------------------


def is_noise(path: Path) -> bool:
    """Swap files, backups, lock files and temp files editors write next to the real one."""
    if NOISE_FOLDERS.intersection(path.parts):
        return True
    name = path.name
    return (
        name.endswith(("~", ".tmp", ".swp", ".swx", ".swo", ".bak", "___jb_tmp___"))
        or name.endswith("___jb_old___")
        or name.startswith(".#")
        or (name.startswith("#") and name.endswith("#"))
        or name in ("4913", ".DS_Store")
        or name.startswith(".goutputstream-")
    )


# --- the handler: record and signal, nothing else -------------------------------


class ChangeCollector(FileSystemEventHandler):
    """Collects changed paths from watchdog's thread; the loop takes them in batches."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.scope: Scope | None = None  # None: every path counts; swapped whole, never mutated
        self._lock = threading.Lock()
        self._paths: set[Path] = set()
        self._last_event_at = 0.0
        self.signal = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CONTENT_EVENTS:
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's mtime moves whenever a file in it does
        paths = [_as_path(p) for p in (event.src_path, event.dest_path) if p]
        scope = self.scope
        self.add(p for p in paths if not is_noise(p) and (scope is None or scope.covers(p)))

    def add(self, paths: Iterable[Path]) -> None:
        fresh = list(paths)
        if not fresh:
            return
        with self._lock:
            self._paths.update(fresh)
            self._last_event_at = self._clock()
        self.signal.set()

    def pending(self) -> frozenset[Path]:
        """What changed since the last batch was taken (for tests and benchmarks)."""
        with self._lock:
            return frozenset(self._paths)

    def last_event_at(self) -> float:
        with self._lock:
            return self._last_event_at

    def take(self) -> frozenset[Path]:
        with self._lock:
            batch, self._paths = frozenset(self._paths), set()
            self.signal.clear()
        return batch


def _as_path(raw: bytes | str) -> Path:
    return Path(os.fsdecode(raw))


# --- the loop -------------------------------------------------------------------


class Loop(NamedTuple):
    """Everything the loop needs, injected; ``cycle`` is the only thing that does work."""

    collector: ChangeCollector
    cycle: Callable[[frozenset[Path]], CycleReport]
    on_report: Callable[[CycleReport], None]
    on_error: Callable[[Exception, frozenset[Path], float], None]  # error, batch, retry in s
    stop: threading.Event
    debounce: float = 0.5
    backoff: Backoff = Backoff()
    clock: Callable[[], float] = time.monotonic
    tick: float = 0.05  # how often a wait looks at the stop Event
    fatal: tuple[type[Exception], ...] = ()  # errors no retry can fix (a rejected API key)


def run_loop(loop: Loop, first: frozenset[Path] | None = frozenset()) -> None:
    """Run ``first`` as a cycle right away (None: skip), then one cycle per quiet batch."""
    pending: frozenset[Path] = frozenset()
    failures = 0
    if first is not None:
        pending, failures = _run_cycle(loop, first, failures)
    while not loop.stop.is_set():
        retry_in = loop.backoff.after(failures) if failures else None
        _wait_for_change(loop, retry_in)  # a change, or time to retry what failed
        if loop.stop.is_set():
            return
        batch = _wait_for_quiet(loop)
        if batch is None:
            return
        pending, failures = _run_cycle(loop, pending | batch, failures)


def _run_cycle(loop: Loop, batch: frozenset[Path], failures: int) -> tuple[frozenset[Path], int]:
    """One cycle; returns what to carry into the next one and the failure count."""
    try:
        report = loop.cycle(batch)
    except loop.fatal:
        raise
    except Exception as error:  # the watcher must outlive any other failure of a cycle
        loop.on_error(error, batch, loop.backoff.after(failures + 1))
        return batch, failures + 1
    loop.on_report(report)
    if report.retry:
        return batch, failures + 1
    return frozenset(), 0


def _wait_for_change(loop: Loop, timeout: float | None) -> None:
    """Return on a change, on stop, or when ``timeout`` (None: never) has passed."""
    deadline = None if timeout is None else loop.clock() + timeout
    while not loop.stop.is_set() and not loop.collector.signal.wait(loop.tick):
        if deadline is not None and loop.clock() >= deadline:
            return


def _wait_for_quiet(loop: Loop) -> frozenset[Path] | None:
    """Wait until nothing changed for ``debounce`` seconds, then take the batch."""
    while True:
        remaining = loop.collector.last_event_at() + loop.debounce - loop.clock()
        if remaining <= 0:
            return loop.collector.take()
        if loop.stop.wait(min(remaining, loop.tick)):
            return None


# --- the observer ---------------------------------------------------------------


class Watcher:
    """One observer over a scope's folders, rescheduled when the scope changes."""

    def __init__(
        self, collector: ChangeCollector, observer_factory: ObserverFactory = Observer
    ) -> None:
        self._collector = collector
        self._observer = observer_factory()
        self._watches: dict[WatchRoot, ObservedWatch] = {}

    def start(self, scope: Scope) -> None:
        self.update(scope)
        self._observer.start()

    def update(self, scope: Scope) -> None:
        self._collector.scope = scope
        wanted = set(minimal_roots(scope.roots()))
        for root in set(self._watches) - wanted:
            with contextlib.suppress(KeyError, OSError):  # its folder may be gone already
                self._observer.unschedule(self._watches.pop(root))
        for root in wanted - set(self._watches):
            self._watches[root] = self._observer.schedule(
                self._collector, str(root.path), recursive=root.recursive
            )

    @property
    def roots(self) -> tuple[WatchRoot, ...]:
        return tuple(sorted(self._watches))

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)


def minimal_roots(roots: Iterable[WatchRoot]) -> list[WatchRoot]:
    """Existing folders only (a missing one is watched through its nearest parent),
    without those a recursive root already covers."""
    existing = {_existing_root(r) for r in roots}
    recursive = [r.path for r in existing if r.recursive]
    return sorted(r for r in existing if not _covered(r, recursive))


def _existing_root(root: WatchRoot) -> WatchRoot:
    path = root.path
    while not path.is_dir() and path.parent != path:
        path = path.parent
    return root if path == root.path else WatchRoot(path, False)


def _covered(root: WatchRoot, recursive: list[Path]) -> bool:
    others = [p for p in recursive if p != root.path or not root.recursive]
    return any(root.path == p or p in root.path.parents for p in others)
