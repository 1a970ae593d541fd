"""Fair use for golden questions: stay under Robofy's chat limits by ourselves.

Robofy's fair-use policy allows 30 chat messages per minute and 5,000 per day per
account, and forbids automated use above that (EVIDENCE.md). Golden questions are
automated chat, so ``kbsync check`` and ``apply --check`` pace themselves here (not in
the sender's retry loop): at most ``per_minute`` messages in any rolling minute, with a
visible waiting line; every message the client really sent counts, re-sends included
(``RobofyApi.chat_messages_sent``); and a run whose questions exceed what is left of the
day is refused before the first one is asked. What "the day" has used is remembered in
``.kbsync/chat-log.json`` beside the manifest (this machine's sends of the last 24 hours).
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from kbsync.errors import GuardError
from kbsync.model import DesiredState
from kbsync.paths import state_folder
from kbsync.robofy.api import RobofyApi
from kbsync.robofy.contract import CHAT_PER_DAY, CHAT_PER_MINUTE

MINUTE, DAY = 60.0, 86_400.0
LEDGER = "chat-log.json"


class ChatLedger:
    """Wall-clock times of the chat messages sent from this folder in the last day."""

    def __init__(self, path: Path | None) -> None:
        self.path = path  # None: nothing is remembered (the state folder is a link)
        self.times = _read_times(path) if path is not None else []

    @classmethod
    def beside(cls, manifest: Path) -> ChatLedger:
        folder = state_folder(manifest.resolve().parent)
        return cls(folder / LEDGER if folder is not None else None)

    def used(self, now: float) -> int:
        return sum(1 for t in self.times if now - t < DAY)

    def record(self, times: list[float], now: float) -> None:
        self.times = [t for t in self.times if now - t < DAY] + times
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(exist_ok=True)
            temp = self.path.with_suffix(".tmp")
            temp.write_text(json.dumps({"sent": self.times}), encoding="utf-8")
            os.replace(temp, self.path)
        except OSError:
            pass  # a read-only checkout: the day's count is then this run's only


def _read_times(path: Path) -> list[float]:
    try:
        sent = json.loads(path.read_text(encoding="utf-8")).get("sent", [])
    except (OSError, ValueError, AttributeError):
        return []  # missing or damaged: start counting again
    return [float(t) for t in sent if isinstance(t, (int, float)) and math.isfinite(t)]


class ChatPacer:
    """Waits before a question would make more than ``per_minute`` messages in a minute."""

    def __init__(
        self,
        api: RobofyApi,
        *,
        say: Callable[[str], None],
        ledger: ChatLedger | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        per_minute: int = CHAT_PER_MINUTE,
        per_day: int = CHAT_PER_DAY,
    ) -> None:
        self._api, self._say, self._ledger = api, say, ledger or ChatLedger(None)
        self._clock, self._wall, self._sleep = clock, wall, sleep
        self._per_minute, self._per_day = per_minute, per_day
        self._recent: deque[float] = deque()  # monotonic send times of the last minute
        self._sent_times: list[float] = []  # wall times, for the ledger
        self._known = api.chat_messages_sent()

    def reserve(self, questions: int) -> None:
        """GuardError, nothing asked, when the questions exceed what is left of the day."""
        left = self._per_day - self._ledger.used(self._wall())
        if questions > left:
            raise GuardError(
                f"{questions} golden question(s) would exceed Robofy's fair-use limit of "
                f"{self._per_day} chat messages a day ({max(left, 0)} left from this folder in "
                "the last 24 hours); nothing was asked. Ask fewer (--agent) or run later."
            )

    def before_ask(self) -> None:
        self._note_sent()
        now = self._clock()
        while self._recent and now - self._recent[0] >= MINUTE:
            self._recent.popleft()
        if len(self._recent) < self._per_minute:
            return
        wait = MINUTE - (now - self._recent[0])
        self._say(
            f"waiting for the chat rate limit: {math.ceil(wait)}s "
            f"({len(self._recent)} messages in the last minute, limit {self._per_minute})"
        )
        self._sleep(wait)
        self.before_ask()

    def finish(self) -> None:
        """Count the last answers' messages and remember the day's sends."""
        self._note_sent()
        self._ledger.record(self._sent_times, self._wall())

    def _note_sent(self) -> None:
        sent = self._api.chat_messages_sent()
        new, self._known = sent - self._known, sent
        self._recent.extend([self._clock()] * new)
        self._sent_times.extend([self._wall()] * new)


def chat_pacer(api: RobofyApi, desired: DesiredState, stderr: TextIO) -> ChatPacer:
    """The pacer `check` and `apply --check` use: waiting lines on stderr, the day's
    ledger beside the manifest."""

    def say(line: str) -> None:
        stderr.write(line + "\n")
        stderr.flush()

    return ChatPacer(api, say=say, ledger=ChatLedger.beside(desired.manifest_path))
