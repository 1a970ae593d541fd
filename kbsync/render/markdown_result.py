"""ApplyResult -> Markdown for step summaries (pure).

Honest first: the first line says whether apply succeeded, failed or left work
running, with done / failed / skipped / still running counts per agent. Then
every failure (CAUTION) and everything still running (WARNING) with its
message, the run's notes, and one <details> block per agent listing every
outcome, failures first.
"""

from __future__ import annotations

from kbsync.model import DONE, FAILED_OUTCOME, SKIPPED, STILL_RUNNING, ApplyResult, Outcome
from kbsync.render.md_actions import kind_label, sort_key, subject
from kbsync.render.md_blocks import blockquote, escape_html, escape_text, plural
from kbsync.render.md_fit import Part, Section, fit

_STATUS_ORDER = (FAILED_OUTCOME, STILL_RUNNING, SKIPPED, DONE)
_STATUS_WORDS: dict[str, str] = {
    FAILED_OUTCOME: "failed",
    STILL_RUNNING: "still running",
    SKIPPED: "skipped",
    DONE: "done",
}
_COUNT_ORDER = (DONE, FAILED_OUTCOME, SKIPPED, STILL_RUNNING)
_FULL_RESULT_HINT = "the job log"


def render_result_markdown(result: ApplyResult, *, max_chars: int = 60_000) -> str:
    by_agent = _outcomes_by_agent(result)
    sections = [
        *_status_section(result, FAILED_OUTCOME, "CAUTION", "failed"),
        *_status_section(
            result, STILL_RUNNING, "WARNING", "still running when kbsync stopped waiting"
        ),
        *_notes_section(result),
        *(_agent_section(key, outcomes) for key, outcomes in by_agent.items()),
    ]
    return fit(_headline(result, by_agent), sections, max_chars, _FULL_RESULT_HINT)


def _outcome_key(outcome: Outcome) -> tuple[int, tuple[int, str, str]]:
    status = outcome.status
    rank = _STATUS_ORDER.index(status) if status in _STATUS_ORDER else len(_STATUS_ORDER)
    return rank, sort_key(outcome.action)


def _outcomes_by_agent(result: ApplyResult) -> dict[str, list[Outcome]]:
    by_agent: dict[str, list[Outcome]] = {}
    for outcome in sorted(result.outcomes, key=lambda o: (o.action.agent, _outcome_key(o))):
        by_agent.setdefault(outcome.action.agent, []).append(outcome)
    return by_agent


def _verdict(result: ApplyResult) -> str:
    statuses = {o.status for o in result.outcomes}
    if FAILED_OUTCOME in statuses:
        return "finished with failures"
    if STILL_RUNNING in statuses:
        return "finished, but some work is still running"
    if not result.outcomes:
        return "had nothing to do"
    return "succeeded"


def _counts(outcomes: list[Outcome]) -> str:
    statuses = [o.status for o in outcomes]
    known = [f"{statuses.count(s):,} {_STATUS_WORDS[s]}" for s in _COUNT_ORDER if s in statuses]
    others = [s for s in statuses if s not in _STATUS_WORDS]
    return ", ".join(known + ([plural(len(others), "other")] if others else []))


def _headline(result: ApplyResult, by_agent: dict[str, list[Outcome]]) -> str:
    per_agent = "; ".join(f"{escape_text(key)}: {_counts(o)}" for key, o in by_agent.items())
    detail = f" — {per_agent}" if per_agent else ""
    return f"**kbsync apply** {_verdict(result)}{detail}.\n"


def _status_section(result: ApplyResult, status: str, alert: str, verb: str) -> list[Section]:
    hits = sorted((o for o in result.outcomes if o.status == status), key=_by_agent_and_kind)
    if not hits:
        return []
    title = f"**{plural(len(hits), 'action')} {verb}:**"
    head = "\n" + blockquote([f"[!{alert}]", title, ""])
    parts = tuple(Part(p, p) for p in (blockquote([_outcome_line(o, agent=True)]) for o in hits))
    label = f"the {_STATUS_WORDS[status]} actions"
    return [Section(label, head, parts, quoted=True, droppable=False)]


def _by_agent_and_kind(outcome: Outcome) -> tuple[str, tuple[int, str, str]]:
    return outcome.action.agent, sort_key(outcome.action)


def _notes_section(result: ApplyResult) -> list[Section]:
    if not result.notes:
        return []
    head = "\n" + blockquote(["[!NOTE]", "**Notes**", ""])
    parts = tuple(Part(p, p) for p in (blockquote([f"- {escape_text(n)}"]) for n in result.notes))
    return [Section("the notes", head, parts, noun="note", quoted=True)]


def _agent_section(key: str, outcomes: list[Outcome]) -> Section:
    head = (
        f"\n### {escape_text(key)}\n\n"
        f"<details>\n<summary>{escape_html(_counts(outcomes))}</summary>\n\n"
    )
    parts = tuple(Part(p, p) for p in (_outcome_line(o) + "\n" for o in outcomes))
    return Section(f"the outcomes of {key}", head, parts, tail="\n</details>\n", noun="outcome")


def _outcome_line(outcome: Outcome, *, agent: bool = False) -> str:
    action = outcome.action
    status = _STATUS_WORDS.get(outcome.status, outcome.status)
    who = f"**{escape_text(action.agent)}**: " if agent else f"**{status}** · "
    about = subject(action)
    why = escape_text(outcome.message or action.reason)
    return f"- {who}{kind_label(action.kind)}{' ' + about if about else ''}: {why}"
