"""Planning an agent's websites: crawl, recrawl and wait for a running crawl. Pure.

The clock is an argument (``now``, unix seconds); page times are Robofy's
``created_at`` ("YYYY-MM-DD HH:MM:SS", UTC).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from kbsync.manifest.urls import normalize_url, page_belongs
from kbsync.model import (
    CRAWL,
    FAILED,
    PENDING,
    URL,
    WAIT_CRAWL,
    Action,
    ActionKind,
    CrawlRun,
    DesiredSite,
    RemoteLinkage,
)

_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def plan_site(
    agent_key: str,
    site: DesiredSite,
    linkages: Sequence[RemoteLinkage],
    crawls: Sequence[CrawlRun] | None,
    *,
    now: float,
    recrawl: Sequence[str],
) -> Action | None:
    """crawl / wait_crawl for one declared site, or None when nothing is due."""
    pages = [lk for lk in linkages if lk.asset_type == URL and page_belongs(site, lk.asset_name)]
    runs = [c for c in crawls or () if site.url in _normalized(c.start_urls)]
    running = [c for c in runs if c.state == PENDING]
    if running:
        run = max(running, key=lambda c: (c.started_at, c.run_id))
        return _action(agent_key, WAIT_CRAWL, site, _running_reason(run), run_id=run.run_id)
    if not pages:
        return _action(agent_key, CRAWL, site, _never_crawled_reason(runs))
    if recrawl_requested(site, recrawl):
        return _action(agent_key, CRAWL, site, "--recrawl asks for it")
    due = _recrawl_due_reason(site, pages, now)
    return _action(agent_key, CRAWL, site, due) if due else None


def recrawl_requested(site: DesiredSite, recrawl: Sequence[str]) -> bool:
    return "all" in recrawl or site.url in _normalized(recrawl)


def format_duration(seconds: float) -> str:
    """7d, 12h, 90m... the largest unit that divides the duration evenly."""
    whole = round(seconds)
    for unit, size in _UNITS:
        if whole and whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


def _recrawl_due_reason(site: DesiredSite, pages: Sequence[RemoteLinkage], now: float) -> str:
    if site.recrawl_seconds is None:
        return ""
    stamps = [(t, lk.created_at) for lk in pages if (t := parse_created_at(lk.created_at))]
    if not stamps:
        return ""
    newest, text = max(stamps)
    if newest >= now - site.recrawl_seconds:
        return ""
    every = format_duration(site.recrawl_seconds)
    return f"recrawl due: the newest page is from {text} UTC, older than {every}"


def parse_created_at(text: str) -> float | None:
    """Unix seconds of a "YYYY-MM-DD HH:MM:SS" (or ISO 8601) UTC time; None if unreadable."""
    try:
        stamp = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp()


def _never_crawled_reason(runs: Sequence[CrawlRun]) -> str:
    if not runs:
        return "no pages linked yet"
    last = max(runs, key=lambda c: (c.started_at, c.run_id))
    if last.state == FAILED:
        return (
            f"no pages linked; the last crawl ({last.run_id}) failed: {last.error or 'no detail'}"
        )
    return f"no pages linked; the last crawl ({last.run_id}) linked none"


def _running_reason(run: CrawlRun) -> str:
    progress = f"{run.pages_crawled} of {run.pages_found} pages" if run.pages_found else "starting"
    return f"crawl {run.run_id} is running ({progress})"


def _action(
    agent_key: str, kind: ActionKind, site: DesiredSite, reason: str, run_id: str | None = None
) -> Action:
    return Action(agent_key, kind, reason, source_key=site.source_key, site=site, run_id=run_id)


def _normalized(urls: Sequence[str]) -> set[str]:
    result = set()
    for url in urls:
        try:
            result.add(normalize_url(url))
        except ValueError:
            continue
    return result
