"""Helpers for watch tests: wait on conditions (never fixed sleeps), run a loop in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

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
