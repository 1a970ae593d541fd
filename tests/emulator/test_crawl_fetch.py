"""``fetch`` mode: a real crawl of a static site served from a temp folder on loopback."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kbsync.emulator import EmulatorApp, EmulatorConfig, create_app
from tests.conftest import emulator_http_client
from tests.emulator.helpers import A, create_agent, data_of, linkages

PAGES = {
    "index.html": '<a href="a.html">A</a> <a href="docs/c.html#top">C</a> '
    '<a href="missing.html">gone</a> <a href="http://other.invalid/x">away</a> '
    '<a href="big.html">big</a> <a href="notes.txt">notes</a>',
    "a.html": '<p>Alpha page about refunds.</p><a href="index.html">home</a>'
    ' <a href="b.html">B</a>',
    "b.html": "<p>Beta page.</p>",
    "docs/c.html": '<p>Docs page.</p><a href="d.html">D</a>',
    "docs/d.html": "<p>Deep docs page.</p>",
    "big.html": "<p>" + "x" * 5000 + "</p>",
    "notes.txt": "plain notes",
    "slow.html": "<p>Too slow.</p>",
    "with-slow.html": '<a href="slow.html">slow</a> <a href="b.html">B</a>',
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Static files; ``/slow.html`` answers only after 1 s (longer than the fetch timeout)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/slow.html":
            time.sleep(1.0)
        super().do_GET()


class _StaticServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """The crawler hanging up on /slow.html is expected: no traceback on stderr."""


@pytest.fixture
def static_site(tmp_path: Path) -> Iterator[str]:
    """PAGES served by http.server from tmp_path on 127.0.0.1; yields the site's base URL."""
    for name, text in PAGES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    server = _StaticServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def fetch_app() -> Iterator[EmulatorApp]:
    config = EmulatorConfig(
        manual_clock=True, crawl_mode="fetch", fetch_max_bytes=4000, fetch_timeout=0.3
    )
    app = create_app(config)
    yield app
    app.close()


def crawl_until_done(
    client: httpx.Client, cid: str, site: str, start: str = "index.html", **options: Any
) -> dict[str, Any]:
    body = {"project_id": "1", "chatbot_id": cid, "start_urls": [{"url": site + start}]}
    started = client.post(f"{A}/crawl_website", json={**body, **options})
    assert started.status_code == 200 and started.json()["status"] == "crawling"
    query = {"run_id": started.json()["run_id"]}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        (run,) = data_of(client.get(f"{A}/crawl_status/1/{cid}", params=query))
        if run["status"] != "crawling":
            return dict(run)
        time.sleep(0.02)
    raise AssertionError("fetch crawl did not finish within 20 s")


def page_names(client: httpx.Client, cid: str, site: str) -> set[str]:
    return {x["asset_name"].removeprefix(site) for x in linkages(client, cid)}


def test_fetch_crawls_the_same_host_following_links(
    fetch_app: EmulatorApp, static_site: str
) -> None:
    with emulator_http_client(fetch_app) as client:
        cid = create_agent(client)
        run = crawl_until_done(client, cid, static_site)
        assert run["status"] == "completed"
        expected = {"index.html", "a.html", "b.html", "docs/c.html", "docs/d.html", "notes.txt"}
        assert page_names(client, cid, static_site) == expected
        assert (run["pages_crawled"], run["pages_failed"]) == (6, 2)  # missing.html, big.html
        texts = {a["name"]: a["text"] for a in fetch_app.state()["assets"]}
        assert "Alpha page about refunds." in texts[static_site + "a.html"]


def test_fetch_honours_depth_limits_and_patterns(fetch_app: EmulatorApp, static_site: str) -> None:
    with emulator_http_client(fetch_app) as client:
        shallow = create_agent(client, "Shallow")
        crawl_until_done(client, shallow, static_site, max_crawl_depth=1)
        assert "docs/d.html" not in page_names(client, shallow, static_site)
        docs = create_agent(client, "Docs")
        crawl_until_done(client, docs, static_site, include_urls=[static_site + "docs/*"],
                         exclude_urls=[static_site + "docs/d.html"])  # fmt: skip
        assert page_names(client, docs, static_site) == {"docs/c.html"}
        capped = create_agent(client, "Capped")
        run = crawl_until_done(client, capped, static_site, max_crawl_pages=2)
        assert run["pages_crawled"] == 2 and len(page_names(client, capped, static_site)) == 2


def test_recrawl_in_fetch_mode_replaces_pages(fetch_app: EmulatorApp, static_site: str) -> None:
    with emulator_http_client(fetch_app) as client:
        cid = create_agent(client)
        crawl_until_done(client, cid, static_site)
        crawl_until_done(client, cid, static_site)
        names = [x["asset_name"] for x in linkages(client, cid)]
        assert len(names) == len(set(names)) == 6


def test_unreachable_site_fails_the_run(fetch_app: EmulatorApp, static_site: str) -> None:
    with emulator_http_client(fetch_app) as client:
        cid = create_agent(client)
        run = crawl_until_done(client, cid, static_site + "nowhere/")
        assert run["status"] == "failed" and run["error"] and run["pages_failed"] == 1


def test_a_page_slower_than_the_timeout_fails(fetch_app: EmulatorApp, static_site: str) -> None:
    with emulator_http_client(fetch_app) as client:
        cid = create_agent(client)
        run = crawl_until_done(client, cid, static_site, start="with-slow.html")
        assert (run["status"], run["pages_crawled"], run["pages_failed"]) == ("completed", 2, 1)
        assert page_names(client, cid, static_site) == {"with-slow.html", "b.html"}
