"""Seed conversations into the Inbox (admin surface, the demo): as if visitors had chatted.

A conversation is ``{"exchanges": [{"question": str, "answer"?: str}, ...], "platform"?: str,
"seconds_ago"?: number, "session_id"?: str}``. An exchange without an answer is answered
the way the chat endpoint would answer it now; exchanges are a minute apart, the first one
``seconds_ago`` before the emulator's now.
"""

from __future__ import annotations

import secrets
from typing import Any

from kbsync.emulator.chat import answer_for
from kbsync.emulator.context import Ctx
from kbsync.emulator.inbox import Exchange, record
from kbsync.emulator.objects import require_agent
from kbsync.emulator.validate import check_body, check_length
from kbsync.emulator.wire import bad_request

CONVERSATION_SPEC = {
    "exchanges": "any",
    "platform": "str",
    "seconds_ago": "any",
    "session_id": "str",
}
EXCHANGE_SPEC = {"question": "str", "answer": "str"}
MAX_CONVERSATIONS = 100_000
MAX_SECONDS_AGO = 10 * 365 * 86400.0


def seed_conversations(ctx: Ctx, chatbot_id: object, conversations: object) -> int:
    """Record every conversation for the agent; returns how many exchanges were recorded."""
    cid = require_agent(ctx, chatbot_id)["chatbot_id"]
    if not isinstance(conversations, list) or len(conversations) > MAX_CONVERSATIONS:
        raise bad_request(f"conversations must be a list of at most {MAX_CONVERSATIONS:,}")
    return sum(_seed_one(ctx, cid, conversation) for conversation in conversations)


def _seed_one(ctx: Ctx, cid: str, conversation: Any) -> int:
    if not isinstance(conversation, dict):
        raise bad_request("each conversation must be an object")
    check_body(conversation, CONVERSATION_SPEC, required=("exchanges",))
    exchanges = conversation["exchanges"]
    if not isinstance(exchanges, list) or not exchanges:
        raise bad_request("exchanges must be a non-empty list")
    session = conversation.get("session_id") or "sess_" + secrets.token_hex(8)
    platform = conversation.get("platform") or "web"
    start = ctx.now - _seconds_ago(conversation.get("seconds_ago", 0))
    for i, exchange in enumerate(exchanges):
        question, answer = _exchange(ctx, cid, exchange)
        record(
            ctx.db,
            ctx.project_id,
            Exchange(cid, session, platform, question, answer, start + 60 * i),
        )
    return len(exchanges)


def _seconds_ago(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad_request("seconds_ago must be a number")
    if not 0 <= value <= MAX_SECONDS_AGO:
        raise bad_request(f"seconds_ago must be between 0 and {MAX_SECONDS_AGO:.0f}")
    return float(value)


def _exchange(ctx: Ctx, cid: str, exchange: Any) -> tuple[str, str]:
    if not isinstance(exchange, dict):
        raise bad_request("each exchange must be an object")
    check_body(exchange, EXCHANGE_SPEC, required=("question",))
    question = check_length("question", exchange["question"], 10_000, non_empty=True)
    answer = exchange.get("answer")
    return question, str(answer) if answer is not None else answer_for(ctx, cid, question)[0]
