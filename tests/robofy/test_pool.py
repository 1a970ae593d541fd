"""The client's connection pool: one single-connection transport per busy worker, reused;
and the TLS context its transports share.

Real HTTP to the emulator on loopback; the transports are httpx's own, counted by a thin
wrapper, so the tests see how many were made and how many requests each ran at once.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from kbsync.emulator import BackgroundServer, EmulatorConfig, create_app
from kbsync.robofy.network import tls_context
from kbsync.robofy.pool import Pool

ONE = httpx.Limits(max_connections=1, max_keepalive_connections=1)


class Counted(httpx.BaseTransport):
    """httpx's transport; records how many requests it runs at the same time."""

    def __init__(self, log: list[Counted]) -> None:
        self.inner = httpx.HTTPTransport(limits=ONE)
        self.busy = 0
        self.most_busy = 0
        self.lock = threading.Lock()
        self.closed = False
        log.append(self)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.busy += 1
            self.most_busy = max(self.most_busy, self.busy)
        response = self.inner.handle_request(request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _Done(response.stream, self.done)  # busy until the body is closed
        return response

    def done(self) -> None:
        with self.lock:
            self.busy -= 1

    def close(self) -> None:
        self.closed = True
        self.inner.close()


class _Done(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, done: Callable[[], None]) -> None:
        self.inner, self.on_close = inner, done

    def __iter__(self) -> Iterator[bytes]:
        yield from self.inner

    def close(self) -> None:
        self.inner.close()
        self.on_close()


@pytest.fixture
def base_url() -> Iterator[str]:
    app = create_app(EmulatorConfig())
    server = BackgroundServer(app)
    try:
        yield server.base_url
    finally:
        server.close()
        app.close()


def test_workers_share_no_transport_and_reuse_theirs(base_url: str) -> None:
    made: list[Counted] = []
    pool = Pool(lambda: Counted(made), 8)
    with httpx.Client(base_url=base_url, transport=pool) as http:

        def get(_: int) -> int:
            return http.get("/_emulator/state").status_code

        with ThreadPoolExecutor(max_workers=8) as workers:
            codes = list(workers.map(get, range(200)))
    assert codes == [200] * 200
    assert 1 <= len(made) <= 8  # at most one per worker, reused across 200 requests
    assert max(t.most_busy for t in made) == 1
    assert all(t.closed for t in made)  # closing the client closes every transport


def test_a_closed_response_gives_its_transport_back(base_url: str) -> None:
    made: list[Counted] = []
    with httpx.Client(base_url=base_url, transport=Pool(lambda: Counted(made), 4)) as http:
        for _ in range(10):
            with http.stream("GET", "/_emulator/state") as response:
                response.read()
    assert len(made) == 1


def test_a_failed_request_gives_its_transport_back() -> None:
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    made: list[Counted] = []
    with httpx.Client(transport=Pool(lambda: Counted(made), 4)) as http:
        for _ in range(3):
            with pytest.raises(httpx.ConnectError):
                http.get(f"http://127.0.0.1:{port}/")
    assert len(made) == 1


def test_no_more_idle_transports_than_the_pool_size(base_url: str) -> None:
    made: list[Counted] = []
    pool = Pool(lambda: Counted(made), 2)
    with httpx.Client(base_url=base_url, transport=pool) as http:
        streams = [http.stream("GET", "/_emulator/state") for _ in range(4)]
        responses = [s.__enter__() for s in streams]  # four at once: four transports
        for stream, response in zip(streams, responses, strict=True):
            response.read()
            stream.__exit__(None, None, None)
        assert len(made) == 4
        assert sum(t.closed for t in made) == 2  # two kept idle, two closed


def test_plain_http_gets_a_context_that_trusts_nothing() -> None:
    context = tls_context("http://127.0.0.1:8080", {})
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0  # no CA bundle loaded: refuses all


def test_https_gets_the_ca_bundle() -> None:
    context = tls_context("https://api.robofy.example", {})
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0
