"""``fetch`` mode: really crawl over HTTP (same host only), in one background thread per run.

Each page is fetched with a timeout and a size cap; a page that errors, times out or is
larger than the cap counts in ``pages_failed``. Pages are stored one transaction each, so a
crawl's progress is visible while it runs.
"""

from __future__ import annotations

import html
import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from kbsync.emulator.clock import Clock
from kbsync.emulator.config import EmulatorConfig
from kbsync.emulator.crawl import finish_run, store_page
from kbsync.emulator.crawl_rules import CrawlRules, Visit, crawl
from kbsync.emulator.store import Store


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def _links(base: str, page: str) -> tuple[str, ...]:
    parser = _Links()
    parser.feed(page)
    host = urlsplit(base).netloc
    found = []
    for href in parser.hrefs:
        url = urldefrag(urljoin(base, href)).url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc == host:
            found.append(url)
    return tuple(dict.fromkeys(found))


def fetcher(config: EmulatorConfig) -> Callable[[str, int], Visit]:
    """Visit = GET the page (timeout, size cap), readable text, same-host links."""

    def visit(url: str, depth: int) -> Visit:
        try:
            with urllib.request.urlopen(url, timeout=config.fetch_timeout) as reply:
                data = reply.read(config.fetch_max_bytes + 1)
                kind = reply.headers.get_content_type()
        except (urllib.error.URLError, OSError, ValueError):
            return Visit(False)
        if len(data) > config.fetch_max_bytes:
            return Visit(False)
        page = data.decode("utf-8", "replace")
        if kind != "text/html":
            return Visit(True, (), page, data)
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
        return Visit(True, _links(url, page), text, data)

    return visit


class FetchCrawls:
    """Starts and tracks the background threads of fetch-mode runs."""

    def __init__(self, store: Store, clock: Clock, config: EmulatorConfig) -> None:
        self._store, self._clock, self._config = store, clock, config
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self, run_id: str) -> None:
        thread = threading.Thread(target=self._run, args=(run_id,), daemon=True)
        self._threads.append(thread)
        thread.start()

    def close(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)

    def _run(self, run_id: str) -> None:
        try:
            self._crawl(run_id)
        except RuntimeError:  # the store was closed under us: the app is shutting down
            return

    def _crawl(self, run_id: str) -> None:
        with self._store.transaction() as db:
            run = db.execute("SELECT * FROM crawl_runs WHERE run_id = ?", (run_id,)).fetchone()
        params: dict[str, Any] = json.loads(run["params"])
        fields: dict[str, Any]
        fields = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
        rules = CrawlRules(**fields)
        crawled = failed = 0
        for page in crawl(rules, fetcher(self._config)):
            if self._stop.is_set():
                return
            crawled, failed = crawled + page.ok, failed + (not page.ok)
            if not self._store_page(
                run, page.url, page.text, page.ok, (crawled, failed, page.found)
            ):
                return
        with self._store.transaction() as db:
            error = "no page could be fetched" if failed and not crawled else None
            finish_run(db, run_id, self._clock.now(), error)

    def _store_page(
        self, run: Any, url: str, text: str, fetched: bool, counts: tuple[int, int, int]
    ) -> bool:
        with self._store.transaction() as db:
            now = self._clock.now()
            if fetched and not store_page(db, run, url, text, now):
                finish_run(db, run["run_id"], now, "chatbot was deleted during the crawl")
                return False
            db.execute(
                "UPDATE crawl_runs SET pages_crawled = ?, pages_failed = ?, pages_found = ?"
                " WHERE run_id = ?",
                (*counts, run["run_id"]),
            )
        return True
