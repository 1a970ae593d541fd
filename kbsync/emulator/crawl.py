"""Handlers: add website (start a crawl run) and crawl status; advancing simulated runs.

Simulated runs are planned whole when they start and then materialised lazily: at every
request, each running run stores the pages its pace allows by now on the emulator clock.
"""

from __future__ import annotations

import json
import math
import secrets
import sqlite3
from typing import Any
from urllib.parse import urlsplit

from kbsync.emulator import crawl_sim
from kbsync.emulator.assets import NewAsset, Processing, insert_asset, link_asset
from kbsync.emulator.clock import stamp
from kbsync.emulator.context import Ctx
from kbsync.emulator.crawl_rules import CrawlRules
from kbsync.emulator.dialect import crawl_required, list_answer
from kbsync.emulator.objects import require_agent, run_object
from kbsync.emulator.validate import check_body
from kbsync.emulator.wire import Response, bad_request, bare, not_found

CRAWL_SPEC = {
    "project_id": "any",
    "chatbot_id": "str",
    "start_urls": "list",
    "max_crawl_pages": "int",
    "max_crawl_depth": "int",
    "include_urls": "str_list",
    "exclude_urls": "str_list",
    "use_sitemap": "str",
    "is_main_website": "bool",
    "crawl_mode": "int",
    "vector_provider": "int",
}
DEFAULT_MAX_PAGES = 40  # at the default 10 pages/s a default crawl takes 4 s
MAX_START_URLS = 10


