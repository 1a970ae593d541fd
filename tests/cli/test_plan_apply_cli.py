"""`kbsync plan` / `kbsync apply` end to end, as real processes, on the sandbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.cli.conftest import run_kbsync
from tests.examples import copy_examples


def test_readme_quickstart_applies_then_has_no_changes(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    first = run_kbsync("apply", "-f", "examples/robofy.yaml", "--sandbox", cwd=tmp_path)
    assert first.code == 0, first.both
    assert "sandbox" in first.out.splitlines()[0]
    assert "0 failed" in first.out
    second = run_kbsync("apply", "-f", "examples/robofy.yaml", "--sandbox", cwd=tmp_path)
    assert second.code == 0, second.both
    assert "sandbox" in second.out.splitlines()[0]
    assert "No changes" in second.out
    assert (tmp_path / "examples" / ".kbsync" / "sandbox.sqlite").is_file()


def test_detailed_exitcode_says_whether_there_are_changes(project: Path) -> None:
    before = run_kbsync("plan", "--sandbox", "--detailed-exitcode", cwd=project)
    assert before.code == 2, before.both
    assert run_kbsync("apply", "--sandbox", cwd=project).code == 0
    after = run_kbsync("plan", "--sandbox", "--detailed-exitcode", cwd=project)
    assert after.code == 0, after.both
    assert "No changes" in after.out


def test_plan_json_is_machine_readable_with_banner_on_stderr(project: Path) -> None:
    result = run_kbsync("plan", "--sandbox", "--format", "json", cwd=project)
    assert result.code == 0, result.both
    document = json.loads(result.out)
    assert document["format_version"] == 1
    kinds = {a["kind"] for a in document["actions"]}
    assert {"create_agent", "add_text", "add_file"} <= kinds
    assert "sandbox" in result.err


def test_changed_doc_is_replaced_and_removed_doc_delinked(project: Path) -> None:
    assert run_kbsync("apply", "--sandbox", cwd=project).code == 0
    (project / "docs" / "a.md").write_text("# Topic a\n\nRewritten.\n")
    (project / "docs" / "d.md").unlink()
    plan = run_kbsync("plan", "--sandbox", cwd=project)
    assert "docs/a.md" in plan.out and "docs/d.md" in plan.out
    applied = run_kbsync("apply", "--sandbox", cwd=project)
    assert applied.code == 0, applied.both
    again = run_kbsync("plan", "--sandbox", "--detailed-exitcode", cwd=project)
    assert again.code == 0, again.both


def test_saved_plan_applies_exactly_once(project: Path) -> None:
    saved = run_kbsync("plan", "--sandbox", "--out", "plan.json", cwd=project)
    assert saved.code == 0, saved.both
    assert json.loads((project / "plan.json").read_text())["format_version"] == 1
    applied = run_kbsync("apply", "plan.json", "--sandbox", cwd=project)
    assert applied.code == 0, applied.both
    # the project changed since: the same saved plan is now stale
    stale = run_kbsync("apply", "plan.json", "--sandbox", cwd=project)
    assert stale.code == 1
    assert "stale" in stale.err


def test_saved_plan_is_refused_when_a_file_changed(project: Path) -> None:
    assert run_kbsync("plan", "--sandbox", "--out", "plan.json", cwd=project).code == 0
    (project / "docs" / "b.md").write_text("# changed after review\n")
    stale = run_kbsync("apply", "plan.json", "--sandbox", cwd=project)
    assert stale.code == 1
    assert "docs/b.md changed" in stale.err
    # nothing was applied: the agent still does not exist
    plan = run_kbsync("plan", "--sandbox", "--format", "json", cwd=project)
    assert any(a["kind"] == "create_agent" for a in json.loads(plan.out)["actions"])


def test_guard_refuses_mass_delink_and_applies_nothing(project: Path) -> None:
    assert run_kbsync("apply", "--sandbox", cwd=project).code == 0
    for name in ("a", "b", "c"):
        (project / "docs" / f"{name}.md").unlink()
    refused = run_kbsync("apply", "--sandbox", cwd=project)
    assert refused.code == 1, refused.both
    assert "refuse" in refused.both.lower()
    still = run_kbsync("plan", "--sandbox", "--format", "json", cwd=project)
    delinks = [a for a in json.loads(still.out)["actions"] if a["kind"] == "delink"]
    assert len(delinks) == 3
    lifted = run_kbsync("apply", "--sandbox", "--max-delete", "100%", cwd=project)
    assert lifted.code == 0, lifted.both


def test_failed_processing_exits_3_and_keeps_going(project: Path) -> None:
    (project / "docs" / "bad.md").write_text("EMULATOR_FAIL_PROCESSING\n")
    result = run_kbsync("apply", "--sandbox", cwd=project)
    assert result.code == 3, result.both
    assert "docs/bad.md" in result.out
    assert "1 failed" in result.out


def test_missing_api_key_is_a_clear_error(project: Path) -> None:
    result = run_kbsync("plan", cwd=project)
    assert result.code == 1
    assert "ROBOFY_API_KEY" in result.err


def test_unknown_agent_filter_is_named(project: Path) -> None:
    result = run_kbsync("plan", "--sandbox", "--agent", "nope", cwd=project)
    assert result.code == 1
    assert "nope" in result.err


def test_saved_plan_still_applies_when_the_checkout_moved(project: Path, tmp_path: Path) -> None:
    assert run_kbsync("plan", "--sandbox", "--out", "plan.json", cwd=project).code == 0
    moved = tmp_path.parent / (tmp_path.name + "-moved")
    shutil.move(str(project), moved)
    applied = run_kbsync("apply", "plan.json", "--sandbox", cwd=moved)
    assert applied.code == 0, applied.both
    assert "0 failed" in applied.out


def test_usage_errors_exit_1_not_2(project: Path) -> None:
    result = run_kbsync("plan", "--no-such-option", cwd=project)
    assert result.code == 1
    assert "No such option" in result.err


def test_guard_refusal_is_a_github_annotation(project: Path) -> None:
    assert run_kbsync("apply", "--sandbox", cwd=project).code == 0
    for name in ("a", "b", "c"):
        (project / "docs" / f"{name}.md").unlink()
    env = {"GITHUB_ACTIONS": "true"}
    planned = run_kbsync("plan", "--sandbox", cwd=project, env=env)
    assert planned.code == 1
    assert "::error::Guard refused the plan" in planned.err
    refused = run_kbsync("apply", "--sandbox", cwd=project, env=env)
    assert refused.code == 1
    assert "::error::" in refused.err and "delink" in refused.err
