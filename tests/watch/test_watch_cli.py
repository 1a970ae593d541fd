"""``kbsync watch --sandbox`` as a real process: it applies an edit, and Ctrl-C exits 130."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tests.watch.conftest import wait_until, write


class Lines:
    """Collects a process's stdout lines from a reader thread."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert proc.stdout is not None
        self._stream = proc.stdout
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self._stream:
            self.lines.append(line.rstrip("\n"))

    def having(self, text: str) -> list[str]:
        return [line for line in list(self.lines) if text in line]


def test_watch_sandbox_applies_an_edit_and_exits_130_on_ctrl_c(
    manifest: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ROBOFY_API_KEY", "KBSYNC_DEBUG")}
    command = ["watch", "-f", "kbsync.yaml", "--sandbox", "--debounce", "0.2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "kbsync", *command],
        cwd=tmp_path,
        env={**env, "NO_COLOR": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out = Lines(proc)
        wait_until(lambda: out.having("start -> "), timeout=30, what="the first apply")
        assert out.lines[0].startswith("sandbox: ")
        assert "1 agent created, 2 added" in out.having("start -> ")[0]
        faq = manifest.parent / "docs" / "faq.md"
        for attempt in range(5):  # the native observer may still be settling in
            write(faq, f"# FAQ\n\nEdited in the sandbox ({attempt}).\n")
            try:
                wait_until(lambda: out.having("docs/faq.md changed -> 1 replaced"), timeout=5)
                break
            except AssertionError:
                continue
        assert out.having("docs/faq.md changed -> 1 replaced"), out.lines
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "Stopped watching." in stderr


def test_watch_keeps_cycling_when_a_named_pipe_appears(manifest: Path, tmp_path: Path) -> None:
    """A FIFO where a file is read (here a .kbsyncignore) used to block the cycle for ever."""
    env = {k: v for k, v in os.environ.items() if k not in ("ROBOFY_API_KEY", "KBSYNC_DEBUG")}
    command = ["watch", "-f", "kbsync.yaml", "--sandbox", "--debounce", "0.2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "kbsync", *command],
        cwd=tmp_path,
        env={**env, "NO_COLOR": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out = Lines(proc)
        wait_until(lambda: out.having("start -> "), timeout=30, what="the first apply")
        os.mkfifo(manifest.parent / "docs" / ".kbsyncignore")
        wait_until(lambda: out.having("named pipe"), timeout=30, what="the pipe refused")
        (manifest.parent / "docs" / ".kbsyncignore").unlink()
        faq = manifest.parent / "docs" / "faq.md"
        for attempt in range(5):  # the native observer may need a nudge
            write(faq, f"# FAQ\n\nEdited after the pipe ({attempt}).\n")
            try:
                wait_until(lambda: out.having("1 replaced"), timeout=5)
                break
            except AssertionError:
                continue
        assert out.having("1 replaced"), out.lines  # still cycling
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
