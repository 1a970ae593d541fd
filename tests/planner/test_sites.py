"""Websites: first crawl, running and half-finished crawls, recrawl due, not due, --recrawl."""

from __future__ import annotations

from typing import Any

import pytest

from kbsync.model import CRAWL, WAIT_CRAWL, CrawlRun, DesiredSite, RemoteLinkage

from .builders import OLD, SITE, agent, crawl_run, page, remote, run, site

DAY = 86400.0
KEY = "site:" + SITE


@pytest.mark.parametrize(
    ("the_site", "pages", "crawls", "options", "expected"),
    [
        pytest.param(site(), [], None, {}, (CRAWL, "no pages linked yet"), id="first-crawl"),
        pytest.param(
            site(),
            [],
            (crawl_run(pages_found=10, pages_crawled=4),),
            {},
            (WAIT_CRAWL, "crawl run-1 is running (4 of 10 pages)"),
            id="running-no-pages-yet",
        ),
        pytest.param(
            site(),
            [page(1, SITE + "a")],
            (crawl_run(),),
            {},
            (WAIT_CRAWL, "crawl run-1 is running (starting)"),
            id="running-with-some-pages",
        ),
        pytest.param(
            site(), [page(1, SITE + "a")], None, {}, None, id="half-finished-crawl-pages-tell"
        ),
        pytest.param(
            site(),
            [],
            (crawl_run(state="failed", error="DNS failure"),),
            {},
            (CRAWL, "no pages linked; the last crawl (run-1) failed: DNS failure"),
            id="failed-crawl-is-retried",
        ),
        pytest.param(
            site(),
            [],
            (crawl_run(state="ready"),),
            {},
            (CRAWL, "no pages linked; the last crawl (run-1) linked none"),
            id="completed-crawl-without-pages",
        ),
        pytest.param(
            site(),
            [],
            (crawl_run(url="https://other.example/"),),
            {},
            (CRAWL, "no pages linked yet"),
            id="running-crawl-of-another-site",
        ),
        pytest.param(
            site(recrawl_seconds=7 * DAY),
            [page(1, SITE + "a", created_at=OLD), page(2, SITE + "b", created_at=OLD)],
            None,
            {},
            (CRAWL, "recrawl due: the newest page is from 2026-10-01 08:00:00 UTC, older than 7d"),
            id="recrawl-due",
        ),
        pytest.param(
            site(recrawl_seconds=7 * DAY),
            [page(1, SITE + "a", created_at=OLD), page(2, SITE + "b")],
            None,
            {},
            None,
            id="recrawl-not-due-newest-page-counts",
        ),
        pytest.param(
            site(), [page(1, SITE + "a", created_at=OLD)], None, {}, None, id="no-recrawl-declared"
        ),
        pytest.param(
            site(recrawl_seconds=7 * DAY),
            [page(1, SITE + "a", created_at="yesterday-ish")],
            None,
            {},
            None,
            id="unreadable-page-time-is-not-due",
        ),
        pytest.param(
            site(),
            [page(1, SITE + "a")],
            None,
            {"recrawl": (SITE,)},
            (CRAWL, "--recrawl asks for it"),
            id="recrawl-option-names-it",
        ),
        pytest.param(
            site(),
            [page(1, SITE + "a")],
            None,
            {"recrawl": ("HTTPS://DOCS.acme.example:443/",)},
            (CRAWL, "--recrawl asks for it"),
            id="recrawl-option-normalized",
        ),
        pytest.param(
            site(),
            [page(1, SITE + "a")],
            None,
            {"recrawl": ("all",)},
            (CRAWL, "--recrawl asks for it"),
            id="recrawl-all",
        ),
        pytest.param(
            site(),
            [page(1, SITE + "a")],
            None,
            {"recrawl": ("https://other.example/",)},
            None,
            id="recrawl-option-names-another-site",
        ),
        pytest.param(
            site(include=(SITE + "guide/*",)),
            [page(1, SITE + "blog/a")],
            None,
            {},
            (CRAWL, "no pages linked yet"),
            id="only-pages-passing-the-rules-count",
        ),
    ],
)
def test_sites(
    the_site: DesiredSite,
    pages: list[RemoteLinkage],
    crawls: tuple[CrawlRun, ...] | None,
    options: dict[str, Any],
    expected: tuple[str, str] | None,
) -> None:
    result = run(agent(sites=(the_site,), prune="none"), remote(*pages, crawls=crawls), **options)
    found = [(a.kind, a.reason) for a in result.actions]
    assert found == ([expected] if expected else [])
    for action in result.actions:
        assert (action.source_key, action.site) == (KEY, the_site)


def test_wait_crawl_names_the_newest_running_run() -> None:
    runs = (crawl_run("run-old"), crawl_run("run-new")._replace(started_at="2026-11-18 10:00:00"))
    (action,) = run(agent(sites=(site(),)), remote(crawls=runs)).actions
    assert (action.kind, action.run_id) == (WAIT_CRAWL, "run-new")
