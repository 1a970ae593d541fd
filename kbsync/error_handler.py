"""The ONE place that turns errors into messages and exit codes."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from kbsync.errors import KbsyncError, ManifestError
from kbsync.github.summary import annotate_error, escape_data, escape_property
from kbsync.github.summary import redact as redact_with
from kbsync.neutralise import neutralise

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_PARTIAL = 3
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, what a shell reports for a terminated process


class Terminated(KeyboardInterrupt):
    """SIGTERM (e.g. a cancelled CI job): stop the way Ctrl-C does, but exit 143."""


def redact(text: str) -> str:
    """Remove the API key from anything about to be shown, whatever produced it, and
    neutralise it: error messages quote server answers and file contents."""
    return neutralise(redact_with(text, os.environ))


def annotate(message: str, stream: TextIO) -> None:
    """Also report as GitHub annotations when running in GitHub Actions."""
    annotate_error(message, os.environ, stream)


def _annotate_manifest(err: ManifestError, stream: TextIO) -> None:
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    for p in err.problems:
        where = f"file={escape_property(p.file)},line={p.line or 1},col={p.col or 1}"
        stream.write(f"::error {where}::{escape_data(p.message)}\n")


def report(err: BaseException, stream: TextIO) -> int:
    """Write one error's message and return its exit code."""
    if isinstance(err, ManifestError):
        stream.write(redact(str(err)) + "\n")
        _annotate_manifest(err, stream)
        return EXIT_ERROR
    if isinstance(err, KbsyncError):
        message = redact(f"Error: {err}")
        stream.write(message + "\n")
        annotate(message, stream)
        return err.exit_code
    if isinstance(err, KeyboardInterrupt):
        if _caused_by_sigterm(err):
            stream.write("Terminated.\n")
            return EXIT_TERMINATED
        stream.write("Interrupted.\n")
        return EXIT_INTERRUPTED
    message = redact(f"kbsync: internal error: {type(err).__name__}: {err}")
    stream.write(message + "\n(set KBSYNC_DEBUG=1 to see the traceback)\n")
    annotate(message, stream)
    return EXIT_ERROR


def run_command(command: Callable[[], int]) -> int:
    """Run a command function; whatever escapes it becomes a message and an exit code."""
    try:
        with _sigterm_as_interrupt():
            return command()
    except (Exception, KeyboardInterrupt) as e:
        if os.environ.get("KBSYNC_DEBUG") == "1" and not isinstance(e, KbsyncError):
            raise
        return report(e, sys.stderr)


def interrupted_exit_code(err: BaseException) -> int:
    """143 when SIGTERM caused this interrupt, else 130 (Ctrl-C)."""
    return EXIT_TERMINATED if _caused_by_sigterm(err) else EXIT_INTERRUPTED


def _caused_by_sigterm(err: BaseException) -> bool:
    """Terminated, or an interrupt raised while handling one (e.g. ApplyInterrupted)."""
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, Terminated):
            return True
        seen = seen.__context__
    return False


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """While a command runs, SIGTERM unwinds like Ctrl-C, so apply can say what it did."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set signal handlers
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
