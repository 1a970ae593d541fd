"""Real processes for end-to-end tests: the emulator and `kbsync`, on loopback.

- ``EmulatorProcess``: ``python -m kbsync.emulator`` on a free 127.0.0.1 port with a SQLite
  file store (so it can be copied, or outlive a killed client); ``.state()`` reads
  ``GET /_emulator/state``, ``.set_faults()`` posts ``/_emulator/faults``.
- ``kbsync_process`` / ``run_kbsync``: ``python -m kbsync ARGS`` with a distinctive API key
  and the emulator's URL in ROBOFY_API_KEY / ROBOFY_BASE_URL; the output must never hold a
  traceback or the key.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import httpx

SLOW = os.environ.get("KBSYNC_SLOW") == "1"
API_KEY = "kbsync-reliability-KEY-7f3a9c"  # distinctive: must never show up in any output
PROJECT = 1
EMULATOR = (sys.executable, "-m", "kbsync.emulator", "--port", "0")


def slow_or_default(default: int, slow: int) -> int:
    """The full count with KBSYNC_SLOW=1, a small seeded subset otherwise."""
    return slow if SLOW else default


# --- the emulator as a process ------------------------------------------------------------


class EmulatorProcess:
    """``python -m kbsync.emulator`` serving a SQLite file on 127.0.0.1 (free port)."""

    def __init__(
        self, db: Path, *options: str, key: str = API_KEY, command: tuple[str, ...] = EMULATOR
    ) -> None:
        self.db = db
        self.process = subprocess.Popen(
            [*command, "--db", str(db), "--api-key", f"{key}={PROJECT}", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        banner = self.process.stdout.readline().strip()
        ready = self.process.stdout.readline().strip()
        if ready != "ready":
            self.stop()
            raise AssertionError(f"the emulator did not start: {banner!r} {ready!r}")
        self.base_url = banner.rsplit(" ", 1)[-1]
        self._http = httpx.Client(base_url=self.base_url, timeout=30.0)

    def state(self) -> dict[str, Any]:
        response = self._http.get("/_emulator/state")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def set_faults(self, **faults: float) -> None:
        self._http.post("/_emulator/faults", json=faults).raise_for_status()

    def stop(self) -> str:
        """Stop with Ctrl-C; returns its stderr (which must hold no traceback)."""
        self._http_close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err

    def _http_close(self) -> None:
        if hasattr(self, "_http"):
            self._http.close()


# --- kbsync as a process -----------------------------------------------------------------


class Run(NamedTuple):
    code: int
    out: str
    err: str


def kbsync_env(base_url: str, key: str = API_KEY) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ROBOFY_", "KBSYNC_"))}
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        base.pop(name, None)
    return {
        **base,
        "NO_COLOR": "1",
        "ROBOFY_API_KEY": key,
        "ROBOFY_BASE_URL": base_url,
    }


def kbsync_process(
    base_url: str, cwd: Path, *args: str, key: str = API_KEY, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """``python -m kbsync ARGS`` started (not waited for), its output piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "kbsync", *args],
        cwd=cwd,
        env={**kbsync_env(base_url, key), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 180, key: str = API_KEY) -> Run:
    out, err = process.communicate(timeout=timeout)
    assert_clean(out, err, key)
    return Run(process.returncode, out, err)


def run_kbsync(
    base_url: str,
    cwd: Path,
    *args: str,
    timeout: float = 180,
    key: str = API_KEY,
    env: dict[str, str] | None = None,
) -> Run:
    return finish(kbsync_process(base_url, cwd, *args, key=key, env=env), timeout, key)


def assert_clean(out: str, err: str, key: str = API_KEY) -> None:
    """No traceback and no API key, whatever happened."""
    assert "Traceback" not in out + err, err[-3000:]
    assert key not in out + err


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
