"""`kbsync apply` at a real (pseudo-)terminal: when it asks, and what Ctrl-C / Ctrl-D do.

The child process gets a pty as its controlling terminal on stdin and stderr, so a Ctrl-C
typed there reaches it as SIGINT through the terminal, as it would for a person.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import sys
import termios
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.cli.conftest import run_kbsync

QUESTION = "Apply these changes? [y/N]: "
CANCELLED = "Apply cancelled; nothing was changed."


class Session(NamedTuple):
    code: int
    terminal: str  # what the terminal showed (stderr, and stdout when not piped)
    out: str  # the piped stdout


def _take_terminal() -> None:
    """In the child: a new session whose controlling terminal is the pty on stdin."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _read(master: int, until: str, seen: bytearray) -> None:
    """Read the terminal until ``until`` shows (or the child is gone)."""
    while until.encode() not in seen:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            return
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed its end
            return
        if not chunk:
            return
        seen.extend(chunk)


def at_terminal(cwd: Path, keys: bytes, *, debug: bool = False, piped: bool = True) -> Session:
    """``kbsync apply --sandbox`` with stdin and stderr on a pty and stdout piped (or on
    the pty too); type ``keys`` when the question shows."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROBOFY_", "KBSYNC_"))}
    env.update(NO_COLOR="1", **({"KBSYNC_DEBUG": "1"} if debug else {}))
    master, slave = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "kbsync", "apply", "--sandbox"],
        cwd=cwd,
        env=env,
        stdin=slave,
        stdout=subprocess.PIPE if piped else slave,
        stderr=slave,
        preexec_fn=_take_terminal,
    ) as child:
        os.close(slave)
        seen = bytearray()
        _read(master, QUESTION, seen)
        if QUESTION.encode() in seen:
            os.write(master, keys)
        out = child.stdout.read().decode() if child.stdout else ""
        code = child.wait(timeout=120)
        _read(master, "\0", seen)  # the rest, up to the end
    os.close(master)
    return Session(code, seen.decode(errors="replace").replace("\r\n", "\n"), out)


def test_apply_asks_at_a_terminal_even_with_stdout_piped(project: Path) -> None:
    done = at_terminal(project, b"y\n")
    assert QUESTION in done.terminal
    assert done.code == 0, done.terminal
    assert "+ create agent" in done.out and "Applied: 8 done, 0 failed" in done.out
    again = run_kbsync("plan", "--sandbox", "--detailed-exitcode", cwd=project)
    assert again.code == 0, again.both  # it was applied


def test_no_at_the_question_cancels(project: Path) -> None:
    done = at_terminal(project, b"n\n")
    assert done.code == 1 and CANCELLED in done.terminal


@pytest.mark.parametrize("debug", [False, True])
def test_ctrl_c_at_the_question_cancels_with_130(project: Path, debug: bool) -> None:
    done = at_terminal(project, b"\x03", debug=debug, piped=False)
    assert done.code == 130, done.terminal
    assert CANCELLED in done.terminal
    assert "internal error" not in done.terminal and "Traceback" not in done.terminal
    untouched = run_kbsync("plan", "--sandbox", "--detailed-exitcode", cwd=project)
    assert untouched.code == 2, untouched.both  # nothing was changed


@pytest.mark.parametrize("debug", [False, True])
def test_ctrl_d_at_the_question_cancels_with_1(project: Path, debug: bool) -> None:
    done = at_terminal(project, b"\x04", debug=debug, piped=False)
    assert done.code == 1, done.terminal
    assert CANCELLED in done.terminal
    assert "internal error" not in done.terminal and "Traceback" not in done.terminal


def test_without_a_terminal_apply_says_in_one_line_that_it_does_not_ask(project: Path) -> None:
    done = run_kbsync("apply", "--sandbox", cwd=project)
    assert done.code == 0, done.both
    assert done.err.count("stdin is not a terminal, so apply does not ask") == 1
    assert "--yes" in done.err
    quiet = run_kbsync("apply", "--sandbox", "--yes", cwd=project)
    assert "not a terminal" not in quiet.err
