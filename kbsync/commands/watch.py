"""``kbsync watch``: apply once, then again after every change to the manifest or its files.

The loop and the observer are kbsync.watch.engine; this module supplies the one cycle
(reload the manifest, plan, apply adds and replacements) and prints one line per cycle.
Deletes are only planned as notes unless ``--prune``.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple, TextIO

from kbsync.apply.session import ApplySession, Guarded
from kbsync.commands.common import RemoteArgs, load_desired, print_banner, write_block
from kbsync.commands.connect import open_api
from kbsync.desired.expand import load_desired_state
from kbsync.error_handler import EXIT_OK, interrupted_exit_code
from kbsync.errors import AuthError, ConfigError, ManifestError
from kbsync.manifest.load import load_manifest
from kbsync.model import (
    ADD_KINDS,
    CRAWL,
    CREATE_AGENT,
    DELINK,
    DONE,
    FAILED_OUTCOME,
    REPLACE_KINDS,
    STILL_RUNNING,
    UPDATE_KINDS,
    WAIT_CRAWL,
    Action,
    ApplyResult,
    DesiredState,
    Plan,
)
from kbsync.plan.guards import parse_max_delete
from kbsync.plan.limits import LimitCheck
from kbsync.plan.pipeline import plan_options
from kbsync.render.watch_lines import error_report, render_report
from kbsync.robofy.api import RobofyApi
from kbsync.watch.engine import (
    Backoff,
    ChangeCollector,
    CycleReport,
    Loop,
    ObserverFactory,
    Scope,
    Watcher,
    run_loop,
)

# what each action kind counts as in a cycle's summary (stable keys: the JSON uses them)
VERBS = {
    CREATE_AGENT: "agents_created",
    **dict.fromkeys(UPDATE_KINDS, "updated"),
    **dict.fromkeys(ADD_KINDS, "added"),
    **dict.fromkeys(REPLACE_KINDS, "replaced"),
    CRAWL: "crawls_started",
    WAIT_CRAWL: "crawls_finished",
    DELINK: "delinked",
}


class WatchArgs(NamedTuple):
    debounce: float = 0.5
    prune: bool = False
    max_delete: str | None = None
    wait_timeout: float = 600.0  # per cycle: how long to wait for processing


class Session(NamedTuple):
    """What a watch session runs with; tests build one around an in-process emulator."""

    api: RobofyApi
    desired: DesiredState  # the manifest as loaded at start (valid)
    args: RemoteArgs
    watch_args: WatchArgs
    env: Mapping[str, str]
    stdout: TextIO
    stop: threading.Event
    observer_factory: ObserverFactory | None = None  # None: watchdog's native Observer
    backoff: Backoff = Backoff()
    collector: ChangeCollector | None = None  # tests and benchmarks look at what was seen
    stderr: TextIO | None = None  # notices (waiting for another apply); None: sys.stderr


def watch(
    args: RemoteArgs,
    watch_args: WatchArgs,
    env: Mapping[str, str],
    *,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """Runs until Ctrl-C (exit 130). An invalid manifest at start is an error (exit 1)."""
    if args.fmt == "markdown":  # one line per cycle: there is no document to render
        raise ConfigError("kbsync watch prints text or json lines; --format markdown is not one")
    parse_max_delete(watch_args.max_delete)  # a bad value is an error now, not every cycle
    desired = load_desired(args, env)
    print_banner(args, desired.manifest_path, stdout, stderr)
    api = open_api(
        args.connection, desired.manifest_path, desired.project, env, statuses=desired.statuses
    )
    session = Session(api, desired, args, watch_args, env, stdout, threading.Event(), stderr=stderr)
    try:
        return run_watch(session)
    except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM (exit 143)
        stderr.write("Stopped watching.\n")
        return interrupted_exit_code(stop)
    finally:
        api.close()


def run_watch(session: Session) -> int:
    """Watch until ``session.stop`` is set (or Ctrl-C propagates); the api stays open.
    A rejected API key ends the watch (no retry can fix it)."""
    collector = session.collector or ChangeCollector()
    watcher = _watcher(collector, session.observer_factory)
    syncer = Syncer(session)
    try:
        watcher.start(syncer.scope())
    except OSError as error:  # e.g. the system's limit of inotify watches
        raise ConfigError(f"cannot watch the manifest's folders: {error}") from None
    _say_watching(session)
    try:
        run_loop(_loop(session, collector, watcher, syncer))
    finally:
        watcher.stop()
    return EXIT_OK


def _loop(session: Session, collector: ChangeCollector, watcher: Watcher, syncer: Syncer) -> Loop:
    def cycle(changed: frozenset[Path]) -> CycleReport:
        try:
            return syncer(changed)
        finally:
            watcher.update(syncer.scope())  # the manifest may name new folders

    def show_error(error: Exception, batch: frozenset[Path], retry_in: float) -> None:
        report = error_report(error, syncer.shown(batch), time.time(), retry_in)
        _write(session, render_report(report, session.args.fmt))

    return Loop(
        collector=collector,
        cycle=cycle,
        on_report=lambda report: _write(session, render_report(report, session.args.fmt)),
        on_error=show_error,
        stop=session.stop,
        debounce=session.watch_args.debounce,
        backoff=session.backoff,
        fatal=(AuthError,),
    )


def _say_watching(session: Session) -> None:
    """Once, on stderr (stdout may be JSON lines): how much is watched and how to stop."""
    count = len(session.desired.file_fingerprints) + 1  # the manifest itself too
    files = "file" if count == 1 else "files"
    stream = session.stderr or sys.stderr
    stream.write(f"Watching {count} {files} of {session.desired.manifest_path.name}; ")
    stream.write("press Ctrl-C to stop.\n")
    stream.flush()


def _watcher(collector: ChangeCollector, factory: ObserverFactory | None) -> Watcher:
    return Watcher(collector) if factory is None else Watcher(collector, factory)


def _write(session: Session, text: str) -> None:
    write_block(session.stdout, text)


class Syncer:
    """The cycle: reload the manifest (keeping the last good one), plan, apply."""

    def __init__(
        self,
        session: Session,
        wall_clock: Callable[[], float] = time.time,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._wall_clock = wall_clock
        self._timer = timer
        self.desired = session.desired  # the last good desired state
        self._synced: DesiredState | None = None  # what the remote matched after a clean cycle
        self._shown_notes: frozenset[str] = frozenset()
        self._scope = Scope()

    def __call__(self, changed: frozenset[Path]) -> CycleReport:
        report = CycleReport(self.shown(changed), self._wall_clock(), 0.0)
        began = self._timer()
        try:
            self.desired = load_desired_state(self.desired.manifest_path, self._session.env)
        except ManifestError as error:
            problems = tuple(str(p) for p in error.problems)
            report = report._replace(status="invalid", problems=problems)
        else:
            report = self._sync(report)
        return report._replace(seconds=self._timer() - began)

    def shown(self, changed: frozenset[Path]) -> tuple[str, ...]:
        """Changed paths as people know them: relative to the manifest's folder, without
        the folders whose files are listed anyway."""
        root = self.desired.manifest_path.resolve().parent
        shown = (_relative(p, root) + _gone(p) for p in changed if not _has_inside(p, changed))
        return tuple(sorted(shown))

    def scope(self) -> Scope:
        """What to watch; recomputed each cycle (a named folder may have been created),
        kept as it was while the manifest is invalid."""
        with contextlib.suppress(ManifestError):
            self._scope = watch_scope(self.desired.manifest_path, self._session.env)
        return self._scope

    def _sync(self, report: CycleReport) -> CycleReport:
        desired, session = self.desired, self._session
        if desired == self._synced:
            return report._replace(status="unchanged")
        if desired.project != session.desired.project:  # the client talks to the first one
            moved = f"project changed from {session.desired.project} to {desired.project}"
            return report._replace(status="refused", problems=(f"{moved}; restart kbsync watch",))
        options = plan_options(
            max_delete=session.watch_args.max_delete,
            agents=session.args.agents,
            allow_delink=session.watch_args.prune,
        )
        # the same guarded session as kbsync apply: lock, plan, refuse, apply
        guard = ApplySession(session.api, session.args.parallelism, session.stderr)
        with guard.guarded(desired, options) as guarded:
            return self._apply(guard, guarded, report)

    def _apply(self, guard: ApplySession, guarded: Guarded, report: CycleReport) -> CycleReport:
        plan = guarded.plan
        report = report._replace(notes=self._new_notes(plan, guarded.limits))
        if guarded.refusals:
            return report._replace(status="refused", problems=guarded.refusals)
        if not plan.has_changes:
            self._synced = guarded.planned.desired
            return report
        result = guard.apply(guarded, wait=True, wait_timeout=self._session.watch_args.wait_timeout)
        self._synced = None if result.failed else guarded.planned.desired
        return _with_result(report, result)

    def _new_notes(self, plan: Plan, limits: LimitCheck) -> tuple[str, ...]:
        """Notes not already shown by the previous cycle: say a thing once, not every save."""
        notes = [note.message for note in plan.notes]
        notes += [f"account limits not checked: {limits.unavailable}"] if limits.unavailable else []
        fresh = tuple(n for n in notes if n not in self._shown_notes)
        self._shown_notes = frozenset(notes)
        return fresh


def _with_result(report: CycleReport, result: ApplyResult) -> CycleReport:
    counts: dict[str, int] = {}
    for outcome in result.outcomes:
        if outcome.status == DONE:
            verb = VERBS.get(outcome.action.kind, outcome.action.kind)
            counts[verb] = counts.get(verb, 0) + 1
    failures = [o for o in result.outcomes if o.status in (FAILED_OUTCOME, STILL_RUNNING)]
    problems = tuple(f"{_subject(o.action)}: {o.message or o.status}" for o in failures)
    return report._replace(
        status="failed" if failures else "ok",
        applied=tuple(counts.items()),
        failed=len(failures),
        notes=report.notes + tuple(result.notes),
        problems=problems,
        retry=any(o.status == FAILED_OUTCOME for o in failures),
    )


def _subject(action: Action) -> str:
    return action.label or action.source_key or action.kind


def _gone(path: Path) -> str:
    return "" if path.exists() else " (deleted)"


def _has_inside(folder: Path, paths: frozenset[Path]) -> bool:
    return any(folder in p.parents for p in paths)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def watch_scope(manifest_path: Path, env: Mapping[str, str]) -> Scope:
    """The manifest, the prompt and text files it names, and each file entry: a folder
    with everything under it (new files in new subfolders count), or a single file.
    ManifestError when the manifest cannot be read."""
    manifest = load_manifest(manifest_path, env)
    named: list[str] = []
    for agent in manifest.agents:
        named += [spec.path for spec in agent.files]
        named += [text.file for text in agent.texts if text.file]
        named += [agent.prompt.file] if agent.prompt and agent.prompt.file else []
    paths = [manifest.root / name for name in named]
    folders = frozenset(p for p in paths if p.is_dir())
    files = frozenset(p for p in paths if not p.is_dir()) | {manifest.root / manifest.path.name}
    return Scope(folders, files)
