"""SIGTERM stops `kbsync watch` the way Ctrl-C does, with the exit code a shell expects (143)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

from tests.reliability.conftest import Project
from tests.reliability.processes import kbsync_env, wait_for


def test_sigterm_stops_watch_cleanly_with_143(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "project", 2, 1)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kbsync", "watch", "--sandbox", "--debounce", "0.2"],
        cwd=project.root,
        env=kbsync_env("http://127.0.0.1:9"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    assert proc.stdout is not None
    stdout = proc.stdout
    threading.Thread(target=lambda: lines.extend(stdout), daemon=True).start()
    try:
        wait_for(lambda: any("start -> " in line for line in lines), 60, "the first apply")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 143, err
    assert "Traceback" not in err and "Stopped watching." in err
