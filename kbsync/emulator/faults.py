"""Fault injection: latency, a 5xx rate, a token-bucket rate limit, drop-after-commit,
and a listing that lags behind writes.

One ``random.Random(seed)`` draws two numbers for every /v1 request (fail?, drop?) in arrival
order, whatever happens to the request, so the same seed and the same request sequence give
the same faults. The rate limit is a token bucket on the monotonic wall clock (burst =
max(1, rps)); a refused request gets 429 with ``Retry-After`` in whole seconds (>= 1).

The lag (``listing_lag_reads``, ``listing_lag_seconds``) plays an eventually consistent
service: a linkage added while it is on is left out of the next N listings of its agent,
and out of every listing for that many seconds of the emulator's clock after it was added,
whichever lasts longer. The write itself is committed at once (a GET by id would see it).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Mapping
from typing import Any, NamedTuple

from kbsync.emulator.wire import bad_request


class FaultSettings(NamedTuple):
    latency_ms: float = 0
    fail_rate: float = 0.0
    rate_limit_rps: float = 0.0  # 0 = off
    drop_after_commit_rate: float = 0.0
    seed: int = 0
    listing_lag_reads: int = 0
    listing_lag_seconds: float = 0.0


class Decision(NamedTuple):
    latency_seconds: float
    retry_after: int | None  # set: answer 429
    fail: bool  # answer 500 before doing anything
    drop: bool  # commit, then drop the connection


_RATES = ("fail_rate", "drop_after_commit_rate")
_MAXIMA = {
    "latency_ms": 600_000,
    "rate_limit_rps": 1_000_000,
    "seed": 2**63 - 1,
    "listing_lag_reads": 1_000,
    "listing_lag_seconds": 3_600,
}
_INTEGERS = ("seed", "listing_lag_reads")


def checked_settings(current: FaultSettings, changes: Mapping[str, object]) -> FaultSettings:
    """``current`` with ``changes`` applied; a 400 for unknown keys, wrong types or ranges."""
    unknown = sorted(set(changes) - set(FaultSettings._fields))
    if unknown:
        raise bad_request(f"unknown fault setting(s): {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise bad_request(f"fault setting {name} must be a number >= 0")
        if name in _RATES and value > 1:
            raise bad_request(f"fault setting {name} must be between 0 and 1")
        if value > _MAXIMA.get(name, 1):
            raise bad_request(f"fault setting {name} must be at most {_MAXIMA[name]}")
        if name in _INTEGERS and not isinstance(value, int):
            raise bad_request(f"fault setting {name} must be an integer")
        values[name] = value
    return current._replace(**values)


class Faults:
    """The live fault settings, the seeded generator and the token bucket (thread-safe)."""

    def __init__(self, settings: FaultSettings) -> None:
        self._lock = threading.Lock()
        self._settings = settings
        self._random = random.Random(settings.seed)
        self._tokens = max(1.0, settings.rate_limit_rps)
        self._refilled = time.monotonic()
        self._lagging: dict[int, list[float]] = {}  # linkage id -> [listings left, until]

    @property
    def settings(self) -> FaultSettings:
        with self._lock:
            return self._settings

    def update(self, changes: Mapping[str, object]) -> FaultSettings:
        """Apply changes; a given ``seed`` restarts the generator, a new rate refills the bucket."""
        with self._lock:
            self._settings = checked_settings(self._settings, changes)
            if "seed" in changes:
                self._random = random.Random(self._settings.seed)
            if "rate_limit_rps" in changes:
                self._tokens = max(1.0, self._settings.rate_limit_rps)
                self._refilled = time.monotonic()
            return self._settings

    def decide(self) -> Decision:
        with self._lock:
            s = self._settings
            fail_draw, drop_draw = self._random.random(), self._random.random()
            retry_after = self._take_token(s.rate_limit_rps)
            return Decision(
                s.latency_ms / 1000.0,
                retry_after,
                retry_after is None and fail_draw < s.fail_rate,
                drop_draw < s.drop_after_commit_rate,
            )

    def note_write(self, linkage_id: object, now: float) -> None:
        """A linkage was just added (``now`` on the emulator clock): start its lag."""
        with self._lock:
            s = self._settings
            if isinstance(linkage_id, int) and (s.listing_lag_reads or s.listing_lag_seconds):
                until = now + s.listing_lag_seconds
                self._lagging[linkage_id] = [float(s.listing_lag_reads), until]

    def lagged(self, items: list[Any], now: float) -> list[Any]:
        """``items`` of one listing without the linkages still lagging; counts the read."""
        with self._lock:
            if not self._lagging:
                return items
            return [item for item in items if not self._hidden(item, now)]

    def _hidden(self, item: Any, now: float) -> bool:
        linkage_id = item.get("linkage_id") if isinstance(item, dict) else None
        lag = self._lagging.get(linkage_id) if isinstance(linkage_id, int) else None
        if lag is None:
            return False
        if lag[0] <= 0 and now >= lag[1]:
            del self._lagging[item["linkage_id"]]
            return False
        lag[0] -= 1
        return True

    def _take_token(self, rps: float) -> int | None:
        """None when a token was taken (or no limit); else seconds until one is available."""
        if rps <= 0:
            return None
        now = time.monotonic()
        burst = max(1.0, rps)
        self._tokens = min(burst, self._tokens + (now - self._refilled) * rps)
        self._refilled = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - self._tokens) / rps))
