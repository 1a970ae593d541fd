"""The emulator's own clock: wall time plus an offset, or a manual clock that only moves when told.

Crawl progress and linkage processing are computed from it, so tests can move time forward
instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

MANUAL_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()


class Clock:
    """Seconds since the Unix epoch, as the emulator sees them."""

    def __init__(self, manual: bool, offset: float = 0.0) -> None:
        self._manual = manual
        self._offset = offset
        self._lock = threading.Lock()

    def now(self) -> float:
        base = MANUAL_EPOCH if self._manual else time.time()
        with self._lock:
            return base + self._offset

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds``; returns the new total offset (persisted by the caller)."""
        with self._lock:
            self._offset += seconds
            return self._offset


def stamp(epoch: float | None) -> str | None:
    """The wire's timestamp format, "YYYY-MM-DD HH:MM:SS" in UTC."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
