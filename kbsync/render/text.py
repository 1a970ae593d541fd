"""Plans and apply results as terminal text, Terraform-like. Pure: str out.

One block per agent; one line per action (symbol, what, subject: reason) with
details under it (old -> new per field, a unified diff for prompts); then notes,
guard refusals and a final count line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from kbsync.model import (
    CRAWL,
    CREATE_AGENT,
    DELINK,
    DONE,
    FAILED_OUTCOME,
    SKIPPED,
    STILL_RUNNING,
    UPDATE_AGENT,
    UPDATE_PERSONA,
    UPDATE_PROMPT,
    UPDATE_SETTINGS,
    WAIT_CRAWL,
    Action,
    ApplyResult,
    Note,
    Outcome,
    Plan,
)
from kbsync.render.counts import plan_counts, result_counts
from kbsync.render.style import paint, show_size, show_value

# kind -> (symbol, colour, words)
_LOOK = {
    CREATE_AGENT: ("+", "green", "create agent"),
    UPDATE_AGENT: ("~", "yellow", "update profile"),
    UPDATE_PROMPT: ("~", "yellow", "update prompt"),
    UPDATE_SETTINGS: ("~", "yellow", "update settings"),
    UPDATE_PERSONA: ("~", "yellow", "update persona"),
    "add_text": ("+", "green", "add text"),
    "add_file": ("+", "green", "add file"),
    "replace_text": ("~", "yellow", "replace text"),
    "replace_file": ("~", "yellow", "replace file"),
    CRAWL: (">", "cyan", "crawl"),
    WAIT_CRAWL: (".", "cyan", "wait for crawl"),
    DELINK: ("-", "red", "delink"),
}
_STATUS_LOOK = {
    DONE: ("done", "green"),
    FAILED_OUTCOME: ("FAILED", "red"),
    SKIPPED: ("skipped", "yellow"),
    STILL_RUNNING: ("running", "yellow"),
}
_INDENT = "      "


def render_plan_text(plan: Plan, *, color: bool = False) -> str:
    lines: list[str] = []
    for agent in _agents(plan.actions, plan.notes):
        lines += _agent_block(plan, agent, color)
    if plan.refusals:
        lines.append(paint("Refused: nothing will be applied.", "red", color))
        lines += [paint(f"  ! {r}", "red", color) for r in plan.refusals]
        lines.append("")
    lines.append(_plan_summary(plan, color))
    return "\n".join(lines) + "\n"


def render_result_text(result: ApplyResult, *, color: bool = False) -> str:
    lines: list[str] = []
    actions = [o.action for o in result.outcomes]
    for agent in _agents(actions, ()):
        lines.append(paint(agent, "bold", color))
        lines += [_outcome_line(o, color) for o in result.outcomes if o.action.agent == agent]
        lines.append("")
    lines += [f"note: {n}" for n in result.notes]
    lines += [""] if result.notes else []
    lines.append(_result_summary(result, color))
    return "\n".join(lines) + "\n"


# --- plan ---------------------------------------------------------------------------


def _agent_block(plan: Plan, agent: str, color: bool) -> list[str]:
    chatbot = plan.agent_ids.get(agent)
    where = f"chatbot {chatbot}" if chatbot else "new agent"
    lines = [paint(agent, "bold", color) + paint(f" ({where})", "dim", color)]
    for action in (a for a in plan.actions if a.agent == agent):
        lines.append("  " + action_line(action, color))
        lines += [_INDENT + d for d in _details(action, color)]
    lines += [paint(f"  note: {n.message}", "dim", color) for n in plan.notes if n.agent == agent]
    return [*lines, ""]


def action_line(action: Action, color: bool = False) -> str:
    symbol, style, words = _LOOK.get(action.kind, ("?", "bold", action.kind))
    head = paint(f"{symbol} {words}", style, color)
    what = _subject(action)
    return f"{head} {what}: {action.reason}" if what else f"{head}: {action.reason}"


def _subject(action: Action) -> str:
    if action.kind == DELINK:
        return action.label or action.source_key or ""
    if action.kind in (CRAWL, WAIT_CRAWL):
        url = action.site.url if action.site else action.source_key or ""
        return f"{url} (run {action.run_id})" if action.run_id else url
    if action.asset is not None:
        return f"{action.source_key} ({show_size(action.asset.size)})"
    return action.source_key or ""


def _details(action: Action, color: bool) -> list[str]:
    if action.kind == UPDATE_PROMPT:
        return _prompt_diff(action.old_text or "", action.new_text or "", color)
    return [
        f"{c.field}: {show_value(c.field, c.new)}"
        if action.kind == CREATE_AGENT
        else f"{c.field}: {show_value(c.field, c.old)} -> {show_value(c.field, c.new)}"
        for c in action.changes
    ]


def _prompt_diff(old: str, new: str, color: bool) -> list[str]:
    diff = difflib.unified_diff(
        old.splitlines(), new.splitlines(), "prompt (Robofy)", "prompt (manifest)", lineterm=""
    )
    return [_diff_line(line, color) for line in diff]


def _diff_line(line: str, color: bool) -> str:
    if line.startswith(("+++", "---")):
        return paint(line, "bold", color)
    style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1])
    return paint(line, style, color) if style else line


def _plan_summary(plan: Plan, color: bool) -> str:
    if not plan.actions:
        matches = (
            "(see the notes above)" if plan.notes else "The Robofy project matches the manifest."
        )
        return paint(f"No changes. {matches}", "green", color)
    n = plan_counts(plan)
    text = (
        f"Plan: {n['add']} to add, {n['replace']} to replace, {n['update']} to update, "
        f"{n['delink']} to delink, {n['crawl']} to crawl"
    )
    if n["wait"]:
        text += f", {n['wait']} running crawl{'s' if n['wait'] != 1 else ''} to wait for"
    return paint(text + ".", "bold", color)


# --- result -------------------------------------------------------------------------


def _outcome_line(outcome: Outcome, color: bool) -> str:
    word, style = _STATUS_LOOK.get(outcome.status, (outcome.status, "bold"))
    line = f"  {paint(f'{word:<8}', style, color)} {action_line(outcome.action)}"
    if not outcome.message:
        return line
    if outcome.status == DONE:  # "ready", "12 pages crawled": a short tail is enough
        return f"{line} {paint(f'=> {outcome.message}', 'dim', color)}"
    return f"{line}\n{_INDENT}{paint(outcome.message, style, color)}"


def _result_summary(result: ApplyResult, color: bool) -> str:
    if not result.outcomes:
        return "Nothing to apply."
    n = result_counts(result)
    text = (
        f"Applied: {n[DONE]} done, {n[FAILED_OUTCOME]} failed, {n[SKIPPED]} skipped, "
        f"{n[STILL_RUNNING]} still running."
    )
    if result.failed:
        return paint(text + " Not everything was applied.", "red", color)
    return paint(text, "green", color)


def _agents(actions: Iterable[Action], notes: Sequence[Note]) -> list[str]:
    """Agent keys in the order they first appear (the planner orders by manifest)."""
    seen = dict.fromkeys(a.agent for a in actions)
    seen.update(dict.fromkeys(n.agent for n in notes))
    return list(seen)
