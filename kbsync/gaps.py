"""Knowledge gaps: the questions an agent answered with "not found", grouped. Pure.

A question is unanswered when the agent's reply is its ``not_found_answer`` (compared
after normalising whitespace and case; a reply that contains it counts too) or says in
so many words that it has no information. Near-duplicate questions are grouped with
rapidfuzz (token-sorted similarity of their content words, or one being the other plus
words); a group is reported with its count, first and last time and its newest wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import NamedTuple

from rapidfuzz import fuzz, process

from kbsync.conversations import BOT, USER, InboxMessage
from kbsync.redact import PLACEHOLDERS, printable, redact

MAX_QUESTION = 300  # characters of a question kept for the report
SIMILAR = 80  # token_sort_ratio at or above which two questions are the same question
_KEYS_PER_GROUP = 8  # wordings of a group new questions are compared with
_COMMON_PREFIX = 200  # a word this many wordings share does not pick candidates ("pay")
_MAX_CANDIDATES = 1_000
# replies that say they have no information, whatever the agent's not_found_answer is
_NO_INFORMATION = re.compile(
    r"\b(?:i|we)\s+(?:do\s+not|don't|did\s+not|didn't|could\s+not|couldn't|cannot|can't)"
    r"\s+(?:have|find|know)\b"
    r"|\bno\s+(?:information|details|answer|data)\s+(?:about|on|for|regarding|in)\b"
    r"|\bnot\s+(?:covered|mentioned|found)\s+in\s+(?:my|the|our)\s+(?:knowledge|documents|sources)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "am",
        "was",
        "be",
        "do",
        "does",
        "did",
        "can",
        "could",
        "would",
        "will",
        "shall",
        "should",
        "may",
        "might",
        "i",
        "you",
        "we",
        "it",
        "my",
        "your",
        "our",
        "me",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "and",
        "or",
        "there",
        "this",
        "that",
        "what",
        "how",
        "any",
        "some",
        "all",
        "have",
        "has",
        "please",
    ]
)


class Asked(NamedTuple):
    """One question a visitor asked and whether the agent could answer it."""

    agent: str  # the agent's key in the manifest
    question: str  # one printable line; redacted unless the user said otherwise
    at: float  # epoch seconds
    unanswered: bool


class Gap(NamedTuple):
    agent: str
    example: str  # the newest wording of the question
    times: int  # how often it was asked
    first_at: float
    last_at: float
    wordings: int  # distinct wordings in the group


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def is_not_found(answer: str, not_found_answer: str) -> bool:
    wanted = normalise(not_found_answer)
    if wanted and wanted in normalise(answer):
        return True
    return _NO_INFORMATION.search(answer) is not None


def exchanges(
    agent: str, messages: Sequence[InboxMessage], not_found_answer: str, *, redacted: bool
) -> list[Asked]:
    """Each visitor question that got a reply, paired with that reply's verdict.

    A question with no reply after it (the visitor left, a human took over) says
    nothing about the knowledge and is left out; so are the replies themselves."""
    talk = [m for m in messages if m.role in (USER, BOT)]  # a human operator's notes aside
    found: list[Asked] = []
    for message, reply in pairwise(talk):
        if message.role != USER or reply.role != BOT or not message.text.strip():
            continue
        text = _cut(printable(redact(message.text) if redacted else message.text))
        found.append(
            Asked(agent, text, message.created_at, is_not_found(reply.text, not_found_answer))
        )
    return found


def _cut(question: str) -> str:
    """A pasted page is not a question to show whole: the report keeps its start."""
    return question if len(question) <= MAX_QUESTION else question[: MAX_QUESTION - 1] + "…"


def content_words(question: str) -> str:
    """What two wordings are compared on: lower-case words without a plural s, no stop
    words or placeholders."""
    for placeholder in PLACEHOLDERS:
        question = question.replace(placeholder, " ")
    words = [w for w in _WORD.findall(question.lower()) if w not in _STOP_WORDS]
    # a plural is the same question: "gift cards" / "gift card"
    return " ".join(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words
    )


def group_gaps(asked: Iterable[Asked]) -> list[Gap]:
    """Unanswered questions grouped per agent, newest group first."""
    by_agent: dict[str, list[Asked]] = {}
    for item in sorted((a for a in asked if a.unanswered), key=lambda a: -a.at):
        by_agent.setdefault(item.agent, []).append(item)
    gaps = [gap for agent, items in by_agent.items() for gap in _group(agent, items)]
    return sorted(gaps, key=lambda g: (-g.last_at, -g.times, g.agent, g.example))


def _group(agent: str, newest_first: list[Asked]) -> list[Gap]:
    members: list[list[Asked]] = []
    index = _WordingIndex()
    for item in newest_first:
        key = content_words(item.question) or normalise(item.question)
        group = index.similar(key)
        if group is None:
            group = len(members)
            members.append([])
        index.add(key, group)
        members[group].append(item)
    return [_gap(agent, items) for items in members]


class _WordingIndex:
    """Wordings seen so far and their groups. A new wording is compared only with those
    sharing a word prefix with it, so 10,000 different questions stay fast."""

    def __init__(self) -> None:
        self._keys: list[str] = []
        self._groups: list[int] = []
        self._kept: dict[int, int] = {}  # wordings kept per group
        self._by_prefix: dict[str, list[int]] = {}
        self._known: dict[str, int] = {}

    def add(self, key: str, group: int) -> None:
        if key in self._known or self._kept.get(group, 0) >= _KEYS_PER_GROUP:
            return
        self._known[key] = group
        self._kept[group] = self._kept.get(group, 0) + 1
        for prefix in _prefixes(key):
            self._by_prefix.setdefault(prefix, []).append(len(self._keys))
        self._keys.append(key)
        self._groups.append(group)

    def similar(self, key: str) -> int | None:
        """The group of an equal or similar wording; None when there is none."""
        if key in self._known:
            return self._known[key]
        postings = [self._by_prefix.get(prefix, []) for prefix in _prefixes(key)]
        rare = [p for p in postings if len(p) <= _COMMON_PREFIX] or postings
        candidates = sorted({i for posting in rare for i in posting})[-_MAX_CANDIDATES:]
        found = _similar(key, [self._keys[i] for i in candidates])
        return None if found is None else self._groups[candidates[found]]


def _prefixes(key: str) -> set[str]:
    return {word[:4] for word in key.split()}


def _similar(key: str, keys: list[str]) -> int | None:
    """The index of a similar wording in ``keys``; None when there is none."""
    if not keys:
        return None
    best = process.extractOne(key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR)
    if best is not None:
        return int(best[2])
    if len(key.split()) < 2:
        return None  # one word is a subset of too many questions
    subset = process.extractOne(key, keys, scorer=fuzz.token_set_ratio, score_cutoff=100)
    if subset is not None and len(keys[subset[2]].split()) >= 2:
        return int(subset[2])
    return None


def _gap(agent: str, items: list[Asked]) -> Gap:
    times = [i.at for i in items]
    wordings = len({normalise(i.question) for i in items})
    return Gap(agent, items[0].question, len(items), min(times), max(times), wordings)


def top_gaps(gaps: Sequence[Gap], limit: int) -> list[Gap]:
    """The most asked groups (ties: the newest), for --suggest-checks."""
    return sorted(gaps, key=lambda g: (-g.times, -g.last_at, g.agent, g.example))[:limit]
