"""The shared click options: the ones every remote command takes, the emulator's, and the
types they use (finite seconds, manifest paths). Only kbsync.cli imports click."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

DAY = 86400.0


class Seconds(click.FloatRange):
    """A finite number of seconds from 0 to ``max``: ``nan`` would make a wait endless."""

    name = "seconds"

    def __init__(self, maximum: float) -> None:
        super().__init__(min=0.0, max=maximum)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a number of seconds.", param, ctx)
        return seconds


# a path, not a str to click: shells complete file names after -f
MANIFEST_PATH = click.Path(dir_okay=False)
VERBOSE = click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Log each request to stderr: method, path, status, milliseconds, retries.",
)


def remote_options(func: F) -> F:
    """The options every command that talks to Robofy takes."""
    decorators = [
        click.option(
            "-f",
            "--file",
            "manifest",
            type=MANIFEST_PATH,
            help="Manifest (default: $KBSYNC_FILE or kbsync.yaml).",
        ),
        click.option("--sandbox", is_flag=True, help="Use the local emulator; no account needed."),
        click.option("--base-url", help="Robofy API base URL (default: $ROBOFY_BASE_URL)."),
        click.option(
            "--parallelism",
            type=click.IntRange(1, 64),
            default=8,
            show_default=True,
            help="Requests to Robofy at the same time (1-64).",
        ),
        click.option("--agent", "agents", multiple=True, help="Only this agent key (repeatable)."),
        VERBOSE,
        click.option(
            "--format",
            "fmt",
            type=click.Choice(["text", "json", "markdown"]),
            default="text",
            show_default=True,
            help="Output: text for people, json for scripts, markdown for pull requests.",
        ),
        click.option(
            "--rate-limit-budget",
            type=Seconds(7 * DAY),
            default=600.0,
            show_default=True,
            help="Most seconds this run waits out Robofy rate limits (429) in total.",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


# the emulator's; tests check they agree (no import here: start-up stays light)
CRAWL_MODES = ("simulate", "fetch")
DIALECTS = ("canonical", "documented")


def emulator_options(func: F) -> F:
    """The emulator's options (the same as ``python -m kbsync.emulator``)."""
    rate = click.FloatRange(0, 1)
    decorators = [
        click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind."),
        click.option(
            "--port",
            type=click.IntRange(0, 65535),
            default=8765,
            show_default=True,
            help="Port (0: any free port; the printed URL shows it).",
        ),
        click.option(
            "--db",
            type=click.Path(dir_okay=False),
            default=":memory:",
            help="SQLite file that keeps the data across restarts (default: in memory).",
        ),
        click.option(
            "--api-key",
            "api_keys",
            multiple=True,
            metavar="KEY=PID[,PID]",
            help="Accepted key and its projects (repeatable; replaces the default test-key=1).",
        ),
        click.option("--latency-ms", type=float, default=0.0, help="Latency added per request."),
        click.option("--fail-rate", type=rate, default=0.0, help="Share of requests answered 500."),
        click.option(
            "--rate-limit",
            type=float,
            default=0.0,
            metavar="RPS",
            help="Requests per second (0: off).",
        ),
        click.option(
            "--drop-after-commit",
            type=rate,
            default=0.0,
            metavar="RATE",
            help="Share of requests whose connection drops after the commit.",
        ),
        click.option(
            "--seed", type=click.IntRange(0), default=0, help="Seed of the fault generator."
        ),
        click.option(
            "--crawl-mode",
            type=click.Choice(CRAWL_MODES),
            default="simulate",
            show_default=True,
            help="simulate: generated sites; fetch: real HTTP crawls.",
        ),
        click.option(
            "--crawl-pace",
            type=float,
            default=10.0,
            show_default=True,
            metavar="PAGES_PER_SEC",
            help="Simulated crawl pace (0: every page at once).",
        ),
        click.option(
            "--processing-seconds",
            type=float,
            default=0.5,
            show_default=True,
            help="How long new texts and files stay Processing.",
        ),
        click.option(
            "--dialect",
            type=click.Choice(DIALECTS),
            default="canonical",
            show_default=True,
            help="canonical: the assumed contract; documented: answer as Robofy's docs show"
            " (agent_name, data.report.rows, no limit, llm_source names, Linked files, ...).",
        ),
        click.option(
            "--seed-demo", is_flag=True, help="First create a demo agent (lowest project)."
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func
