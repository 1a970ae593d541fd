"""Golden questions: ask each agent through the chat endpoint and judge the answers.

A check passes when every ``expect`` word or phrase appears in the answer and no
``expect_not`` one does, case-insensitively and as whole words (``no`` is not found
in ``know``; a phrase's spaces match any run of white space). Judging is pure;
``run_checks`` is the one function here that talks to Robofy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from kbsync.chat_pacing import ChatPacer
from kbsync.errors import AuthError, RobofyError
from kbsync.matching import match_agents
from kbsync.model import DesiredAgent, DesiredState, GoldenCheck
from kbsync.robofy.api import RobofyApi


class CheckResult(NamedTuple):
    agent: str  # the agent's key in the manifest
    ask: str
    passed: bool
    answer: str = ""
    missing: tuple[str, ...] = ()  # expected words the answer lacks
    unexpected: tuple[str, ...] = ()  # expect_not words the answer has
    error: str = ""  # the question could not be asked


def judge(agent: str, check: GoldenCheck, answer: str) -> CheckResult:
    missing = tuple(w for w in check.expect if not contains(answer, w))
    unexpected = tuple(w for w in check.expect_not if contains(answer, w))
    passed = not missing and not unexpected
    return CheckResult(agent, check.ask, passed, answer, missing, unexpected)


def contains(text: str, phrase: str) -> bool:
    """``phrase`` in ``text`` as whole words, ignoring case and the kind of white space."""
    words = phrase.split()
    if not words:
        return True
    pattern = r"\s+".join(re.escape(w) for w in words)
    return re.search(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE) is not None


def run_checks(
    api: RobofyApi,
    desired: DesiredState,
    agents: Sequence[str] = (),
    pacer: ChatPacer | None = None,
) -> list[CheckResult]:
    """Ask every golden question of the chosen agents (all when empty), one session each,
    paced under the fair-use chat limits (``pacer``; one without a ledger when None)."""
    chosen = [a for a in desired.agents if a.checks and (not agents or a.key in agents)]
    if not chosen:
        return []
    matched = match_agents(chosen, api.list_agents())
    pacer = pacer or ChatPacer(api, say=lambda line: None)
    pacer.reserve(sum(len(a.checks) for a in chosen if a.key in matched))
    results: list[CheckResult] = []
    try:
        for agent in chosen:
            remote = matched.get(agent.key)
            if remote is None:
                results += _not_created(agent)
                continue
            results += [_ask(api, agent.key, remote.chatbot_id, c, pacer) for c in agent.checks]
    finally:
        pacer.finish()
    return results


def _ask(
    api: RobofyApi, key: str, chatbot_id: str, check: GoldenCheck, pacer: ChatPacer
) -> CheckResult:
    pacer.before_ask()
    try:
        answer = api.chat(chatbot_id, check.ask)
    except AuthError:
        raise  # a bad key fails every question the same way: say it once
    except RobofyError as err:
        return CheckResult(key, check.ask, False, error=f"could not ask: {err}")
    return judge(key, check, answer)


def _not_created(agent: DesiredAgent) -> list[CheckResult]:
    why = f"no agent named {agent.name!r} in the project yet (run kbsync apply)"
    return [CheckResult(agent.key, c.ask, False, error=why) for c in agent.checks]


def first_line(text: str, limit: int = 100) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def failure_reason(result: CheckResult) -> str:
    """Why a check failed, for people; "" when it passed."""
    parts = []
    if result.error:
        parts.append(result.error)
    if result.missing:
        parts.append("missing: " + ", ".join(result.missing))
    if result.unexpected:
        parts.append("should not say: " + ", ".join(result.unexpected))
    return "; ".join(parts)
