"""``kbsync apply [PLAN]``: plan (or take a reviewed plan) and make the project match."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, TextIO

from kbsync.apply.executor import ApplyInterrupted
from kbsync.apply.session import ApplySession, Guarded
from kbsync.commands.common import (
    RemoteArgs,
    check_recrawl,
    load_desired,
    print_banner,
    recrawl_targets,
    render_plan,
    render_result,
    step_summary,
    use_color,
    write_block,
)
from kbsync.commands.connect import open_api
from kbsync.desired.expand import load_desired_state
from kbsync.error_handler import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, interrupted_exit_code
from kbsync.errors import ConfigError, GuardError, StalePlanError
from kbsync.github.summary import log_group
from kbsync.golden.checks import CheckResult, run_checks
from kbsync.golden.pacing import chat_pacer
from kbsync.model import ApplyResult, DesiredState, PlanOptions
from kbsync.plan.limits import refuse_over_limits
from kbsync.plan.pipeline import Planned, plan_options
from kbsync.plan.planfile import check_fresh, load_plan
from kbsync.render.apply_json import JsonReport
from kbsync.render.checks import render_checks
from kbsync.render.progress import make_progress

# CI applies without --yes, as documented; one line says why nothing was asked
NOT_ASKED = "kbsync: stdin is not a terminal, so apply does not ask (pass --yes to say so)\n"


class ApplyArgs(NamedTuple):
    plan_file: Path | None = None
    yes: bool = False
    max_delete: str | None = None
    recrawl: tuple[str, ...] = ()
    wait: bool = True
    wait_timeout: float = 1800.0
    check: bool = False  # then ask the golden questions, after a successful apply only


class Session(NamedTuple):
    """One ``kbsync apply``: its options and where it talks to people."""

    args: RemoteArgs
    apply_args: ApplyArgs
    env: Mapping[str, str]
    stdout: TextIO
    stderr: TextIO
    confirm: Callable[[str], bool] | None  # None: nobody can answer (no terminal)


class Target(NamedTuple):
    """What to apply: the desired state, the plan options, and a check of the fresh plan."""

    desired: DesiredState
    options: PlanOptions
    vet: Callable[[Planned], None] = lambda planned: None


def apply(
    args: RemoteArgs,
    apply_args: ApplyArgs,
    env: Mapping[str, str],
    *,
    confirm: Callable[[str], bool] | None,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """``confirm`` is None when nobody can answer (no terminal): then we do not ask."""
    session = Session(args, apply_args, env, stdout, stderr, confirm)
    if apply_args.plan_file is None:
        return _apply(_from_manifest(session), session)
    _refuse_options_beside_plan(args, apply_args)
    # the plan was reviewed when it was saved: no second question
    reviewed = session._replace(apply_args=apply_args._replace(yes=True), confirm=None)
    return _apply(_from_saved_plan(apply_args.plan_file, env), reviewed)


def _from_manifest(session: Session) -> Target:
    args, apply_args = session.args, session.apply_args
    options = plan_options(
        max_delete=apply_args.max_delete,
        recrawl=recrawl_targets(apply_args.recrawl),
        agents=args.agents,
    )
    desired = load_desired(args, session.env)
    check_recrawl(options, desired)
    return Target(desired, options)


def _refuse_options_beside_plan(args: RemoteArgs, apply_args: ApplyArgs) -> None:
    """A saved plan was reviewed with its own manifest and options: another one given now
    would be silently ignored (or, for ``-f``, checked instead), so it is an error."""
    given = [
        name
        for name, value in (
            ("-f/--file", args.manifest),
            ("--agent", args.agents),
            ("--max-delete", apply_args.max_delete),
            ("--recrawl", apply_args.recrawl),
        )
        if value
    ]
    if given:
        raise ConfigError(
            f"apply {apply_args.plan_file}: {', '.join(given)} cannot be given with a saved "
            "plan, which carries its own manifest and options; re-run kbsync plan with them"
        )


def _from_saved_plan(plan_file: Path, env: Mapping[str, str]) -> Target:
    saved = load_plan(plan_file)
    if not saved.manifest.is_file():
        raise StalePlanError(f"the plan's manifest {saved.manifest} is gone; nothing was applied")
    desired = load_desired_state(saved.manifest, env)

    def still_fresh(planned: Planned) -> None:
        check_fresh(saved, desired, planned.inventory, planned.plan)

    return Target(desired, saved.options, still_fresh)


def _apply(target: Target, session: Session) -> int:
    args, desired = session.args, target.desired
    print_banner(args, desired.manifest_path, session.stdout, session.stderr)
    api = open_api(
        args.connection,
        desired.manifest_path,
        desired.project,
        session.env,
        statuses=desired.statuses,
    )
    guard = ApplySession(api, args.parallelism, session.stderr)
    try:
        with guard.guarded(desired, target.options, target.vet) as guarded:
            return _review_and_run(Applying(guard, guarded), session)
    finally:
        api.close()


class Applying(NamedTuple):
    """The guarded session and its judged plan, while the apply lock is held."""

    guard: ApplySession
    guarded: Guarded

    @property
    def planned(self) -> Planned:
        return self.guarded.planned


def _review_and_run(applying: Applying, session: Session) -> int:
    if session.args.fmt == "json":
        return _review_and_run_json(applying, session)
    planned = applying.planned
    fmt, color = session.args.fmt, _color(session)
    _show(session, render_plan(planned.plan, fmt, color))

    def show(result: ApplyResult) -> None:
        _show(session, render_result(result, fmt, color))

    def show_checks(results: Sequence[CheckResult]) -> None:
        _show(session, render_checks(results, fmt, color=color))

    code = _checked_run(applying, session, show)
    return _golden_checks(applying, session, code, show_checks)


def _review_and_run_json(applying: Applying, session: Session) -> int:
    """``--format json``: one document on stdout whatever happens (see apply_json)."""
    planned = applying.planned
    report = JsonReport(planned.plan)
    try:
        code = _checked_run(applying, session, report.record_result)
        return _golden_checks(applying, session, code, report.record_checks)
    except GuardError as refused:
        report.refusals = tuple(planned.plan.refusals) or (str(refused),)
        raise
    finally:
        _show(session, report.render())


def _golden_checks(
    applying: Applying,
    session: Session,
    code: int,
    show: Callable[[Sequence[CheckResult]], None],
) -> int:
    """``--check``: after a successful apply, ask the planned agents their golden questions."""
    if code != EXIT_OK or not session.apply_args.check:
        return code
    planned = applying.planned
    api = applying.guard.api
    pacer = chat_pacer(api, planned.desired, session.stderr)
    try:
        results = run_checks(api, planned.desired, planned.options.agents, pacer)
    except GuardError as refused:  # fair use: the day has too few messages left
        session.stderr.write(f"The golden questions were not asked: {refused}\n")
        return EXIT_PARTIAL  # the apply went through: never 1, which means nothing applied
    show(results)
    # the apply went through: a failed check is "finished, not all well" (3), never 1
    return EXIT_OK if all(r.passed for r in results) else EXIT_PARTIAL


def _checked_run(applying: Applying, session: Session, show: Callable[[ApplyResult], None]) -> int:
    """Refuse what is unsafe, ask when someone can answer, apply, ``show`` the result."""
    planned = applying.planned
    _refuse_unsafe(applying.guarded, session)
    if not planned.plan.has_changes:
        return EXIT_OK
    cancelled = _cancelled(session)
    if cancelled is not None:
        session.stderr.write("Apply cancelled; nothing was changed.\n")
        return cancelled
    result = _run_and_show(applying, session, show)
    step_summary(planned.plan, result, session.env, session.stderr)
    return EXIT_PARTIAL if result.failed else EXIT_OK


def _refuse_unsafe(guarded: Guarded, session: Session) -> None:
    """GuardError, nothing sent: a safety guard refused, or the account's limits would."""
    plan = guarded.plan
    if plan.refusals:
        step_summary(plan, None, session.env, session.stderr)
        reasons = "\n".join(f"  - {r}" for r in plan.refusals)
        raise GuardError(f"apply refused by a safety guard; nothing was applied:\n{reasons}")
    refuse_over_limits(guarded.limits, session.stderr)


