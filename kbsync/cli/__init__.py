"""Command-line wiring: the only package that imports click. Commands live in kbsync.commands."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from kbsync import __version__
from kbsync.cli.options import CRAWL_MODES as CRAWL_MODES
from kbsync.cli.options import (
    DAY,
    MANIFEST_PATH,
    VERBOSE,
    Seconds,
    emulator_options,
    remote_options,
)
from kbsync.cli.options import DIALECTS as DIALECTS
from kbsync.error_handler import run_command


def _remote_args(kwargs: dict[str, Any]) -> Any:
    from kbsync.commands.common import RemoteArgs

    _log_requests(kwargs.pop("verbose"))
    return RemoteArgs(
        manifest=kwargs.pop("manifest"),
        sandbox=kwargs.pop("sandbox"),
        base_url=kwargs.pop("base_url"),
        parallelism=kwargs.pop("parallelism"),
        agents=tuple(kwargs.pop("agents")),
        fmt=kwargs.pop("fmt"),
        rate_limit_budget=kwargs.pop("rate_limit_budget"),
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kbsync")
def cli() -> None:
    """GitOps for Robofy chatbot content: validate, plan, apply and watch a manifest."""


@cli.command()
@emulator_options
def emulator(**kwargs: Any) -> None:
    """Serve the local Robofy emulator over loopback HTTP until Ctrl-C."""
    from kbsync.emulator.cli import OptionError, ServeOptions, check_options, run

    options = ServeOptions(**{**kwargs, "api_keys": tuple(kwargs["api_keys"])})
    try:
        check_options(options)
    except OptionError as e:
        raise click.BadParameter(e.message, param_hint=f"'{e.option}'") from None
    sys.exit(run_command(lambda: run(options)))


@cli.command()
@remote_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option("--max-delete", help="Most delinks allowed per agent: N or P% (default: half).")
@click.option("--recrawl", multiple=True, help="Crawl this site URL again ('all' for every site).")
def plan(**kwargs: Any) -> None:
    """Read the remote state and show what apply would change."""
    from kbsync.commands.plan import plan as plan_command

    args = _remote_args(kwargs)
    sys.exit(
        run_command(
            lambda: plan_command(args, os.environ, stdout=sys.stdout, stderr=sys.stderr, **kwargs)
        )
    )


@cli.command()
@remote_options
@click.argument("plan_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--max-delete", help="Most delinks allowed per agent: N or P% (default: half).")
@click.option("--recrawl", multiple=True, help="Crawl this site URL again ('all' for every site).")
@click.option("--no-wait", is_flag=True, help="Do not wait for crawls and processing.")
@click.option(
    "--wait-timeout",
    type=Seconds(7 * DAY),
    default=1800.0,
    show_default=True,
    help="Most seconds to wait for crawls and processing.",
)
@click.option("--check", "run_check", is_flag=True, help="Then ask the golden questions.")
def apply(**kwargs: Any) -> None:
    """Make the Robofy project match the manifest (or apply a saved PLAN_FILE).

    A saved plan carries its own manifest, --agent, --max-delete and --recrawl."""
    from kbsync.commands.apply import ApplyArgs
    from kbsync.commands.apply import apply as apply_command

    args = _remote_args(kwargs)
    apply_args = ApplyArgs(
        plan_file=kwargs["plan_file"],
        yes=kwargs["yes"],
        max_delete=kwargs["max_delete"],
        recrawl=tuple(kwargs["recrawl"]),
        wait=not kwargs["no_wait"],
        wait_timeout=kwargs["wait_timeout"],
        check=kwargs["run_check"],
    )
    # ask whenever someone at a terminal can answer, even with stdout piped (`| tee log`)
    confirm = _confirm if sys.stdin.isatty() else None
    sys.exit(
        run_command(
            lambda: apply_command(
                args, apply_args, os.environ, confirm=confirm, stdout=sys.stdout, stderr=sys.stderr
            )
        )
    )


@cli.command()
@remote_options
@click.option(
    "--debounce",
    type=Seconds(DAY),
    default=0.5,
    show_default=True,
    help="Seconds of quiet after a change before applying.",
)
@click.option("--prune", is_flag=True, help="Also delink what the manifest no longer declares.")
@click.option("--max-delete", help="With --prune: most delinks per agent: N or P%.")
def watch(**kwargs: Any) -> None:
    """Apply once, then again on every change to the manifest or the files it names."""
    from kbsync.commands.watch import WatchArgs
    from kbsync.commands.watch import watch as watch_command

    args = _remote_args(kwargs)
    watch_args = WatchArgs(kwargs["debounce"], kwargs["prune"], kwargs["max_delete"])
    sys.exit(
        run_command(
            lambda: watch_command(
                args, watch_args, os.environ, stdout=sys.stdout, stderr=sys.stderr
            )
        )
    )


@cli.command()
@click.option(
    "-f",
    "--file",
    "manifest",
    type=MANIFEST_PATH,
    help="Manifest (default: $KBSYNC_FILE or kbsync.yaml).",
)
def validate(manifest: str | None) -> None:
    """Check the manifest and the files it names (no network)."""
    from kbsync.commands.validate import validate as validate_command

    sys.exit(run_command(lambda: validate_command(manifest, os.environ, sys.stdout)))


@cli.command()
def schema() -> None:
    """Print the manifest's JSON Schema."""
    from kbsync.commands.schema import schema as schema_command

    sys.exit(run_command(lambda: schema_command(sys.stdout)))


