"""A whole answer within its deadline, headers included.

httpx's timeouts bound each socket operation, so a server that drips one header line
every few milliseconds never trips them and holds the request for as long as it likes.
``answer_deadline(seconds)`` sets a deadline for what the current thread sends;
``with_deadlines(transport)`` makes the transport's socket operations use at most the
time left and time out once it has passed. The sender turns such a timeout into "the
answer took too long" (not retried).

QUARANTINE: the one private API kbsync relies on, kept in this module alone. httpx has no
public way to give its transport a network backend, so ``with_deadlines`` sets the pool's
``_network_backend`` through ``HTTPTransport._pool``. pyproject.toml bounds httpx and
httpcore to the versions CI tests, and tests/robofy/test_deadline_hook.py fails when the
hook is not installed. Should an httpx outside the bounds lack them anyway, a warning is
logged (never silence) and only the body deadline (in the sender) applies.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

_local = threading.local()
log = logging.getLogger("kbsync.robofy")


@contextmanager
def answer_deadline(seconds: float) -> Iterator[None]:
    """Requests this thread sends inside the block must be answered within ``seconds``."""
    previous = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        _local.deadline = previous


def with_deadlines(transport: httpx.HTTPTransport) -> httpx.HTTPTransport:
    """``transport``, its socket operations now bounded by this thread's answer deadline."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = _Backend(backend)  # type: ignore[union-attr]
    if not has_deadlines(transport):
        log.warning(
            "httpx %s has no connection pool kbsync can hook: a server that drips its "
            "headers is not cut off at the answer deadline",
            httpx.__version__,
        )
    return transport


def has_deadlines(transport: httpx.BaseTransport) -> bool:
    """True when ``transport``'s socket operations keep the answer deadline."""
    pool = getattr(transport, "_pool", None)
    return isinstance(getattr(pool, "_network_backend", None), _Backend)


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    """The operation's timeout, cut to the time left before this thread's deadline."""
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the answer deadline has passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, left, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
