"""Plan -> Markdown for pull-request comments and step summaries (pure).

Layout, top to bottom: a one-sentence summary with counts per agent; guard
refusals (CAUTION); every delink (WARNING); notes (NOTE); then one <details>
block per agent with every action, its reason, prompt/text diffs and old -> new
tables. Agents are sorted by key and actions by apply order, so the same plan
always renders to the same bytes. Everything is cut to ``max_chars`` by
``md_fit``, longest sections first.
"""

from __future__ import annotations

from kbsync.model import CREATE_AGENT, DELINK, Action, Plan
from kbsync.render.markdown_result import render_result_markdown
from kbsync.render.md_actions import count_phrases, detail, kind_label, sort_key, subject
from kbsync.render.md_blocks import blockquote, code_span, escape_html, escape_text, plural
from kbsync.render.md_fit import Part, Section, fit

__all__ = ["render_plan_markdown", "render_result_markdown"]

# the first line names at most this many agents, then "and N more"
_HEADLINE_AGENTS = 20


def render_plan_markdown(
    plan: Plan, *, max_chars: int = 60_000, full_plan_hint: str = "the JSON plan artifact"
) -> str:
    by_agent = _actions_by_agent(plan)
    sections = [
        *_refusal_section(plan),
        *_deletion_section(plan, by_agent),
        *_notes_section(plan),
        *(_agent_section(plan, key, actions) for key, actions in by_agent.items() if actions),
    ]
    return fit(_headline(plan, by_agent), sections, max_chars, full_plan_hint)


def _actions_by_agent(plan: Plan) -> dict[str, list[Action]]:
    """Every agent the plan knows of (sorted by key) -> its actions in apply order."""
    keys = {a.agent for a in plan.actions} | set(plan.agent_ids) | {n.agent for n in plan.notes}
    keys.discard("")
    by_agent: dict[str, list[Action]] = {key: [] for key in sorted(keys)}
    for action in sorted(plan.actions, key=sort_key):
        by_agent.setdefault(action.agent, []).append(action)
    return by_agent


def _headline(plan: Plan, by_agent: dict[str, list[Action]]) -> str:
    per_agent = [
        f"{escape_text(key)}: {', '.join(count_phrases(actions)) or 'no changes'}"
        for key, actions in by_agent.items()
    ]
    if len(per_agent) > _HEADLINE_AGENTS:
        rest = len(per_agent) - _HEADLINE_AGENTS
        per_agent = [*per_agent[:_HEADLINE_AGENTS], f"and {plural(rest, 'more agent')}"]
    counts = "; ".join(per_agent) or "no changes"
    refused = " — **apply will refuse this plan**" if plan.refusals else ""
    return f"**kbsync plan** for project {plan.project} — {counts}{refused}.\n"


def _refusal_section(plan: Plan) -> list[Section]:
    if not plan.refusals:
        return []
    head = "\n" + blockquote(
        [
            "[!CAUTION]",
            "**Apply will refuse this plan.** A safety guard stopped it, so nothing would change:",
            "",
        ]
    )
    parts = tuple(_same(blockquote([f"- {escape_text(r)}"])) for r in sorted(plan.refusals))
    return [
        Section("the guard refusals", head, parts, noun="refusal", quoted=True, droppable=False)
    ]


def _deletion_section(plan: Plan, by_agent: dict[str, list[Action]]) -> list[Section]:
    delinks = [a for actions in by_agent.values() for a in actions if a.kind == DELINK]
    if not delinks:
        return []
    head = "\n" + blockquote(
        [
            "[!WARNING]",
            f"**{plural(len(delinks), 'deletion')}:** these will be delinked from their agents,"
            " so the agents stop answering from them:",
            "",
        ]
    )
    parts = tuple(
        _same(blockquote([f"- **{escape_text(a.agent)}**: {subject(a)} — {escape_text(a.reason)}"]))
        for a in delinks
    )
    return [Section("the deletions", head, parts, noun="deletion", quoted=True, droppable=False)]


def _notes_section(plan: Plan) -> list[Section]:
    if not plan.notes:
        return []
    head = "\n" + blockquote(["[!NOTE]", "**Notes**", ""])
    parts = tuple(
        _same(blockquote([f"- {_who(n.agent)}{escape_text(n.message)}"]))
        for n in sorted(plan.notes, key=lambda n: (n.agent, n.message))
    )
    return [Section("the notes", head, parts, noun="note", quoted=True)]


def _agent_section(plan: Plan, key: str, actions: list[Action]) -> Section:
    chatbot = plan.agent_ids.get(key)
    where = f" (chatbot {code_span(chatbot)})" if chatbot else ""
    if any(a.kind == CREATE_AGENT for a in actions):
        where = " (new agent)"
    summary = f"{plural(len(actions), 'action')}: {', '.join(count_phrases(actions))}"
    head = (
        f"\n### {escape_text(key)}{where}\n\n"
        f"<details>\n<summary>{escape_html(summary)}</summary>\n\n"
    )
    parts = tuple(_action_part(a) for a in actions)
    return Section(f"the actions of {key}", head, parts, tail="\n</details>\n")


def _action_part(action: Action) -> Part:
    about = subject(action)
    label = f"**{kind_label(action.kind)}**" + (f" {about}" if about else "")
    line = f"- {label}: {escape_text(action.reason)}\n"
    block = detail(action)
    return Part(line + block.full, line + block.short)


def _who(agent: str) -> str:
    return f"**{escape_text(agent)}**: " if agent else ""


def _same(text: str) -> Part:
    return Part(text, text)
