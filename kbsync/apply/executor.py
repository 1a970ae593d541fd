"""Apply a Plan: order, bounded parallelism, waiting, make-before-break, partial failure.

Order: create agents; then profile/prompt/settings/persona (one
agent's updates in sequence, agents in parallel, so two partial PUTs of the same
settings never race); then uploads, replacements' new versions and crawls; then
waiting; then delinks, last. A replacement's old version is delinked only once its
new version is READY. When any create, add, replace or crawl failed, no delink is
sent in that run but those of failed copies (they hold no content). An agent's
prunes are sent only when every add, replace, crawl and awaited crawl of that agent
in this run is confirmed ready (not with --no-wait, not while one is still running):
pruning the old before the new is there would leave the agent without the content.
Every action ends with exactly one Outcome; one failure never stops the others.
Agents are never deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from kbsync.apply import steps
from kbsync.apply.bookkeeping import _attempt, _in_parallel, _Run, _target
from kbsync.apply.waiting import Settled, Watch, wait_until_settled
from kbsync.errors import GuardError, RobofyError
from kbsync.model import (
    CONTENT_KINDS,
    CRAWL,
    CREATE_AGENT,
    DELINK,
    DONE,
    FAILED,
    FAILED_OUTCOME,
    READY,
    REPLACE_KINDS,
    SKIPPED,
    STILL_RUNNING,
    UPDATE_KINDS,
    UPLOAD_KINDS,
    WAIT_CRAWL,
    Action,
    ApplyResult,
    Outcome,
    Plan,
)
from kbsync.render.progress import NullProgress, Progress
from kbsync.robofy.api import RobofyApi

# a failure of one of these means content may be missing: then nothing is delinked
GUARDING_KINDS = (CREATE_AGENT, *CONTENT_KINDS)


class ApplyInterrupted(KeyboardInterrupt):
    """Ctrl-C during apply; carries what was done so far, for the summary."""

    def __init__(self, result: ApplyResult) -> None:
        super().__init__("apply interrupted")
        self.result = result


def apply_plan(
    api: RobofyApi,
    plan: Plan,
    *,
    parallelism: int = 8,
    wait: bool = True,
    wait_timeout: float = 1800.0,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> ApplyResult:
    """Make the remote match ``plan``. The caller owns (and closes) ``progress``."""
    if plan.refusals:
        raise GuardError("the plan was refused, nothing was applied: " + "; ".join(plan.refusals))
    run = _Run(api, plan, parallelism, progress or NullProgress())
    try:
        _create_agents(run)
        _update_agents(run)
        _start_content(run)
        _wait(run, wait, wait_timeout, clock, sleep)
        _delink(run, wait)
    except KeyboardInterrupt:
        raise ApplyInterrupted(run.stop()) from None
    return run.result()


# --- phases -----------------------------------------------------------------------


def _create_agents(run: _Run) -> None:
    _in_parallel(
        run, "Creating agents", [partial(_create, run, i) for i, _ in run.indexed(CREATE_AGENT)]
    )


def _create(run: _Run, i: int) -> None:
    action = run.plan.actions[i]

    def step() -> Outcome:
        cid = steps.create_agent(run.api, action)
        run.ids[action.agent] = cid
        return Outcome(action, DONE, f"created (chatbot id {cid})")

    _attempt(run, i, step)


def _update_agents(run: _Run) -> None:
    by_agent: dict[str, list[int]] = {}
    for i, action in run.indexed(*UPDATE_KINDS):
        by_agent.setdefault(action.agent, []).append(i)
    _in_parallel(run, "Updating agents", [partial(_update, run, ix) for ix in by_agent.values()])


def _update(run: _Run, indexes: list[int]) -> None:
    for i in indexes:
        action = run.plan.actions[i]
        cid = _target(run, i, action)
        if cid is not None:
            _attempt(run, i, partial(_updated, run, action, cid))


def _updated(run: _Run, action: Action, cid: str) -> Outcome:
    steps.update(run.api, action, cid)
    return Outcome(action, DONE, "updated")


def _start_content(run: _Run) -> None:
    for i, action in run.indexed(WAIT_CRAWL):
        cid = _target(run, i, action)
        if cid is None:
            continue
        if action.run_id is None:
            run.outcomes[i] = Outcome(action, SKIPPED, "the plan names no crawl run to wait for")
        else:
            run.watches[i] = Watch(cid, run_id=action.run_id)
            run.outcomes[i] = Outcome(action, STILL_RUNNING, f"crawl run {action.run_id} running")
    jobs = [partial(_start, run, i) for i, _ in run.indexed(*UPLOAD_KINDS, CRAWL)]
    _in_parallel(run, "Uploading and crawling", jobs)


def _start(run: _Run, i: int) -> None:
    action = run.plan.actions[i]
    cid = _target(run, i, action)
    if cid is None:
        return

    def step() -> Outcome:
        run.watches[i] = steps.start(run.api, action, cid)
        return Outcome(action, STILL_RUNNING, "accepted; not yet confirmed ready")

    _attempt(run, i, step)


def _wait(
    run: _Run,
    wait: bool,
    timeout: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> None:
    indexes = sorted(run.watches)
    if not indexes:
        return
    if not wait:
        _not_waited(run, indexes)
        return
    watches = [run.watches[i] for i in indexes]
    settled = wait_until_settled(
        run.api, watches, timeout=timeout, clock=clock, sleep=sleep, progress=run.progress
    )
    for i, where in zip(indexes, settled, strict=True):
        run.outcomes[i] = _settled_outcome(run.plan.actions[i], where, timeout)
    running = sum(1 for where in settled if where.state not in (READY, FAILED))
    run.pending_statuses.update(s for where in settled for s in where.statuses if s)
    if running:
        run.notes.append(
            f"Stopped waiting after {timeout:g}s with {running} item(s) still running; "
            "apply again later to finish (replaced items keep their old versions until then)."
        )


def _not_waited(run: _Run, indexes: list[int]) -> None:
    for i in indexes:
        action = run.plan.actions[i]
        if action.kind == WAIT_CRAWL:
            run.outcomes[i] = Outcome(action, SKIPPED, "not waited for (--no-wait)")
        elif action.kind == CRAWL:
            run.outcomes[i] = Outcome(action, DONE, "crawl started; not waited for (--no-wait)")
        elif action.kind in REPLACE_KINDS:
            message = "new version uploaded, still processing; the old version stays linked"
            run.outcomes[i] = Outcome(action, DONE, message + " until the next apply (--no-wait)")
        elif run.watches[i].ready:
            run.outcomes[i] = Outcome(action, DONE, "uploaded; ready")
        else:
            run.outcomes[i] = Outcome(action, DONE, "uploaded; still processing (--no-wait)")
    replaces = [i for i in indexes if run.plan.actions[i].kind in REPLACE_KINDS]
    if replaces:
        run.notes.append(
            f"--no-wait: the old versions of {len(replaces)} replaced item(s) stay linked; "
            "the next apply delinks them once the new versions are ready."
        )


def _settled_outcome(action: Action, where: Settled, timeout: float) -> Outcome:
    replace = action.kind in REPLACE_KINDS
    if where.state == READY:
        return Outcome(action, DONE, "new version ready" if replace else where.detail)
    if where.state == FAILED:
        kept = "; the old version is kept" if replace else ""
        return Outcome(action, FAILED_OUTCOME, f"{where.detail}{kept}")
    kept = "; the old version stays linked until the new one is ready" if replace else ""
    return Outcome(action, STILL_RUNNING, f"still running after {timeout:g}s: {where.detail}{kept}")


def _delink(run: _Run, wait: bool) -> None:
    delinks = [i for i, _ in run.indexed(DELINK)]
    replaces = [i for i, _ in run.indexed(*REPLACE_KINDS) if wait and _ready_replace(run, i)]
    failed = [i for i, _ in run.indexed(*GUARDING_KINDS) if run.status(i) == FAILED_OUTCOME]
    if failed:
        # a failed copy holds no content, so its delink goes even after a failure
        empty = [i for i in delinks if run.plan.actions[i].holds_no_content]
        skipped = [i for i in delinks if not run.plan.actions[i].holds_no_content]
        if skipped or replaces:
            _skip_delinks(run, skipped, replaces, len(failed))
        delinks, replaces = empty, []
    by_agent: dict[str, list[int]] = {}
    for i in _confirmed_delinks(run, delinks, wait) + replaces:
        cid = _target(run, i, run.plan.actions[i])
        if cid is not None:
            by_agent.setdefault(cid, []).append(i)
    jobs = [partial(_delink_agent, run, cid, ix) for cid, ix in by_agent.items()]
    _in_parallel(run, "Delinking", jobs)


def _ready_replace(run: _Run, i: int) -> bool:
    return i in run.watches and run.status(i) == DONE


def _confirmed_delinks(run: _Run, delinks: list[int], wait: bool) -> list[int]:
    """The delinks to send: all but the prunes of agents whose new content is unconfirmed.

    A superseded version's delink goes: its new version was ready when the plan was made;
    so does a failed copy's: it holds no content.
    """
    unconfirmed: dict[str, int] = {}
    for i, action in run.indexed(*CONTENT_KINDS):
        if not _confirmed(run, i, wait):
            unconfirmed[action.agent] = unconfirmed.get(action.agent, 0) + 1
    held = [
        i
        for i in delinks
        if _is_prune(run.plan.actions[i]) and run.plan.actions[i].agent in unconfirmed
    ]
    if held:
        _hold_prunes(run, held, unconfirmed, wait)
    skipped = set(held)  # a plan may hold thousands of prunes
    return [i for i in delinks if i not in skipped]


def _is_prune(action: Action) -> bool:
    """A superseded version finishes a replacement; a failed copy holds no content."""
    return action.is_prune


def _confirmed(run: _Run, i: int, wait: bool) -> bool:
    """Ready as far as this run saw: waited for and done, or ready on upload."""
    watch = run.watches.get(i)
    return run.status(i) == DONE and (wait or (watch is not None and watch.ready))


def _hold_prunes(run: _Run, held: list[int], unconfirmed: dict[str, int], wait: bool) -> None:
    state = "not waited for (--no-wait)" if not wait else "not ready yet"
    agents = sorted({run.plan.actions[i].agent for i in held})
    for i in held:
        action = run.plan.actions[i]
        why = (
            f"skipped: {unconfirmed[action.agent]} add, replace or crawl action(s) of agent "
            f"'{action.agent}' are {state}; nothing is pruned before the new content is ready"
        )
        run.outcomes[i] = Outcome(action, SKIPPED, why)
    run.notes.append(
        f"{len(held)} delink(s) of agent(s) {', '.join(agents)} were skipped: their new "
        f"content is {state}; apply again once it is ready to delink them."
    )


def _skip_delinks(run: _Run, prunes: list[int], replaces: list[int], failures: int) -> None:
    why = f"{failures} add, replace or crawl action(s) failed in this run"
    for i in prunes:
        run.outcomes[i] = Outcome(run.plan.actions[i], SKIPPED, f"skipped: {why}")
    for i in replaces:
        message = f"new version ready; the old version stays linked because {why}"
        run.outcomes[i] = Outcome(run.plan.actions[i], SKIPPED, message)
    run.notes.append(
        f"All delinks were skipped because {why}; nothing is removed until they succeed."
    )


def _delink_agent(run: _Run, cid: str, indexes: list[int]) -> None:
    """One request for the agent's delinks; when it fails, one per action to isolate it."""
    every = sorted({lid for i in indexes for lid in run.plan.actions[i].linkage_ids})
    errors: dict[int, str] = {}
    if not run.begin(indexes):
        return
    try:
        done = steps.delink(run.api, cid, every) if every else set()
    except RobofyError as e:
        if len(indexes) > 1:
            done, errors = _delink_one_by_one(run, cid, indexes)
        else:
            done, errors = set(), {indexes[0]: str(e)}
    for i in indexes:
        run.outcomes[i] = _delink_outcome(run.plan.actions[i], done, errors.get(i, ""))


def _delink_one_by_one(run: _Run, cid: str, indexes: list[int]) -> tuple[set[int], dict[int, str]]:
    done: set[int] = set()
    errors: dict[int, str] = {}
    for i in indexes:
        try:
            done |= steps.delink(run.api, cid, list(run.plan.actions[i].linkage_ids))
        except RobofyError as e:
            errors[i] = str(e)
    return done, errors


def _delink_outcome(action: Action, done: set[int], error: str) -> Outcome:
    missing = [lid for lid in action.linkage_ids if lid not in done]
    replace = action.kind in REPLACE_KINDS
    if not missing:
        return Outcome(action, DONE, "new version ready; old version delinked" if replace else "")
    why = error or f"Robofy did not confirm delinking {', '.join(map(str, missing))}"
    prefix = "new version ready, but the old version could not be delinked: " if replace else ""
    return Outcome(action, FAILED_OUTCOME, prefix + why)
