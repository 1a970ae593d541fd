"""``kbsync plan``: read the remote state and show what apply would change."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from kbsync.commands.common import (
    RemoteArgs,
    check_recrawl,
    load_desired,
    print_banner,
    recrawl_targets,
    render_plan,
    step_summary,
    use_color,
    write_block,
)
from kbsync.error_handler import EXIT_CHANGES, EXIT_ERROR, EXIT_OK
from kbsync.github.summary import annotate_error
from kbsync.limits import warn_limits
from kbsync.model import DesiredState, Plan, PlanOptions
from kbsync.pipeline import Planned, open_api, plan_options, read_and_plan
from kbsync.planfile import save_plan


def plan(
    args: RemoteArgs,
    env: Mapping[str, str],
    *,
    out: Path | None = None,
    detailed_exitcode: bool = False,
    max_delete: str | None = None,
    recrawl: tuple[str, ...] = (),
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    options = plan_options(
        max_delete=max_delete, recrawl=recrawl_targets(recrawl), agents=args.agents
    )
    desired = load_desired(args, env)
    check_recrawl(options, desired)
    print_banner(args, desired.manifest_path, stdout, stderr)
    planned = _read_and_plan(args, desired, options, env, stderr)
    color = use_color(stdout, env)
    write_block(stdout, render_plan(planned.plan, args.fmt, color), color=color)
    if out is not None:
        save_plan(out, planned.plan, desired, planned.inventory, options)
        stderr.write(f"Saved the plan to {out}; apply it with `kbsync apply {out}`.\n")
    step_summary(planned.plan, None, env, stderr)
    return _exit_code(planned.plan, detailed_exitcode, env, stderr)


def _read_and_plan(
    args: RemoteArgs,
    desired: DesiredState,
    options: PlanOptions,
    env: Mapping[str, str],
    stderr: TextIO,
) -> Planned:
    """Connect, read, plan, and warn (only) about the account's limits."""
    api = open_api(
        args.connection, desired.manifest_path, desired.project, env, statuses=desired.statuses
    )
    try:
        planned = read_and_plan(api, desired, options, parallelism=args.parallelism)
        warn_limits(api, planned.plan, planned.inventory, stderr)
    finally:
        api.close()
    return planned


def _exit_code(plan: Plan, detailed_exitcode: bool, env: Mapping[str, str], stderr: TextIO) -> int:
    """1 when a guard refused (annotated in GitHub Actions); 2 for changes if asked."""
    if plan.refusals:
        refusals = "\n".join(f"Guard refused the plan: {r}" for r in plan.refusals)
        annotate_error(refusals, env, stderr)
        return EXIT_ERROR
    return EXIT_CHANGES if detailed_exitcode and plan.has_changes else EXIT_OK