@cli.command()
@remote_options
def check(**kwargs: Any) -> None:
    """Ask each agent its golden questions (checks:); exit 3 when an answer misses."""
    from kbsync.commands.check import check as check_command

    args = _remote_args(kwargs)
    sys.exit(
        run_command(lambda: check_command(args, os.environ, stdout=sys.stdout, stderr=sys.stderr))
    )


@cli.command()
@remote_options
@click.option("--since", default="7d", show_default=True, help="How far back: 12h, 7d, 2w, ...")
@click.option(
    "--max-sessions",
    type=click.IntRange(1),
    default=5_000,
    show_default=True,
    help="Most sessions read per agent (the newest).",
)
@click.option("--suggest-checks", is_flag=True, help="Print a checks: snippet for the top gaps.")
@click.option("--no-redact", is_flag=True, help="Show e-mails, phone numbers, ... as written.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are gaps.")
def gaps(**kwargs: Any) -> None:
    """Questions visitors asked that the agents could not answer, grouped, newest first."""
    from kbsync.commands.gaps import GapsArgs
    from kbsync.commands.gaps import gaps as gaps_command

    args = _remote_args(kwargs)
    gaps_args = GapsArgs(
        since=kwargs["since"],
        max_sessions=kwargs["max_sessions"],
        suggest_checks=kwargs["suggest_checks"],
        redact=not kwargs["no_redact"],
        detailed_exitcode=kwargs["detailed_exitcode"],
    )
    sys.exit(
        run_command(
            lambda: gaps_command(args, gaps_args, os.environ, stdout=sys.stdout, stderr=sys.stderr)
        )
    )


@cli.command()
@click.option(
    "-f", "--file", "manifest", type=MANIFEST_PATH, help="Manifest to take the project id from."
)
@click.option("--sandbox", is_flag=True, help="Probe the local emulator; no account needed.")
@click.option("--base-url", help="Robofy API base URL (default: $ROBOFY_BASE_URL).")
@click.option("--project", type=click.IntRange(1), help="Project id (default: $ROBOFY_PROJECT_ID).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output: text for people, json for scripts.",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False),
    help="Also write a redacted JSON report (shapes only, no values) to attach to a bug report.",
)
@VERBOSE
def doctor(**kwargs: Any) -> None:
    """Read-only probe: auth, project, and which response shapes each endpoint answers with."""
    from kbsync.commands.doctor import DoctorArgs
    from kbsync.commands.doctor import doctor as doctor_command

    _log_requests(kwargs.pop("verbose"))
    args = DoctorArgs(**kwargs)
    sys.exit(
        run_command(lambda: doctor_command(args, os.environ, stdout=sys.stdout, stderr=sys.stderr))
    )


@cli.command("import")
@click.option("--sandbox", is_flag=True, help="Use the local emulator; no account needed.")
@click.option("--base-url", help="Robofy API base URL (default: $ROBOFY_BASE_URL).")
@click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Requests to Robofy at the same time (1-64).",
)
@click.option("--agent", "agents", multiple=True, help="Only this agent name or id (repeatable).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default="kbsync.yaml",
    show_default=True,
    help="Manifest to write (prompt files go to prompts/ beside it).",
)
@click.option("--force", is_flag=True, help="Overwrite the manifest and prompt files.")
@click.option("--project", type=click.IntRange(1), help="Project id (default: $ROBOFY_PROJECT_ID).")
@click.option("--seed-demo", is_flag=True, help="With --sandbox: first create the demo agent.")
@VERBOSE
def import_(**kwargs: Any) -> None:
    """Write a manifest for existing agents (profile, prompt, settings, persona, websites)."""
    from kbsync.commands.common import RemoteArgs
    from kbsync.commands.importcmd import ImportArgs, import_agents

    _log_requests(kwargs.pop("verbose"))
    output = kwargs["output"]
    args = RemoteArgs(
        str(output), kwargs["sandbox"], kwargs["base_url"], kwargs["parallelism"], kwargs["agents"]
    )
    import_args = ImportArgs(output, kwargs["project"], kwargs["force"], kwargs["seed_demo"])
    sys.exit(run_command(lambda: import_agents(args, import_args, os.environ, stdout=sys.stdout)))


def _log_requests(verbose: bool) -> None:
    """--verbose: the request log (kbsync.requests) and retry notes (kbsync.robofy) on
    stderr. They name method, path and status only: never headers, bodies or the key."""
    if not verbose:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("kbsync: %(message)s"))
    for name in ("kbsync.requests", "kbsync.robofy"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def _confirm(question: str) -> bool:
    """y/N at the terminal. Ctrl-C and Ctrl-D reach apply as KeyboardInterrupt and
    EOFError (click.confirm would turn both into one Abort). The question goes where the
    person sees it: stderr when stdout is piped."""
    to_stderr = not sys.stdout.isatty()
    while True:
        click.echo(f"{question} [y/N]: ", nl=False, err=to_stderr)
        try:
            reply = input().strip().lower()
        except (KeyboardInterrupt, EOFError):
            click.echo(err=to_stderr)  # end the question's line
            raise
        if reply in ("", "n", "no"):
            return False
        if reply in ("y", "yes"):
            return True


def main() -> None:
    """Entry point. Usage errors exit 1, not click's 2: 2 means "changes" to CI."""
    try:
        code = cli.main(prog_name="kbsync", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("\nInterrupted.", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
