"""Command-line wiring: the only module that imports click. Commands live in kbsync.commands."""

from __future__ import annotations

import sys

import click

from kbsync import __version__
from kbsync.error_handler import run_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kbsync")
def cli() -> None:
    """GitOps for Robofy chatbot content: validate, plan, apply and watch a manifest."""


@cli.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def emulator(args: tuple[str, ...]) -> None:
    """Serve the local Robofy emulator over HTTP (see `kbsync emulator --help`)."""
    from kbsync.emulator.__main__ import main as emulator_main

    sys.exit(run_command(lambda: emulator_main(list(args))))


def main() -> None:
    cli(prog_name="kbsync")
