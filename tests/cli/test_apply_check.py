"""``apply PLAN --check`` asks the golden questions of the plan's manifest and agents only."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import run_kbsync
from tests.examples import copy_examples


def test_checks_after_a_saved_plan_ask_only_the_planned_agents(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    manifest = ["-f", "examples/robofy.yaml", "--sandbox"]
    saved = run_kbsync("plan", *manifest, "--agent", "support", "--out", "p.json", cwd=tmp_path)
    assert saved.code == 0, saved.both
    applied = run_kbsync("apply", "p.json", "--sandbox", "--check", cwd=tmp_path)
    assert applied.code == 0, applied.both  # sales was not applied: it is not asked either
    assert "support  How many years" in applied.out
    assert "sales" not in applied.out.split("Applied:")[-1]


def test_apply_json_with_check_is_still_one_document(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    applied = run_kbsync(
        "apply",
        *("-f", "examples/robofy.yaml", "--sandbox", "--agent", "support"),
        *("--format", "json", "--check"),
        cwd=tmp_path,
    )
    assert applied.code == 0, applied.both
    document = json.loads(applied.out)  # plan, result and checks: one document
    assert document["result"]["ok"] is True
    assert document["checks"]["summary"] == {"total": 3, "passed": 3, "failed": 0}
    assert {c["agent"] for c in document["checks"]["checks"]} == {"support"}


def test_a_failing_check_after_apply_exits_3_not_1(project: Path) -> None:
    """1 means "nothing applied"; here everything was applied and then a check failed."""
    manifest = project / "kbsync.yaml"
    manifest.write_text(
        manifest.read_text()
        + "    checks:\n      - ask: When do you answer?\n        expect: [Sunday]\n"
    )
    applied = run_kbsync("apply", "--sandbox", "--check", cwd=project)
    assert applied.code == 3, applied.both
    assert "FAIL" in applied.out
    again = run_kbsync("plan", "--sandbox", "--detailed-exitcode", cwd=project)
    assert again.code == 0, again.both  # the apply itself went through
