"""Read what ``kbsync gaps`` needs: each agent's not_found_answer and its recent sessions.

Sessions come page by page (at most ``max_sessions`` per agent); a session the listing
carries whole is not read again, the others' messages are read in parallel through the
same client (so the same pacing and retry rules as every other read apply).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from kbsync.conversations import InboxMessage, InboxSession
from kbsync.errors import ConfigError, NotFoundError
from kbsync.gaps import Asked, exchanges
from kbsync.matching import match_agents, select_agents
from kbsync.model import DesiredState
from kbsync.robofy.api import RobofyApi

_INBOX_HINT = (
    "kbsync assumes where Robofy's Inbox lists sessions (its documentation page could not be "
    "read); run `kbsync doctor` to see what your account answers, and see the Inbox section "
    "of docs/robofy-contract.md"
)


class ReadOptions(NamedTuple):
    since: float  # epoch seconds
    max_sessions: int  # per agent
    redacted: bool = True
    parallelism: int = 8


class AgentScan(NamedTuple):
    """What was read of one agent: for the report's notes and counts."""

    key: str
    found: bool  # the agent exists in the project
    sessions: int = 0
    questions: int = 0
    unanswered: int = 0
    capped: bool = False  # --max-sessions stopped the reading
    not_found_answer: str = ""  # from the agent's settings


def read_asked(
    api: RobofyApi, desired: DesiredState, keys: Sequence[str], options: ReadOptions
) -> tuple[list[AgentScan], list[Asked]]:
    chosen = select_agents(desired.agents, keys)
    matched = match_agents(chosen, api.list_agents()) if chosen else {}
    scans: list[AgentScan] = []
    asked: list[Asked] = []
    for agent in chosen:
        remote = matched.get(agent.key)
        if remote is None:
            scans.append(AgentScan(agent.key, found=False))
            continue
        scan, found = _read_agent(api, agent.key, remote.chatbot_id, options)
        scans.append(scan)
        asked += found
    return scans, asked


def _read_agent(
    api: RobofyApi, key: str, chatbot_id: str, options: ReadOptions
) -> tuple[AgentScan, list[Asked]]:
    not_found = str(api.get_settings(chatbot_id).values.get("not_found_answer") or "")
    try:
        page = api.list_sessions(chatbot_id, options.since, options.max_sessions)
    except NotFoundError as err:
        raise ConfigError(f"{err}\n{_INBOX_HINT}") from None
    conversations = _messages(api, chatbot_id, page.sessions, options.parallelism)
    asked = [
        item
        for messages in conversations
        for item in exchanges(key, messages, not_found, redacted=options.redacted)
        if item.at >= options.since
    ]
    unanswered = sum(a.unanswered for a in asked)
    scan = AgentScan(key, True, len(page.sessions), len(asked), unanswered, page.capped, not_found)
    return scan, asked


def _messages(
    api: RobofyApi, chatbot_id: str, sessions: Sequence[InboxSession], parallelism: int
) -> list[Sequence[InboxMessage]]:
    partial = [s for s in sessions if not s.complete]
    read: dict[str, Sequence[InboxMessage]] = {}
    if partial:
        with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
            found = pool.map(lambda s: _session_messages(api, chatbot_id, s), partial)
            read = {s.session_id: m for s, m in zip(partial, found, strict=True)}
    return [s.messages if s.complete else read[s.session_id] for s in sessions]


def _session_messages(
    api: RobofyApi, chatbot_id: str, session: InboxSession
) -> Sequence[InboxMessage]:
    try:
        return api.list_messages(chatbot_id, session.session_id)
    except NotFoundError:
        return session.messages  # deleted since it was listed: what the listing showed
