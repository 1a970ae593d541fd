"""`validate` checks the shape without the environment: unset ${VAR}s are placeholders,
noted once each; plan and apply still need every variable."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import run_kbsync

MANIFEST = """\
version: 1
project: ${ROBOFY_PROJECT_ID}
agents:
  support:
    name: ${AGENT_NAME}
    description: "For ${AGENT_NAME}"
    prune: ${PRUNE_MODE}
    settings:
      temperature: ${TEMPERATURE}
    knowledge:
      websites:
        - url: ${DOCS_URL:-https://docs.acme.example/}
"""


def test_validate_takes_unset_variables_as_placeholders_and_notes_each_once(
    tmp_path: Path,
) -> None:
    (tmp_path / "kbsync.yaml").write_text(MANIFEST)
    done = run_kbsync("validate", cwd=tmp_path)
    assert done.code == 0, done.both
    notes = [line for line in done.out.splitlines() if "note:" in line]
    assert [n.split(" is not set")[0].split()[-1] for n in notes] == [
        "ROBOFY_PROJECT_ID",
        "AGENT_NAME",
        "PRUNE_MODE",
        "TEMPERATURE",
    ]
    assert notes[0].startswith("kbsync.yaml:2:10: note: environment variable ROBOFY_PROJECT_ID")
    assert all("plan and apply need it" in n for n in notes)
    assert done.out.rstrip().endswith("OK: kbsync.yaml (1 agent)")


def test_a_placeholder_hides_no_other_problem(tmp_path: Path) -> None:
    (tmp_path / "kbsync.yaml").write_text(MANIFEST.replace("    name:", "    nmae:"))
    done = run_kbsync("validate", cwd=tmp_path)
    assert done.code == 1 and "nmae" in done.both


def test_set_variables_are_still_checked_by_validate(tmp_path: Path) -> None:
    (tmp_path / "kbsync.yaml").write_text(MANIFEST)
    env = {"ROBOFY_PROJECT_ID": "seven", "AGENT_NAME": "A", "TEMPERATURE": "0.2"}
    done = run_kbsync("validate", cwd=tmp_path, env={**env, "PRUNE_MODE": "all"})
    assert done.code == 1 and "kbsync.yaml:2:10" in done.both and "note:" not in done.out


def test_plan_still_requires_every_variable(tmp_path: Path) -> None:
    (tmp_path / "kbsync.yaml").write_text(MANIFEST)
    done = run_kbsync("plan", "--sandbox", cwd=tmp_path)
    assert done.code == 1
    assert "environment variable ROBOFY_PROJECT_ID is not set (and has no default)" in done.err
