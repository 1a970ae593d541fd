"""How long to wait before trying again: the retry policy, the shared pacer, Retry-After.

RetryPolicy holds the bounds (retries, rate-limit waits, backoff, answer deadline);
Pacer is the "not before" time a 429 sets for every worker and the run's rate-limit
budget; ``_parse_retry_after`` reads the header as seconds or as an HTTP date.
"""

from __future__ import annotations

import email.utils
import math
import threading
import time
from collections.abc import Callable
from typing import NamedTuple

# the most seconds one run waits out rate limits in total (--rate-limit-budget)
DEFAULT_RATE_LIMIT_BUDGET = 600.0


class RetryPolicy(NamedTuple):
    max_retries: int = 6  # for 5xx and connection errors
    max_rate_limit_waits: int = 30  # 429s one request may wait out
    backoff_base: float = 0.5
    backoff_cap: float = 10.0
    default_retry_after: float = 2.0  # when Retry-After is missing or garbage
    # a whole answer must arrive within this: a server dripping bytes cannot hold us
    answer_deadline: float = 120.0


class Pacer:
    """The shared "not before" time every request checks: a 429 pauses all workers.

    It also keeps the run's rate-limit budget: the total seconds all pauses may add
    up to. A server asking for more (``Retry-After: 999999999``) is refused at once
    instead of stalling the run for hours."""

    def __init__(
        self,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        budget: float = DEFAULT_RATE_LIMIT_BUDGET,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._not_before = 0.0
        self.budget = budget
        self._spent = 0.0

    def wait_turn(self) -> None:
        while True:
            with self._lock:
                delay = self._not_before - self._clock()
            if delay <= 0:
                return
            self._sleep(delay)

    def pause_all(self, seconds: float) -> float | None:
        """Pause every worker for ``seconds`` (from now) and charge the budget for the
        part not already paused; None (and no pause) when that is past what is left,
        else what is left afterwards."""
        with self._lock:
            now = self._clock()
            until = now + seconds
            extra = max(0.0, until - max(self._not_before, now))
            if self._spent + extra > self.budget:
                return None
            self._spent += extra
            self._not_before = max(self._not_before, until)
            return self.budget - self._spent

    def budget_left(self) -> float:
        with self._lock:
            return max(0.0, self.budget - self._spent)


def _parse_retry_after(header: str | None) -> float | None:
    if not header:
        return None
    try:
        seconds = float(header.strip())
    except ValueError:
        pass
    else:  # 1e309 is infinity: past any budget; nan is garbage
        return None if math.isnan(seconds) else seconds
    try:
        when = email.utils.parsedate_to_datetime(header)
        return when.timestamp() - time.time()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
