"""``kbsync gaps``: what visitors asked that the knowledge does not answer, grouped."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import NamedTuple, TextIO

from kbsync.commands.common import RemoteArgs, load_desired, print_banner, write_block
from kbsync.durations import parse_duration
from kbsync.error_handler import EXIT_CHANGES, EXIT_OK
from kbsync.errors import ConfigError
from kbsync.gaps import group_gaps
from kbsync.gaps_read import ReadOptions, read_asked
from kbsync.gaps_render import GapReport, render_gaps, render_suggested_checks
from kbsync.pipeline import open_api


class GapsArgs(NamedTuple):
    since: str = "7d"
    max_sessions: int = 5_000
    suggest_checks: bool = False
    redact: bool = True
    detailed_exitcode: bool = False


def gaps(
    args: RemoteArgs,
    gaps_args: GapsArgs,
    env: Mapping[str, str],
    *,
    stdout: TextIO,
    stderr: TextIO,
    now: float | None = None,
) -> int:
    until = time.time() if now is None else now
    since = until - _window(gaps_args.since)
    desired = load_desired(args, env)
    print_banner(args, desired.manifest_path, stdout, stderr)
    options = ReadOptions(since, gaps_args.max_sessions, gaps_args.redact, args.parallelism)
    api = open_api(args.connection, desired.manifest_path, desired.project, env)
    try:
        scans, asked = read_asked(api, desired, args.agents, options)
    finally:
        api.close()
    report = GapReport(
        since, until, tuple(scans), tuple(group_gaps(asked)), gaps_args.redact, options.max_sessions
    )
    if gaps_args.suggest_checks:
        write_block(stdout, render_suggested_checks(report))
    else:
        write_block(stdout, render_gaps(report, args.fmt))
    return EXIT_CHANGES if gaps_args.detailed_exitcode and report.gaps else EXIT_OK


def _window(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as err:
        raise ConfigError(f"--since: {err}") from None
