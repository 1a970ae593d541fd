"""``kbsync apply [PLAN]``: plan (or take a reviewed plan) and make the project match."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple, TextIO

from kbsync.applylock import apply_lock
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
from kbsync.error_handler import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL
from kbsync.errors import ConfigError, GuardError, StalePlanError
from kbsync.executor import ApplyInterrupted, apply_plan
from kbsync.github.summary import log_group
from kbsync.limits import enforce_limits
from kbsync.model import ApplyResult
from kbsync.pipeline import Planned, open_api, plan_options, read_and_plan
from kbsync.planfile import check_fresh, load_plan
from kbsync.progress import make_progress
from kbsync.robofy.api import RobofyApi
from kbsync.sources import load_desired_state


class ApplyArgs(NamedTuple):
    plan_file: Path | None = None
    yes: bool = False
    max_delete: str | None = None
    recrawl: tuple[str, ...] = ()
    wait: bool = True
    wait_timeout: float = 1800.0


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
    if apply_args.plan_file is not None:
        _refuse_options_beside_plan(args, apply_args)
        return _apply_saved(args, apply_args, env, stdout=stdout, stderr=stderr)
    options = plan_options(
        max_delete=apply_args.max_delete,
        recrawl=recrawl_targets(apply_args.recrawl),
        agents=args.agents,
    )
    desired = load_desired(args, env)
    check_recrawl(options, desired)
    print_banner(args, desired.manifest_path, stdout, stderr)
    api = open_api(args.connection, desired.manifest_path, desired.project, env)
    try:
        with apply_lock(desired.manifest_path, stderr):  # read after a concurrent apply ends
            planned = read_and_plan(api, desired, options, parallelism=args.parallelism)
            return _review_and_run(api, planned, args, apply_args, env, confirm, stdout, stderr)
    finally:
        api.close()


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


def _apply_saved(
    args: RemoteArgs,
    apply_args: ApplyArgs,
    env: Mapping[str, str],
    *,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    assert apply_args.plan_file is not None
    saved = load_plan(apply_args.plan_file)
    if not saved.manifest.is_file():
        raise StalePlanError(f"the plan's manifest {saved.manifest} is gone; nothing was applied")
    desired = load_desired_state(saved.manifest, env)
    print_banner(args, desired.manifest_path, stdout, stderr)
    api = open_api(args.connection, desired.manifest_path, desired.project, env)
    try:
        with apply_lock(desired.manifest_path, stderr):
            planned = read_and_plan(api, desired, saved.options, parallelism=args.parallelism)
            check_fresh(saved, desired, planned.inventory, planned.plan)
            # the plan was reviewed when it was saved: no second question
            reviewed = apply_args._replace(yes=True)
            return _review_and_run(api, planned, args, reviewed, env, None, stdout, stderr)
    finally:
        api.close()


def _review_and_run(
    api: RobofyApi,
    planned: Planned,
    args: RemoteArgs,
    apply_args: ApplyArgs,
    env: Mapping[str, str],
    confirm: Callable[[str], bool] | None,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    plan = planned.plan
    if args.fmt != "json":
        write_block(stdout, render_plan(plan, args.fmt, use_color(stdout, env)))
    if plan.refusals:
        step_summary(plan, None, env)
        reasons = "\n".join(f"  - {r}" for r in plan.refusals)
        raise GuardError(f"apply refused by a safety guard; nothing was applied:\n{reasons}")
    enforce_limits(api, plan, planned.inventory, stderr)
    if not plan.has_changes:
        return EXIT_OK
    if confirm is not None and not apply_args.yes and not confirm("Apply these changes?"):
        stderr.write("Apply cancelled; nothing was changed.\n")
        return EXIT_ERROR
    try:
        with log_group("kbsync apply: progress", env, stderr):
            result = _run(api, planned, args, apply_args, stderr)
    except ApplyInterrupted as interrupted:
        # say what was done before the interrupt, then let the handler exit 130
        write_block(stdout, render_result(interrupted.result, args.fmt, use_color(stdout, env)))
        raise
    write_block(stdout, render_result(result, args.fmt, use_color(stdout, env)))
    step_summary(plan, result, env)
    return EXIT_PARTIAL if result.failed else EXIT_OK


def _run(
    api: RobofyApi, planned: Planned, args: RemoteArgs, apply_args: ApplyArgs, stderr: TextIO
) -> ApplyResult:
    progress = make_progress(stderr)
    try:
        return apply_plan(
            api,
            planned.plan,
            parallelism=args.parallelism,
            wait=apply_args.wait,
            wait_timeout=apply_args.wait_timeout,
            progress=progress,
        )
    finally:
        progress.close()
