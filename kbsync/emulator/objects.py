"""Rows -> canonical wire objects, lookups that 404, and the opaque pagination tokens."""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
from typing import Any

from kbsync.emulator.clock import stamp
from kbsync.emulator.context import Ctx
from kbsync.emulator.dialect import check_page_query
from kbsync.emulator.validate import is_digits, limit_of
from kbsync.emulator.wire import bad_request, not_found


def require_agent(ctx: Ctx, chatbot_id: object) -> sqlite3.Row:
    """The agent row of this project, or 404 NOT_FOUND (also for another project's agent)."""
    if not isinstance(chatbot_id, str) or not chatbot_id:
        raise bad_request("chatbot_id must be a non-empty string")
    row: sqlite3.Row | None = ctx.db.execute(
        "SELECT * FROM agents WHERE chatbot_id = ? AND project_id = ?",
        (chatbot_id, ctx.project_id),
    ).fetchone()
    if row is None:
        raise not_found(f"chatbot {chatbot_id} not found in project {ctx.project_id}", "CHATBOT")
    return row


def agent_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    usage = db.execute(
        "SELECT SUM(l.asset_type = 'file') AS files, SUM(l.asset_type = 'url') AS links,"
        " SUM(a.size) AS size FROM linkages l JOIN assets a ON a.asset_id = l.asset_id"
        " WHERE l.chatbot_id = ? AND l.linked = 1",
        (row["chatbot_id"],),
    ).fetchone()
    return {
        "chatbot_id": row["chatbot_id"],
        "name": row["name"],
        "description": row["description"],
        "type": row["type"],
        "access_type": row["access_type"],
        "avatar_url": row["avatar_url"],
        "llm_source": row["llm_source"],
        "language": row["language"],
        "status": "Active",
        "file_usage": usage["files"] or 0,
        "link_usage": usage["links"] or 0,
        "storage_size": usage["size"] or 0,
        "created_at": stamp(row["created_at"]),
        "updated_at": stamp(row["updated_at"]),
    }


def linkage_status(row: sqlite3.Row, now: float) -> str:
    """Computed lazily: "Processing" until ready_at on the emulator clock, then the final status."""
    return str(row["final_status"]) if now >= row["ready_at"] else "Processing"


def linkage_object(row: sqlite3.Row, now: float) -> dict[str, Any]:
    return {
        "linkage_id": row["linkage_id"],
        "asset_id": row["asset_id"],
        "chatbot_id": row["chatbot_id"],
        "status": linkage_status(row, now),
        "asset_type": row["asset_type"],
        "asset_name": row["asset_name"],
        "asset_url": row["asset_url"],
        "metadata": row["metadata"],
        "created_at": stamp(row["created_at"]),
    }


def run_object(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "run_id": row["run_id"],
        "chatbot_id": row["chatbot_id"],
        "status": row["status"],
        "start_urls": json.loads(row["params"])["start_urls"],
        "pages_found": row["pages_found"],
        "pages_crawled": row["pages_crawled"],
        "pages_failed": row["pages_failed"],
        "started_at": stamp(row["started_at"]),
        "finished_at": stamp(row["finished_at"]),
        "error": row["error"],
    }


def encode_token(after: int) -> str:
    return base64.urlsafe_b64encode(f"after:{after}".encode()).decode().rstrip("=")


def decode_token(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    prefix, _, number = text.partition(":")
    if prefix != "after" or not is_digits(number):
        raise bad_request("invalid nextPageToken")
    return int(number)


def page(
    ctx: Ctx, sql: str, args: tuple[Any, ...], key: str
) -> tuple[list[sqlite3.Row], str | None]:
    """One page of ``sql`` (which must end with ``AND <key> > ? ORDER BY <key> LIMIT ?``)."""
    check_page_query(ctx)
    limit = limit_of(ctx.request.query, ctx.config.page_size, ctx.config.max_page_size)
    token = ctx.request.query.get("nextPageToken") or ""
    after = decode_token(token) if token else 0
    rows = ctx.db.execute(sql, (*args, after, limit + 1)).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_token(int(rows[-1][key])) if more else None
