"""An unwritable $GITHUB_STEP_SUMMARY: a warning, and apply still reports what it did."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import run_kbsync


def test_apply_with_an_unwritable_step_summary_succeeds_with_a_warning(project: Path) -> None:
    env = {"GITHUB_STEP_SUMMARY": str(project / "docs")}  # a folder: cannot be appended to
    applied = run_kbsync("apply", "--sandbox", "--yes", cwd=project, env=env)
    assert applied.code == 0, applied.both
    assert "kbsync: warning: cannot write the step summary to " in applied.err
    again = run_kbsync("plan", "--sandbox", "--detailed-exitcode", cwd=project)
    assert again.code == 0, again.both