def _cancelled(session: Session) -> int | None:
    """None to go ahead, else the exit code: "no" and Ctrl-D 1, Ctrl-C 130."""
    try:
        return None if _confirmed(session) else EXIT_ERROR
    except EOFError:
        return EXIT_ERROR
    except KeyboardInterrupt as interrupt:
        return interrupted_exit_code(interrupt)


def _confirmed(session: Session) -> bool:
    if session.apply_args.yes:
        return True
    if session.confirm is None:  # CI: nobody to ask, as documented; but say so
        session.stderr.write(NOT_ASKED)
        return True
    if session.args.fmt == "json":  # nobody was shown a plan to answer about
        raise GuardError("apply --format json does not ask: pass --yes; nothing was applied")
    return session.confirm("Apply these changes?")


def _run_and_show(
    applying: Applying, session: Session, show: Callable[[ApplyResult], None]
) -> ApplyResult:
    try:
        with log_group("kbsync apply: progress", session.env, session.stderr):
            result = _run(applying, session)
    except ApplyInterrupted as interrupted:
        show(interrupted.result)  # what was done before the interrupt; the handler exits 130
        raise
    show(result)
    return result


def _run(applying: Applying, session: Session) -> ApplyResult:
    progress = make_progress(session.stderr)
    try:
        return applying.guard.apply(
            applying.guarded,
            wait=session.apply_args.wait,
            wait_timeout=session.apply_args.wait_timeout,
            progress=progress,
        )
    finally:
        progress.close()


def _show(session: Session, text: str) -> None:
    write_block(session.stdout, text, color=_color(session))


def _color(session: Session) -> bool:
    return use_color(session.stdout, session.env)
