"""The knowledge-gaps report as text, Markdown (one GitHub issue body), JSON or a YAML
``checks:`` snippet. Pure: str out. Questions are untrusted text: escaped per format."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any, NamedTuple

import yaml

from kbsync.gaps import Gap, top_gaps
from kbsync.gaps_read import AgentScan
from kbsync.render.md_blocks import escape_text, plural, table_cell
from kbsync.render.md_fit import Part, Section, fit

GAPS_FORMAT_VERSION = 1
ISSUE_BODY_CHARS = 60_000  # a GitHub issue body holds 65,536; room for the workflow's lines
SUGGESTED_CHECKS = 5
_QUESTION_WIDTH = 60


class GapReport(NamedTuple):
    since: float
    until: float
    scans: tuple[AgentScan, ...]
    gaps: tuple[Gap, ...]
    redacted: bool = True
    max_sessions: int = 0


def when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")


def notes(report: GapReport) -> list[str]:
    said = []
    for scan in report.scans:
        if not scan.found:
            said.append(f"agent {scan.key}: not in the project yet (run kbsync apply)")
        elif scan.capped:
            said.append(
                f"agent {scan.key}: stopped after {scan.sessions:,} sessions (--max-sessions "
                f"{report.max_sessions:,}); older sessions since {when(report.since)} UTC were "
                "not read, so counts are low: raise --max-sessions or shorten --since"
            )
    if not report.redacted:
        said.append("--no-redact: questions are shown as visitors wrote them")
    return said


def summary_line(report: GapReport) -> str:
    sessions = sum(s.sessions for s in report.scans)
    questions = sum(s.questions for s in report.scans)
    unanswered = sum(s.unanswered for s in report.scans)
    head = f"Knowledge gaps since {when(report.since)} UTC: "
    if not questions:
        return head + "none; no visitor asked anything in that time."
    if not report.gaps:
        return head + f"none; every one of {plural(questions, 'question')} was answered."
    return head + (
        f"{plural(len(report.gaps), 'group')} of unanswered questions "
        f"({unanswered:,} of {plural(questions, 'question')} in {plural(sessions, 'session')})."
    )


def render_gaps(report: GapReport, fmt: str) -> str:
    if fmt == "json":
        return render_gaps_json(report)
    if fmt == "markdown":
        return render_gaps_markdown(report)
    return render_gaps_text(report)


def render_gaps_text(report: GapReport) -> str:
    lines = [summary_line(report)]
    if report.gaps:
        width = max(len("AGENT"), *(len(g.agent) for g in report.gaps))
        lines.append(f"{'AGENT':<{width}}  ASKED  {'FIRST':<16}  {'LAST':<16}  QUESTION")
        for g in report.gaps:
            first, last = when(g.first_at), when(g.last_at)
            row = f"{g.agent:<{width}}  {g.times:>5}  {first}  {last}  {_cut(g.example)}"
            lines.append(row)
    lines += [f"note: {note}" for note in notes(report)]
    return "\n".join(lines)


def render_gaps_markdown(report: GapReport, *, max_chars: int = ISSUE_BODY_CHARS) -> str:
    lead = f"**kbsync gaps**: {escape_text(summary_line(report))}\n"
    said = notes(report)
    if said:
        lead += "\n" + "\n".join(f"- {escape_text(n)}" for n in said) + "\n"
    agents = sorted({g.agent for g in report.gaps})
    sections = [_agent_section(a, [g for g in report.gaps if g.agent == a]) for a in agents]
    return fit(lead, sections, max_chars, "the output of `kbsync gaps --format json`")


def _agent_section(agent: str, gaps: Sequence[Gap]) -> Section:
    head = (
        f"\n### {escape_text(agent)}\n\n| asked | first | last | question (newest wording) |\n"
        "| ---: | --- | --- | --- |\n"
    )
    rows = tuple(
        Part(row, row)
        for row in (
            f"| {g.times} | {when(g.first_at)} | {when(g.last_at)} | "
            f"{table_cell(escape_text(g.example))} |\n"
            for g in gaps
        )
    )
    return Section(f"the gaps of {agent}", head, rows, noun="group")


def render_gaps_json(report: GapReport) -> str:
    document: dict[str, Any] = {
        "format_version": GAPS_FORMAT_VERSION,
        "since": _iso(report.since),
        "until": _iso(report.until),
        "redacted": report.redacted,
        "summary": {
            "groups": len(report.gaps),
            "sessions": sum(s.sessions for s in report.scans),
            "questions": sum(s.questions for s in report.scans),
            "unanswered": sum(s.unanswered for s in report.scans),
        },
        "agents": [scan._asdict() for scan in report.scans],
        "gaps": [
            {
                "agent": g.agent,
                "example": g.example,
                "count": g.times,
                "wordings": g.wordings,
                "first_seen": _iso(g.first_at),
                "last_seen": _iso(g.last_at),
            }
            for g in report.gaps
        ],
        "notes": notes(report),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def render_suggested_checks(report: GapReport) -> str:
    """A ``checks:`` list per agent for the most asked gaps: each fails while the agent
    still answers with its not_found_answer, and passes once a page answers it."""
    top = top_gaps(report.gaps, SUGGESTED_CHECKS)
    not_found = {scan.key: scan.not_found_answer for scan in report.scans}
    if not top:
        return f"# kbsync gaps: no unanswered questions since {when(report.since)} UTC."
    lines = [
        f"# Golden questions for the {plural(len(top), 'most asked gap')} since "
        f"{when(report.since)} UTC.",
        "# Paste each checks: list under its agent in the manifest; add expect: words",
        "# once the missing page is written.",
    ]
    for agent in sorted({g.agent for g in top}):
        checks = [_check(g, not_found.get(agent, "")) for g in top if g.agent == agent]
        lines += [f"# agents: {agent}:", _yaml({"checks": checks})]
    return "\n".join(lines).rstrip("\n")


def _check(gap: Gap, not_found: str) -> dict[str, Any]:
    check: dict[str, Any] = {"ask": gap.example}
    if not_found.strip():
        check["expect_not"] = [" ".join(not_found.split())]
    return check


def _yaml(value: object) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=1_000)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cut(text: str) -> str:
    return text if len(text) <= _QUESTION_WIDTH else text[: _QUESTION_WIDTH - 1] + "…"
