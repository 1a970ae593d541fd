"""Handler: send message. Answers from the agent's linked, ready content by keyword overlap.

The answer is the sentence sharing the most distinct words (3+ letters, not stop words) with
the query; ``sources`` names the asset it came from. No overlap: the agent's
``not_found_answer``.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from typing import Any

from kbsync.emulator import inbox
from kbsync.emulator.agents import DEFAULT_SETTINGS, read_json_column
from kbsync.emulator.context import Ctx
from kbsync.emulator.dialect import READY_STATUSES, check_chat_context
from kbsync.emulator.fair_use import take_chat_turn
from kbsync.emulator.inbox import Exchange
from kbsync.emulator.objects import linkage_status, require_agent
from kbsync.emulator.validate import check_body, check_length, project_id_of
from kbsync.emulator.wire import Response, bad_request, bearer_key, ok

CHAT_SPEC = {"query": "str", "pid": "any", "chatbot_id": "str", "user_context": "object"}
STOP_WORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "are",
        "but",
        "not",
        "you",
        "your",
        "with",
        "this",
        "that",
        "from",
        "have",
        "has",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "how",
        "can",
        "does",
        "did",
        "will",
        "would",
        "should",
        "could",
        "about",
        "into",
        "than",
        "then",
        "them",
        "they",
        "our",
        "its",
        "it's",
        "his",
        "her",
        "there",
        "their",
        "here",
        "also",
        "just",
        "any",
        "all",
    ]
)


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 3} - STOP_WORDS


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def best_answer(query: str, documents: list[tuple[str, str]]) -> tuple[str, str] | None:
    """(sentence, asset name) with the largest overlap, earliest first on ties; None if none."""
    wanted = words(query)
    best: tuple[int, str, str] | None = None
    for name, text in documents:
        for sentence in sentences(text):
            score = len(wanted & words(sentence))
            if score and (best is None or score > best[0]):
                best = (score, sentence, name)
    return (best[1], best[2]) if best else None


def _documents(db: sqlite3.Connection, chatbot_id: str, now: float) -> list[tuple[str, str]]:
    rows = db.execute(
        "SELECT l.*, a.text AS text FROM linkages l JOIN assets a ON a.asset_id = l.asset_id"
        " WHERE l.chatbot_id = ? AND l.linked = 1 AND a.text IS NOT NULL ORDER BY l.linkage_id",
        (chatbot_id,),
    ).fetchall()
    return [(r["asset_name"], r["text"]) for r in rows if linkage_status(r, now) in READY_STATUSES]


def _session_id(context: dict[str, Any]) -> str:
    session = context.get("session_id")
    if session is not None and not isinstance(session, str):
        raise bad_request("user_context.session_id must be a string")
    return session or "sess_" + secrets.token_hex(8)


def answer_for(ctx: Ctx, chatbot_id: str, query: str) -> tuple[str, list[str]]:
    """(answer, sources): the best sentence of the agent's content, else its not_found_answer."""
    found = best_answer(query, _documents(ctx.db, chatbot_id, ctx.now))
    if found is not None:
        return found[0], [found[1]]
    settings = {**DEFAULT_SETTINGS, **read_json_column(ctx, "settings", chatbot_id)}
    return str(settings["not_found_answer"]), []


def _platform(context: dict[str, Any]) -> str:
    platform = context.get("platform")
    return platform[:100] if isinstance(platform, str) and platform else "api"


def chat(ctx: Ctx) -> Response:
    body = ctx.request.json_object()
    check_body(body, CHAT_SPEC, required=("query", "pid", "chatbot_id", "user_context"))
    project_id_of(body["pid"], "pid")
    query = check_length("query", body["query"], 10_000, non_empty=True)
    cid = require_agent(ctx, body["chatbot_id"])["chatbot_id"]
    context = body["user_context"]
    check_chat_context(ctx.config, context)
    take_chat_turn(ctx, bearer_key(ctx.request))
    session = _session_id(context)
    answer, sources = answer_for(ctx, cid, query)
    exchange = Exchange(cid, session, _platform(context), query, answer, ctx.now)
    inbox.record(ctx.db, ctx.project_id, exchange)
    return ok({"answer": answer, "sources": sources, "session_id": session})
