"""Helpers for watch tests: wait on conditions (never fixed sleeps), run a loop in a thread."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from kbsync.commands.common import RemoteArgs
from kbsync.commands.watch import Session, WatchArgs, run_watch
from kbsync.emulator import EmulatorApp
from kbsync.robofy.client import RobofyClient
from kbsync.sources import load_desired_state
from kbsync.watch import Backoff, ChangeCollector

POLL = 0.05  # the polling observer's scan interval in tests


def wait_until(condition: Callable[[], object], timeout: float = 15.0, what: str = "") -> None:
    """Poll ``condition`` until it is truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")


def polling_observer() -> BaseObserver:
    return PollingObserver(timeout=POLL)


class Background:
    """Runs a blocking function in a thread; ``stop`` ends it; errors re-raise on join."""

    def __init__(self, target: Callable[[threading.Event], object]) -> None:
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.result: object = None
        self._thread = threading.Thread(target=self._run, args=(target,), daemon=True)
        self._thread.start()

    def _run(self, target: Callable[[threading.Event], object]) -> None:
        try:
            self.result = target(self.stop)
        except BaseException as e:  # surfaced by join()
            self.error = e

    def join(self) -> object:
        self.stop.set()
        self._thread.join(timeout=15)
        assert not self._thread.is_alive(), "the watch loop did not stop"
        if self.error is not None:
            raise self.error
        return self.result


@pytest.fixture
def background() -> Iterator[Callable[[Callable[[threading.Event], object]], Background]]:
    started: list[Background] = []

    def start(target: Callable[[threading.Event], object]) -> Background:
        started.append(Background(target))
        return started[-1]

    yield start
    for bg in started:
        bg.stop.set()


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- a watch session around the in-process emulator ------------------------------------

MANIFEST = """\
version: 1
project: 1
agents:
  support:
    name: Support
    language: en
    knowledge:
      files:
        - path: docs/
          include: ["**/*.md"]
"""


@pytest.fixture
def emulator(emulator_app: EmulatorApp) -> EmulatorApp:
    """The shared in-process emulator (tests/conftest.py): processing is instant."""
    return emulator_app


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    write(tmp_path / "docs" / "faq.md", "# FAQ\n\nVersion 1.\n")
    write(tmp_path / "docs" / "guide.md", "# Guide\n")
    write(tmp_path / "kbsync.yaml", MANIFEST)
    return tmp_path / "kbsync.yaml"


class Watching:
    """``run_watch`` in a thread over the emulator, a polling observer and captured output."""

    def __init__(
        self, bg_start: Callable[[Callable[[threading.Event], object]], Background], **kw: Any
    ) -> None:
        self.app: EmulatorApp = kw.pop("app")
        self.manifest: Path = kw.pop("manifest")
        self.out = io.StringIO()
        self.err = io.StringIO()  # notices, e.g. waiting for another apply's lock
        self.collector = ChangeCollector()
        transport = httpx.WSGITransport(app=self.app)
        key = kw.pop("key", "test-key")
        self.api = RobofyClient(key, 1, "http://emulator.test", transport=transport, max_retries=0)
        self._kw = kw
        self.bg = bg_start(self._run)

    def _run(self, stop: threading.Event) -> int:
        session = Session(
            api=self.api,
            desired=load_desired_state(self.manifest, {}),
            args=RemoteArgs(manifest=str(self.manifest), fmt=self._kw.get("fmt", "text")),
            watch_args=WatchArgs(
                debounce=self._kw.get("debounce", 0.3),
                prune=self._kw.get("prune", False),
                **(
                    {"wait_timeout": self._kw["wait_timeout"]} if "wait_timeout" in self._kw else {}
                ),
            ),
            env={},
            stdout=self.out,
            stop=stop,
            observer_factory=polling_observer,
            backoff=Backoff(0.2, 0.5),
            collector=self.collector,
            stderr=self.err,
        )
        try:
            return run_watch(session)
        finally:
            self.api.close()

    def lines(self) -> list[str]:
        """The cycle lines (and error lines): they start with the time."""
        return [ln for ln in self.out.getvalue().splitlines() if ln[:2].isdigit()]

    def wait_lines(self, n: int, what: str = "") -> list[str]:
        wait_until(lambda: len(self.lines()) >= n or self.bg.error, what=what or f"{n} lines")
        if self.bg.error is not None:
            raise self.bg.error
        return self.lines()

    def ready(self) -> None:
        """The first apply is done and the observer sees changes (a manifest rewrite)."""
        self.wait_lines(1, "the first apply")
        self.manifest.write_bytes(self.manifest.read_bytes())
        self.wait_lines(2, "the observer to see the manifest")

    def marker(self) -> list[str]:
        """One more, separate cycle; what came before it is complete."""
        n = len(self.lines())
        self.manifest.write_bytes(self.manifest.read_bytes())
        wait_until(lambda: "kbsync.yaml changed" in " ".join(self.lines()[n:]), what="marker")
        return self.lines()

    def stop(self) -> None:
        assert self.bg.join() == 0


def writes(app: EmulatorApp) -> dict[str, int]:
    """Write requests the emulator has answered, by route."""
    routes = app.state()["requests"]["by_route"]
    return {k: n for k, n in routes.items() if k.split()[0] in ("POST", "PUT", "DELETE", "PATCH")}


def linked_files(app: EmulatorApp) -> list[dict[str, Any]]:
    return [
        link for link in app.state()["linkages"] if link["linked"] and link["asset_type"] == "file"
    ]


@pytest.fixture
def watching(
    background: Callable[[Callable[[threading.Event], object]], Background],
    emulator: EmulatorApp,
    manifest: Path,
) -> Callable[..., Watching]:
    def start(**kw: Any) -> Watching:
        """``app=`` a WSGI layer over ``emulator`` (e.g. other account limits)."""
        kw.setdefault("app", emulator)
        return Watching(background, manifest=manifest, **kw)

    return start
