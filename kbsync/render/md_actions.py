"""How one action reads in Markdown: its label, its subject, its detail block.

Shared by the plan and the result renderers. Ordering lives here too, so two
renderings of the same plan are byte-identical whatever order the planner used.
"""

from __future__ import annotations

from collections.abc import Iterable

from kbsync.model import (
    ACTION_KINDS,
    ADD_FILE,
    ADD_KINDS,
    ADD_TEXT,
    CRAWL,
    CREATE_AGENT,
    DELINK,
    REPLACE_FILE,
    REPLACE_KINDS,
    REPLACE_TEXT,
    UPDATE_AGENT,
    UPDATE_PERSONA,
    UPDATE_PROMPT,
    UPDATE_SETTINGS,
    WAIT_CRAWL,
    Action,
)
from kbsync.render.md_blocks import (
    changes_table,
    code_span,
    diff_stats,
    fenced,
    plural,
    unified_diff,
)
from kbsync.render.md_fit import Part

_LABELS: dict[str, str] = {
    CREATE_AGENT: "create agent",
    UPDATE_AGENT: "update profile",
    UPDATE_PROMPT: "update prompt",
    UPDATE_SETTINGS: "update settings",
    UPDATE_PERSONA: "update persona",
    ADD_TEXT: "add text",
    ADD_FILE: "add file",
    REPLACE_TEXT: "replace text",
    REPLACE_FILE: "replace file",
    CRAWL: "crawl website",
    WAIT_CRAWL: "wait for crawl",
    DELINK: "delink",
}

# the summary's words per group of kinds, in apply order: (kinds, for one, for {n})
_PHRASES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    ((CREATE_AGENT,), "new agent", "{n} new agents"),
    ((UPDATE_AGENT,), "profile to update", "{n} profile updates"),
    ((UPDATE_PROMPT,), "prompt to update", "{n} prompt updates"),
    ((UPDATE_SETTINGS,), "settings to update", "{n} settings updates"),
    ((UPDATE_PERSONA,), "persona to update", "{n} persona updates"),
    (ADD_KINDS, "1 to add", "{n} to add"),
    (REPLACE_KINDS, "1 to replace", "{n} to replace"),
    ((CRAWL,), "1 site to crawl", "{n} sites to crawl"),
    ((WAIT_CRAWL,), "1 crawl running", "{n} crawls running"),
    ((DELINK,), "1 to delink", "{n} to delink"),
)


def kind_label(kind: str) -> str:
    return _LABELS.get(kind, kind.replace("_", " "))


def sort_key(action: Action) -> tuple[int, str, str]:
    """Apply order, then by what the action is about."""
    rank = ACTION_KINDS.index(action.kind) if action.kind in ACTION_KINDS else len(ACTION_KINDS)
    return rank, action.source_key or "", action.label


def count_phrases(actions: Iterable[Action]) -> list[str]:
    """['prompt to update', '3 to add', '1 to replace', '2 to delink']."""
    kinds: list[str] = [a.kind for a in actions]
    phrases = []
    for group, one, many in _PHRASES:
        count = sum(kinds.count(k) for k in group)
        if count:
            phrases.append(one if count == 1 else many.format(n=f"{count:,}"))
    unknown = [k for k in kinds if k not in ACTION_KINDS]
    if unknown:
        phrases.append(plural(len(unknown), "other action"))
    return phrases


def subject(action: Action) -> str:
    """What the action is about, as inline Markdown ('' for agent-level updates)."""
    if action.kind == DELINK:
        what = code_span(action.label or action.source_key or "?")
        many = len(action.linkage_ids)
        return what + (f" ({many:,} linkages)" if many > 1 else "")
    if action.kind in (CRAWL, WAIT_CRAWL):
        url = action.site.url if action.site else action.source_key or "?"
        run = f" (run {code_span(action.run_id)})" if action.run_id else ""
        return code_span(url) + run
    if action.source_key:
        size = f" ({plural(action.asset.size, 'byte')})" if action.asset else ""
        return code_span(action.source_key) + size
    return ""


def detail(action: Action) -> Part:
    """The block under an action: a prompt/text diff or an old -> new table."""
    if action.changes:
        table = changes_table(action.changes)
        short = f"*Table of {plural(len(action.changes), 'changed field')} cut to fit.*\n"
        return Part("\n" + table + "\n", "\n" + short + "\n")
    if action.new_text is None and action.old_text is None:
        return Part("", "")
    lines = unified_diff(
        action.old_text or "",
        action.new_text or "",
        _diff_name(action, "now"),
        _diff_name(action, "manifest"),
    )
    if not lines:
        return Part("", "")
    added, removed = diff_stats(lines)
    short = f"*Diff cut to fit (+{added:,} −{removed:,} lines).*\n"
    return Part("\n" + fenced("\n".join(lines), "diff") + "\n", "\n" + short + "\n")


def _diff_name(action: Action, side: str) -> str:
    what = "prompt" if action.kind == UPDATE_PROMPT else action.source_key or action.kind
    return f"{action.agent} {what} ({side})"
