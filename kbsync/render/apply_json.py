"""``apply --format json``: ONE document on stdout for every apply that made a plan.

``{"format_version": 1, "plan": {...}, "result": {...} | null, "refusals": [...],
"checks": {...} | null}``: ``plan`` is the plan document (as ``plan --format json``),
``result`` the apply result (null when nothing was sent: no changes, or refused),
``refusals`` why nothing was applied (a safety guard, the account's limits, no
``--yes``), ``checks`` the golden questions' document (as ``check --format json``)
when ``--check`` asked them. A tool reads one document whatever happened; the exit
code says how it ended.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from kbsync.golden.checks import CheckResult
from kbsync.model import ApplyResult, Plan
from kbsync.render.checks import render_checks_json
from kbsync.render.json import FORMAT_VERSION, plan_to_json, result_to_json


def apply_document(
    plan: Plan,
    result: ApplyResult | None,
    refusals: Sequence[str],
    checks: Sequence[CheckResult] | None = None,
) -> str:
    document = {
        "format_version": FORMAT_VERSION,
        "plan": plan_to_json(plan),
        "result": None if result is None else result_to_json(result),
        "refusals": list(refusals),
        "checks": None if checks is None else json.loads(render_checks_json(checks)),
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class JsonReport:
    """What one apply has to say, gathered as it happens and printed once at the end."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.result: ApplyResult | None = None
        self.refusals: tuple[str, ...] = ()
        self.checks: Sequence[CheckResult] | None = None

    def record_result(self, result: ApplyResult) -> None:
        self.result = result

    def record_checks(self, checks: Sequence[CheckResult]) -> None:
        self.checks = checks

    def render(self) -> str:
        return apply_document(self.plan, self.result, self.refusals, self.checks)
