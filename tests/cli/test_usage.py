"""Options refused before anything is read or sent: exit 1 with the option named."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import run_kbsync


@pytest.mark.parametrize("value", ["nan", "-1", "inf"])
def test_wait_timeout_must_be_a_finite_number_of_seconds(project: Path, value: str) -> None:
    result = run_kbsync("apply", "--sandbox", f"--wait-timeout={value}", cwd=project)
    assert result.code == 1, result.both
    assert "--wait-timeout" in result.err
    assert not (project / ".kbsync").exists()  # refused before the sandbox was opened


@pytest.mark.parametrize("value", ["nan", "-0.5"])
def test_watch_debounce_must_be_a_finite_number_of_seconds(project: Path, value: str) -> None:
    result = run_kbsync("watch", "--sandbox", f"--debounce={value}", cwd=project)
    assert result.code == 1, result.both
    assert "--debounce" in result.err


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_malformed_max_delete_is_refused_before_connecting(project: Path, command: str) -> None:
    result = run_kbsync(command, "--sandbox", "--max-delete", "lots", cwd=project)
    assert result.code == 1, result.both
    assert "--max-delete" in result.err
    assert "sandbox" not in result.out  # no banner: nothing was opened
    assert not (project / ".kbsync").exists()


@pytest.mark.parametrize(
    "option",
    [
        ["-f", "kbsync.yaml"],
        ["--agent", "support"],
        ["--max-delete", "100%"],
        ["--recrawl", "all"],
    ],
)
def test_a_saved_plan_takes_no_options_of_its_own(project: Path, option: list[str]) -> None:
    (project / "plan.json").write_text("{}")  # refused before the plan is even read
    result = run_kbsync("apply", "plan.json", "--sandbox", *option, cwd=project)
    assert result.code == 1, result.both
    assert option[0] in result.err
    assert "re-run kbsync plan" in result.err
    assert not (project / ".kbsync").exists()


WITH_SITE = """\
      websites:
        - url: https://docs.example.test/manual/
          max_pages: 3
"""


def test_recrawl_of_an_undeclared_site_names_the_declared_ones(project: Path) -> None:
    manifest = project / "kbsync.yaml"
    manifest.write_text(manifest.read_text() + WITH_SITE)
    near_miss = "https://docs.example.test/manual"  # no trailing slash: another URL
    result = run_kbsync("plan", "--sandbox", "--recrawl", near_miss, cwd=project)
    assert result.code == 1, result.both
    assert f"--recrawl {near_miss}: not a site declared in kbsync.yaml" in result.err
    assert "(sites: https://docs.example.test/manual/)" in result.err
    assert not (project / ".kbsync" / "sandbox.sqlite").exists()  # refused before opening
    declared = "https://DOCS.example.test/manual/"  # the same site once normalized
    planned = run_kbsync("plan", "--sandbox", "--recrawl", declared, cwd=project)
    assert planned.code == 0, planned.both


def test_an_unwritable_step_summary_does_not_fail_a_successful_apply(project: Path) -> None:
    summary = project / "summary-is-a-folder"
    summary.mkdir()
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    applied = run_kbsync("apply", "--sandbox", cwd=project, env=env)
    assert applied.code == 0, applied.both
    assert "0 failed" in applied.out
    assert "step summary" in applied.err  # a warning, not an error


@pytest.mark.parametrize("command", ["plan", "apply", "watch", "check", "validate", "doctor"])
def test_dash_f_completes_file_names(tmp_path: Path, command: str) -> None:
    env = {"_KBSYNC_COMPLETE": "bash_complete", "COMP_WORDS": f"kbsync {command} -f kb"}
    done = run_kbsync(cwd=tmp_path, env={**env, "COMP_CWORD": "3"})
    assert done.out.splitlines() == ["file,kb"]  # bash then completes file names


def test_parallelism_and_format_have_help(tmp_path: Path) -> None:
    shown = run_kbsync("plan", "--help", cwd=tmp_path).out
    assert "Requests to Robofy at the same time (1-64)." in shown
    assert "Output: text for people, json for scripts," in shown
    assert "Requests to Robofy at the same time" in run_kbsync("import", "--help", cwd=tmp_path).out
    assert "Output: text for people" in run_kbsync("doctor", "--help", cwd=tmp_path).out


def test_watch_refuses_format_markdown(project: Path) -> None:
    done = run_kbsync("watch", "--sandbox", "--format", "markdown", cwd=project, timeout=60)
    assert done.code == 1
    assert "kbsync watch prints text or json lines; --format markdown is not one" in done.err
