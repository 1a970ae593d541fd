"""`plan --out` never overwrites what the plan is made from, nor any file that is not a
saved plan; an unwritable path is a clear error (exit 1), not a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import run_kbsync


@pytest.mark.parametrize(
    ("target", "named"),
    [
        ("kbsync.yaml", "that is the manifest"),
        ("docs/../kbsync.yaml", "that is the manifest"),
        ("prompt.md", "that is prompt.md"),
        ("docs/a.md", "that is docs/a.md"),
        ("notes.txt", "exists and is not a kbsync plan file"),
    ],
)
def test_out_refuses_to_overwrite_other_files(project: Path, target: str, named: str) -> None:
    (project / "notes.txt").write_text("my notes\n")
    before = _user_files(project)
    run = run_kbsync("plan", "--sandbox", "--out", target, cwd=project)
    assert run.code == 1, run.both
    assert f"--out {target}: {named}" in run.err
    assert "refusing to overwrite" in run.err
    assert _user_files(project) == before


def _user_files(root: Path) -> dict[Path, bytes]:
    """Every file but kbsync's own state (.kbsync/: the sandbox and the hash cache)."""
    files = (p for p in root.rglob("*") if p.is_file() and ".kbsync" not in p.parts)
    return {p: p.read_bytes() for p in files}


def test_out_replaces_an_earlier_saved_plan(project: Path) -> None:
    (project / "plan.json").write_text(json.dumps({"kind": "kbsync-plan", "old": True}))
    run = run_kbsync("plan", "--sandbox", "--out", "plan.json", cwd=project)
    assert run.code == 0, run.both
    saved = json.loads((project / "plan.json").read_text())
    assert saved["kind"] == "kbsync-plan" and "old" not in saved


def test_unwritable_out_is_a_clear_error(project: Path) -> None:
    run = run_kbsync("plan", "--sandbox", "--out", "prompt.md/plan.json", cwd=project)
    assert run.code == 1, run.both
    assert "cannot write the plan to prompt.md/plan.json" in run.err


def test_saved_plan_is_stale_when_a_long_prompt_from_the_environment_changed(
    project: Path,
) -> None:
    """The prompt comes from ${P}: the manifest's bytes stay the same, and a prompt this
    long is not inlined in the plan; its sha256 still tells the two apart."""
    manifest = project / "kbsync.yaml"
    manifest.write_text(manifest.read_text().replace("{file: prompt.md}", '"${P}"'))
    reviewed = "You are a helpful support agent. " * 200  # 6600 characters
    saved = run_kbsync("plan", "--sandbox", "--out", "plan.json", cwd=project, env={"P": reviewed})
    assert saved.code == 0, saved.both
    other = reviewed.replace("helpful", "harmful", 1)
    stale = run_kbsync("apply", "plan.json", "--sandbox", cwd=project, env={"P": other})
    assert stale.code == 1, stale.both
    assert "stale" in stale.err and "nothing was applied" in stale.err
    applied = run_kbsync("apply", "plan.json", "--sandbox", cwd=project, env={"P": reviewed})
    assert applied.code == 0, applied.both
