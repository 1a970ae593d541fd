"""What a RobofyClient counts and bounds as it goes, safely across its worker threads.

Chat requests as they leave (every retry counts against fair use), the linkage ids seen
per agent (each existed before any later send), and the bounds that stop an endless or
bloated listing.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

import httpx

from kbsync.errors import ShapeError
from kbsync.robofy import contract as c


class _ChatCounter:
    """Counts chat requests as they leave (an httpx request hook: every retry is seen)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()
        self.count = 0

    def saw(self, request: httpx.Request) -> None:
        if request.method == c.CHAT.method and request.url.path.endswith(self._path):
            with self._lock:
                self.count += 1


class _SeenLinks:
    """Linkage ids this client has seen per agent: each existed before any later send."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: dict[str, set[int]] = {}

    def note(self, chatbot_id: str, ids: list[int]) -> None:
        with self._lock:
            self._ids.setdefault(chatbot_id, set()).update(ids)

    def of(self, chatbot_id: str) -> set[int]:
        with self._lock:
            return set(self._ids.get(chatbot_id, ()))


class _ListBounds(NamedTuple):
    max_items: int
    max_bytes: int

    def check(self, route: c.Route, items: int, received: int) -> None:
        """ShapeError once a listing passes either bound: an endless or bloated list."""
        if items > self.max_items:
            past = f"more than {self.max_items:,} items"
        elif received > self.max_bytes:
            past = f"more than {self.max_bytes // (1024 * 1024):,} MB of answers"
        else:
            return
        raise ShapeError(
            f"{route.endpoint} listed {past} ({items:,} items so far); stopping: a listing "
            "this large is a server fault, not a knowledge base kbsync can keep in memory",
            endpoint=route.endpoint,
        )
