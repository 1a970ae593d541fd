"""Golden-question results as text, Markdown or JSON. Pure: str out."""

from __future__ import annotations

import json
from collections.abc import Sequence

from kbsync.golden.checks import CheckResult, failure_reason, first_line
from kbsync.render.md_blocks import escape_text
from kbsync.render.style import paint

CHECKS_FORMAT_VERSION = 1
_QUESTION_WIDTH = 48


def render_checks(results: Sequence[CheckResult], fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        return render_checks_json(results)
    if fmt == "markdown":
        return render_checks_markdown(results)
    return render_checks_text(results, color=color)


def summary_line(results: Sequence[CheckResult]) -> str:
    if not results:
        return "No golden questions declared (add `checks:` to an agent in the manifest)."
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    tail = "all passed." if not failed else f"{failed} failed."
    return f"{passed} of {len(results)} check{'s' if len(results) != 1 else ''} passed; {tail}"


def render_checks_text(results: Sequence[CheckResult], *, color: bool = False) -> str:
    if not results:
        return summary_line(results)
    agent_width = max(len("AGENT"), *(len(r.agent) for r in results))
    question_width = min(_QUESTION_WIDTH, max(len("QUESTION"), *(len(r.ask) for r in results)))
    pad = " " * (agent_width + question_width + 4)
    lines = [f"{'AGENT':<{agent_width}}  {'QUESTION':<{question_width}}  RESULT  ANSWER"]
    for r in results:
        ask = _cut(r.ask, question_width)
        verdict = paint("PASS", "green", color) if r.passed else paint("FAIL", "red", color)
        answer = first_line(r.answer) or "-"
        lines.append(f"{r.agent:<{agent_width}}  {ask:<{question_width}}  {verdict}    {answer}")
        if not r.passed:
            lines.append(f"{pad}        {failure_reason(r)}")
    lines.append(summary_line(results))
    return "\n".join(lines)


def render_checks_markdown(results: Sequence[CheckResult]) -> str:
    lines = [f"**kbsync check**: {summary_line(results)}"]
    if not results:
        return lines[0]
    lines += ["", "| agent | question | result | answer | why |", "| --- | --- | --- | --- | --- |"]
    for r in results:
        texts = [r.agent, r.ask, first_line(r.answer), failure_reason(r)]
        agent, ask, answer, why = (escape_text(t) if t else " " for t in texts)
        verdict = "PASS" if r.passed else "**FAIL**"
        lines.append(f"| {agent} | {ask} | {verdict} | {answer} | {why} |")
    return "\n".join(lines)


def render_checks_json(results: Sequence[CheckResult]) -> str:
    passed = sum(r.passed for r in results)
    document = {
        "format_version": CHECKS_FORMAT_VERSION,
        "passed": passed == len(results),
        "summary": {"total": len(results), "passed": passed, "failed": len(results) - passed},
        "checks": [
            {
                "agent": r.agent,
                "ask": r.ask,
                "passed": r.passed,
                "answer": r.answer,
                "missing": list(r.missing),
                "unexpected": list(r.unexpected),
                "error": r.error or None,
            }
            for r in results
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
