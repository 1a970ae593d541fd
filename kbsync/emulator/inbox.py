"""Inbox: every chat exchange is kept as a session with its messages; both lists are served.

A session is keyed by ``user_context.session_id`` (a new one when absent) per agent. List
Sessions answers the sessions active at or after ``since``, newest first, each with its
``message_count`` and first ``INLINE_MESSAGES`` messages; List Session Messages answers one
session's messages, oldest first. Both page like every other list.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import Any, NamedTuple

from kbsync.emulator.clock import stamp
from kbsync.emulator.context import Ctx
from kbsync.emulator.objects import page, require_agent
from kbsync.emulator.wire import Response, bad_request, not_found, ok

USER, ASSISTANT = "user", "assistant"
INLINE_MESSAGES = 20  # a listed session carries its first messages: most need no second read
# page() walks a key upwards; counting down from here walks sessions newest first
_NEWEST_FIRST = 10**15


class Exchange(NamedTuple):
    """One question and its answer, as the chat endpoint (or the admin seeding) made them."""

    chatbot_id: str
    session_id: str
    platform: str
    question: str
    answer: str
    at: float  # when the question was asked (epoch seconds)


def record(db: sqlite3.Connection, project_id: int, exchange: Exchange) -> None:
    """Append the exchange to its session (created on its first exchange)."""
    seq = _session_seq(db, project_id, exchange)
    for role, text, at in (
        (USER, exchange.question, exchange.at),
        (ASSISTANT, exchange.answer, exchange.at + 1),
    ):
        db.execute(
            "INSERT INTO messages (session_seq, role, content, created_at) VALUES (?, ?, ?, ?)",
            (seq, role, text, at),
        )
    db.execute(
        "UPDATE sessions SET updated_at = MAX(updated_at, ?) WHERE seq = ?", (exchange.at + 1, seq)
    )


def _session_seq(db: sqlite3.Connection, project_id: int, exchange: Exchange) -> int:
    key = (exchange.chatbot_id, exchange.session_id)
    row = db.execute(
        "SELECT seq FROM sessions WHERE chatbot_id = ? AND session_id = ?", key
    ).fetchone()
    if row is not None:
        return int(row["seq"])
    cursor = db.execute(
        "INSERT INTO sessions (session_id, project_id, chatbot_id, platform, created_at,"
        " updated_at) VALUES (:session_id, :pid, :chatbot_id, :platform, :at, :at)",
        {**exchange._asdict(), "pid": project_id},
    )
    return int(cursor.lastrowid or 0)


def _since(ctx: Ctx) -> float:
    raw = ctx.request.query.get("since", "")
    if not raw:
        return float("-inf")
    try:
        moment = datetime.strptime(raw, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        raise bad_request("since must be a time like 2026-01-31 23:59:00 (UTC)") from None
    return moment.timestamp()


def list_sessions(ctx: Ctx) -> Response:
    cid = require_agent(ctx, ctx.params["cid"])["chatbot_id"]
    rows, token = page(
        ctx,
        f"SELECT *, {_NEWEST_FIRST} - seq AS newest FROM sessions WHERE chatbot_id = ?"
        " AND updated_at >= ? AND newest > ? ORDER BY newest LIMIT ?",
        (cid, _since(ctx)),
        "newest",
    )
    inline = _first_messages(ctx.db, [row["seq"] for row in rows])
    items = [session_object(row, inline.get(row["seq"], [])) for row in rows]
    return ok({"items": items, "next_page_token": token})


def _first_messages(db: sqlite3.Connection, seqs: list[int]) -> dict[int, list[sqlite3.Row]]:
    """Each session's messages (one query for the whole page), for the listing's preview."""
    found: dict[int, list[sqlite3.Row]] = {}
    marks = ",".join("?" * len(seqs))
    sql = f"SELECT * FROM messages WHERE session_seq IN ({marks}) ORDER BY message_id"
    for row in db.execute(sql, seqs).fetchall() if seqs else ():
        found.setdefault(row["session_seq"], []).append(row)
    return found


def session_object(row: sqlite3.Row, messages: list[sqlite3.Row]) -> dict[str, Any]:
    return {
        "session_id": row["session_id"],
        "chatbot_id": row["chatbot_id"],
        "platform": row["platform"],
        "created_at": stamp(row["created_at"]),
        "updated_at": stamp(row["updated_at"]),
        "message_count": len(messages),
        "messages": [message_object(m) for m in messages[:INLINE_MESSAGES]],
    }


def list_messages(ctx: Ctx) -> Response:
    cid = require_agent(ctx, ctx.params["cid"])["chatbot_id"]
    session_id = ctx.request.query.get("session_id", "")
    if not session_id:
        raise bad_request("query parameter session_id is required")
    found = ctx.db.execute(
        "SELECT seq FROM sessions WHERE chatbot_id = ? AND session_id = ?", (cid, session_id)
    ).fetchone()
    if found is None:
        raise not_found(f"session {session_id} not found for chatbot {cid}")
    rows, token = page(
        ctx,
        "SELECT * FROM messages WHERE session_seq = ? AND message_id > ?"
        " ORDER BY message_id LIMIT ?",
        (found["seq"],),
        "message_id",
    )
    return ok({"items": [message_object(row) for row in rows], "next_page_token": token})


def message_object(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "message_id": row["message_id"],
        "role": row["role"],
        "content": row["content"],
        "created_at": stamp(row["created_at"]),
    }


def counts(db: sqlite3.Connection) -> dict[str, int]:
    """For the state dump: how many sessions and messages are kept (not their contents)."""
    sessions = db.execute("SELECT COUNT(*) AS n FROM sessions").fetchone()["n"]
    messages = db.execute("SELECT COUNT(*) AS n FROM messages").fetchone()["n"]
    return {"sessions": int(sessions), "messages": int(messages)}
