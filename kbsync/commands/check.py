"""``kbsync check``: ask each agent its golden questions; exit 3 when one fails.

3, as ``apply --check`` uses: the questions were asked and answered, not all well.
1 stays what it means everywhere: an error (no answer, bad manifest, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from kbsync.commands.common import RemoteArgs, load_desired, print_banner, use_color, write_block
from kbsync.commands.connect import open_api
from kbsync.error_handler import EXIT_OK, EXIT_PARTIAL
from kbsync.golden.checks import run_checks
from kbsync.golden.pacing import chat_pacer
from kbsync.render.checks import render_checks


def check(
    args: RemoteArgs,
    env: Mapping[str, str],
    *,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    desired = load_desired(args, env)
    print_banner(args, desired.manifest_path, stdout, stderr)
    api = open_api(
        args.connection, desired.manifest_path, desired.project, env, statuses=desired.statuses
    )
    try:
        results = run_checks(api, desired, args.agents, chat_pacer(api, desired, stderr))
    finally:
        api.close()
    color = use_color(stdout, env)
    write_block(stdout, render_checks(results, args.fmt, color=color), color=color)
    return EXIT_OK if all(r.passed for r in results) else EXIT_PARTIAL