def _absolute_http(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _start_urls(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_START_URLS:
        raise bad_request(f"start_urls must be a list of 1 to {MAX_START_URLS} objects {{url}}")
    urls = []
    for item in value:
        url = item.get("url") if isinstance(item, dict) else None
        if not isinstance(url, str) or not _absolute_http(url):
            raise bad_request('each start_urls item must be {"url": an absolute http(s) URL}')
        urls.append(url.strip())
    return tuple(urls)


def _bounded(body: dict[str, Any], name: str, low: int, high: int) -> int | None:
    value = body.get(name)
    if value is not None and not low <= value <= high:
        raise bad_request(f"{name} must be between {low} and {high}")
    return value if value is None else int(value)


def rules_from(body: dict[str, Any]) -> CrawlRules:
    if body.get("use_sitemap", "0") not in ("0", "1"):
        raise bad_request('use_sitemap must be "1" or "0"')
    max_pages = _bounded(body, "max_crawl_pages", 1, 10_000)
    return CrawlRules(
        _start_urls(body.get("start_urls")),
        DEFAULT_MAX_PAGES if max_pages is None else max_pages,
        _bounded(body, "max_crawl_depth", 0, 100),
        tuple(body.get("include_urls") or ()),
        tuple(body.get("exclude_urls") or ()),
    )


def crawl_website(ctx: Ctx) -> Response:
    body = ctx.request.json_object()
    check_body(body, CRAWL_SPEC, required=crawl_required(ctx.config))
    # E7 (documented): no chatbot_id crawls into the project, linked to no agent
    chatbot_id = (
        require_agent(ctx, body["chatbot_id"])["chatbot_id"] if "chatbot_id" in body else ""
    )
    rules = rules_from(body)
    mode = ctx.config.crawl_mode
    run_id = insert_run(ctx, chatbot_id, rules, mode, ctx.now)
    if mode == "fetch":
        ctx.start_fetch(run_id)
    advance_crawls(ctx.db, ctx.now)
    row = ctx.db.execute("SELECT * FROM crawl_runs WHERE run_id = ?", (run_id,)).fetchone()
    return bare({"run_id": run_id, "status": row["status"], "started_at": stamp(ctx.now)})


def insert_run(ctx: Ctx, chatbot_id: str, rules: CrawlRules, mode: str, started: float) -> str:
    """Record a new running crawl; a simulated one is planned whole right now."""
    pages = crawl_sim.plan(rules) if mode == "simulate" else []
    run_id = "run_" + secrets.token_hex(6)
    ctx.db.execute(
        "INSERT INTO crawl_runs (run_id, project_id, chatbot_id, mode, params, plan, pace,"
        " status, pages_found, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'crawling', ?, ?)",
        (
            run_id,
            ctx.project_id,
            chatbot_id,
            mode,
            json.dumps(rules._asdict()),
            json.dumps([[p.url, p.found] for p in pages]),
            ctx.config.crawl_pages_per_second,
            len(rules.start_urls),
            started,
        ),
    )
    return run_id


def crawl_status(ctx: Ctx) -> Response:
    cid = require_agent(ctx, ctx.params["cid"])["chatbot_id"]
    run_id = ctx.request.query.get("run_id")
    sql, args = "SELECT * FROM crawl_runs WHERE chatbot_id = ?", [cid]
    if run_id:
        sql, args = sql + " AND run_id = ?", [cid, run_id]
    rows = ctx.db.execute(sql + " ORDER BY seq DESC", args).fetchall()
    if run_id and not rows:
        raise not_found(f"crawl run {run_id} not found for chatbot {cid}", "CRAWL_RUN")
    return list_answer(ctx, [run_object(row) for row in rows], None, paged=False)


def store_page(db: sqlite3.Connection, run: sqlite3.Row, url: str, text: str, when: float) -> bool:
    """Link one crawled page, replacing the agent's earlier linkage of the same URL.

    Returns False when the agent no longer exists."""
    asset = NewAsset(run["project_id"], "url", url, text.encode(), text, url)
    if not run["chatbot_id"]:  # a run started without chatbot_id: the page is not linked
        insert_asset(db, asset, when)
        return True
    agent = db.execute(
        "SELECT llm_source FROM agents WHERE chatbot_id = ?", (run["chatbot_id"],)
    ).fetchone()
    if agent is None:
        return False
    db.execute(
        "UPDATE linkages SET linked = 0, delinked_at = ? WHERE chatbot_id = ? AND linked = 1"
        " AND asset_type = 'url' AND asset_name = ?",
        (when, run["chatbot_id"], url),
    )
    link_asset(
        db,
        asset,
        run["chatbot_id"],
        agent["llm_source"],
        when,
        Processing(when, "Active"),
        run["run_id"],
    )
    return True


def finish_run(db: sqlite3.Connection, run_id: str, when: float, error: str | None) -> None:
    db.execute(
        "UPDATE crawl_runs SET status = ?, finished_at = ?, error = ? WHERE run_id = ?",
        ("failed" if error else "completed", when, error, run_id),
    )


def advance_crawls(db: sqlite3.Connection, now: float) -> None:
    """Materialise what every running simulated crawl has crawled by ``now``."""
    runs = db.execute(
        "SELECT * FROM crawl_runs WHERE status = 'crawling' AND mode = 'simulate'"
    ).fetchall()
    for run in runs:
        _advance_run(db, run, now)


def _advance_run(db: sqlite3.Connection, run: sqlite3.Row, now: float) -> None:
    planned = json.loads(run["plan"])
    pace = run["pace"]
    due = len(planned) if pace <= 0 else math.floor((now - run["started_at"]) * pace + 1e-9)
    target = min(len(planned), max(due, 0))
    for index in range(run["pages_crawled"], target):
        url, found = planned[index]
        when = run["started_at"] + ((index + 1) / pace if pace > 0 else 0.0)
        if not store_page(db, run, url, crawl_sim.page_text(url), when):
            finish_run(db, run["run_id"], when, "chatbot was deleted during the crawl")
            return
        db.execute(
            "UPDATE crawl_runs SET pages_crawled = ?, pages_found = ? WHERE run_id = ?",
            (index + 1, max(found, run["pages_found"]), run["run_id"]),
        )
    if target == len(planned):
        end = run["started_at"] + (len(planned) / pace if pace > 0 else 0.0)
        finish_run(db, run["run_id"], end, None)
