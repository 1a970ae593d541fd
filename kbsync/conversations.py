"""Conversations as kbsync reads them from Robofy's Inbox: sessions and their messages.

A session id is an opaque handle the client needs to read a session's messages; it
stays inside kbsync (``kbsync gaps`` never prints, logs or stores it).
"""

from __future__ import annotations

from typing import NamedTuple

USER = "user"  # a message the visitor wrote
BOT = "bot"  # a message the agent answered


class InboxMessage(NamedTuple):
    role: str  # USER, BOT, or "" for anything else (a note, a human operator's reply)
    text: str
    created_at: float  # epoch seconds, UTC


class InboxSession(NamedTuple):
    session_id: str
    platform: str  # where the conversation happened: "web", "whatsapp", "kbsync", ...
    created_at: float  # epoch seconds, UTC
    updated_at: float  # the last message, epoch seconds, UTC
    # the first messages when the listing carries them; ``complete`` when that is all of them
    # (then List Session Messages need not be asked: one request per page, not per session)
    messages: tuple[InboxMessage, ...] = ()
    complete: bool = False


class SessionPage(NamedTuple):
    """The sessions of one agent in a time window, and whether a cap stopped the reading."""

    sessions: tuple[InboxSession, ...]
    capped: bool
