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
from kbsync.pipeline import open_api, plan_options, read_and_plan
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
    api = open_api(args.connection, desired.manifest_path, desired.project, env)
    try:
        planned = read_and_plan(api, desired, options, parallelism=args.parallelism)
        warn_limits(api, planned.plan, planned.inventory, stderr)
    finally:
        api.close()
    write_block(stdout, render_plan(planned.plan, args.fmt, use_color(stdout, env)))
    if out is not None:
        save_plan(out, planned.plan, desired, planned.inventory, options)
        stderr.write(f"Saved the plan to {out}; apply it with `kbsync apply {out}`.\n")
    step_summary(planned.plan, None, env, stderr)
    if planned.plan.refusals:
        refusals = "\n".join(f"Guard refused the plan: {r}" for r in planned.plan.refusals)
        annotate_error(refusals, env, stderr)
        return EXIT_ERROR
    return EXIT_CHANGES if detailed_exitcode and planned.plan.has_changes else EXIT_OK
