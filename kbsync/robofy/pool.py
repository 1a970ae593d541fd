"""Connections for many workers without a contended pool.

httpcore's connection pool takes one lock and scans every connection it holds on each
request and each response close (``is_idle``, ``has_expired``, ``Condition.notify``). With
32 workers on one pool of 32, that was half of the workers' CPU time in the apply profile
of issue 16. ``Pool`` keeps a free list of transports that each hold ONE connection: a
request takes a transport off the list (a pop under a lock held for nanoseconds), and its
response puts it back when closed. Each transport's own pool then has one connection and
one user at a time, so its lock is never contended and its scan is one item long.
Connections are still kept alive and reused across requests and phases, one per worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import httpx


class Pool(httpx.BaseTransport):
    """Up to ``size`` idle single-connection transports; more are made when all are busy."""

    def __init__(self, make: Callable[[], httpx.BaseTransport], size: int) -> None:
        self._make = make
        self._size = max(1, size)
        self._lock = threading.Lock()
        self._idle: list[httpx.BaseTransport] = []
        self._closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        transport = self._take()
        try:
            response = transport.handle_request(request)
        except BaseException:
            self._give_back(transport)
            raise
        stream = response.stream
        assert isinstance(stream, httpx.SyncByteStream)
        response.stream = _GivenBackOnClose(stream, lambda: self._give_back(transport))
        return response

    def close(self) -> None:
        with self._lock:
            idle, self._idle, self._closed = self._idle, [], True
        for transport in idle:
            transport.close()

    def _take(self) -> httpx.BaseTransport:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._make()

    def _give_back(self, transport: httpx.BaseTransport) -> None:
        with self._lock:
            keep = not self._closed and len(self._idle) < self._size
            if keep:
                self._idle.append(transport)
        if not keep:
            transport.close()


class _GivenBackOnClose(httpx.SyncByteStream):
    """The response body; closing it returns its transport to the pool, once."""

    def __init__(self, inner: httpx.SyncByteStream, give_back: Callable[[], None]) -> None:
        self._inner = inner
        self._give_back: Callable[[], None] | None = give_back

    def __iter__(self) -> Iterator[bytes]:
        yield from self._inner

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            give_back, self._give_back = self._give_back, None
            if give_back is not None:
                give_back()
