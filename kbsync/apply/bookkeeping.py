"""The bookkeeping of one apply and the helpers that run its jobs.

``_Run`` holds one apply's mutable state (chatbot ids, outcomes, watches, notes, what
was sent before an interrupt); ``_in_parallel`` runs a phase's jobs on a bounded pool,
``_attempt`` turns one step into exactly one Outcome (an error ends that action only) and
``_target`` finds an action's chatbot id or records why there is none. The executor's
phases are built from these.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

from kbsync.apply.waiting import Watch
from kbsync.errors import RobofyError
from kbsync.model import (
    CREATE_AGENT,
    FAILED_OUTCOME,
    SKIPPED,
    STILL_RUNNING,
    Action,
    ApplyResult,
    Outcome,
    Plan,
)
from kbsync.render.progress import Progress
from kbsync.robofy.api import RobofyApi

STEP_ERRORS = (RobofyError, OSError, ValueError)
IN_FLIGHT = "outcome unknown, the next run reconciles it (in flight when apply was interrupted)"


class _Run:
    """The mutable bookkeeping of one apply; workers write one outcome key each."""

    def __init__(self, api: RobofyApi, plan: Plan, parallelism: int, progress: Progress) -> None:
        self.api = api
        self.plan = plan
        self.parallelism = max(1, parallelism)
        self.progress = progress
        self.ids: dict[str, str] = dict(plan.agent_ids)
        self.outcomes: dict[int, Outcome] = {}
        self.watches: dict[int, Watch] = {}
        self.notes: list[str] = []
        self.pending_statuses: set[str] = set()
        self.sent: set[int] = set()  # actions whose requests have started going out
        self._stopped = False  # Ctrl-C: a worker starts no new action after it
        self._lock = threading.Lock()

    def begin(self, indexes: Sequence[int]) -> bool:
        """Mark actions as going out; False (do not send) once apply was interrupted."""
        with self._lock:
            if not self._stopped:
                self.sent.update(indexes)
            return not self._stopped

    def stop(self) -> ApplyResult:
        """After Ctrl-C: no worker starts another action; what was sent is in flight."""
        with self._lock:
            self._stopped = True
        return self.result()

    def indexed(self, *kinds: str) -> list[tuple[int, Action]]:
        return [(i, a) for i, a in enumerate(self.plan.actions) if a.kind in kinds]

    def status(self, i: int) -> str:
        outcome = self.outcomes.get(i)
        return outcome.status if outcome else ""

    def result(self) -> ApplyResult:
        outcomes = tuple(
            self.outcomes.get(i) or self._unfinished(i, a) for i, a in enumerate(self.plan.actions)
        )
        return ApplyResult(outcomes, tuple(self.notes), tuple(sorted(self.pending_statuses)))

    def _unfinished(self, i: int, action: Action) -> Outcome:
        """No outcome yet (an interrupt): one in flight may have been applied, so it is
        never "not run"; the next plan reads what happened."""
        if i in self.sent:
            return Outcome(action, STILL_RUNNING, IN_FLIGHT)
        return Outcome(action, SKIPPED, "not run: apply was interrupted")


# --- running jobs ---------------------------------------------------------------


def _in_parallel(run: _Run, label: str, jobs: Sequence[Callable[[], None]]) -> None:
    """Run jobs on a bounded pool; Ctrl-C cancels what has not started and propagates."""
    if not jobs:
        return
    run.progress.start(len(jobs), label)
    pool = ThreadPoolExecutor(max_workers=min(run.parallelism, len(jobs)))
    try:
        for future in as_completed([pool.submit(job) for job in jobs]):
            future.result()
            run.progress.advance(1)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _attempt(run: _Run, i: int, step: Callable[[], Outcome]) -> None:
    """Record the step's outcome, or its failure: an error ends this action only."""
    if not run.begin([i]):
        return
    try:
        run.outcomes[i] = step()
    except STEP_ERRORS as e:
        run.outcomes[i] = Outcome(run.plan.actions[i], FAILED_OUTCOME, str(e) or type(e).__name__)


def _target(run: _Run, i: int, action: Action) -> str | None:
    """The action's chatbot id; when there is none, record why and return None."""
    cid = run.ids.get(action.agent)
    if cid is None:
        creates = [j for j, a in run.indexed(CREATE_AGENT) if a.agent == action.agent]
        why = (
            f"skipped: agent '{action.agent}' could not be created"
            if creates
            else f"no chatbot id for agent '{action.agent}': no match and no create"
        )
        run.outcomes[i] = Outcome(action, SKIPPED if creates else FAILED_OUTCOME, why)
    return cid
