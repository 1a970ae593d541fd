"""Step summary, ::error:: annotations and log groups."""

from __future__ import annotations

import io
from pathlib import Path

from pytest import MonkeyPatch

from kbsync.error_handler import report
from kbsync.errors import GuardError, ManifestError, Problem
from kbsync.github.summary import (
    annotate_error,
    append_step_summary,
    escape_property,
    log_group,
)

ACTIONS = {"GITHUB_ACTIONS": "true"}


def test_step_summary_appends_and_keeps_what_was_there(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    append_step_summary("**kbsync plan** — support: 1 to add.", env)
    append_step_summary("second — ünïcode\n", env)
    assert summary.read_text(encoding="utf-8") == (
        "# earlier step\n\n**kbsync plan** — support: 1 to add.\n\nsecond — ünïcode\n"
    )


def test_step_summary_creates_the_file(tmp_path: Path) -> None:
    summary = tmp_path / "new.md"
    append_step_summary("hello", {"GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text(encoding="utf-8") == "\nhello\n"


def test_step_summary_does_nothing_without_the_variable(tmp_path: Path) -> None:
    append_step_summary("hello", {"GITHUB_STEP_SUMMARY": ""})
    append_step_summary("hello", {})
    assert list(tmp_path.iterdir()) == []


def test_unwritable_step_summary_is_a_warning_not_an_error(tmp_path: Path) -> None:
    """After apply, an exception here would hide that the changes were made."""
    stream = io.StringIO()
    append_step_summary("hello", {"GITHUB_STEP_SUMMARY": str(tmp_path)}, stream)
    assert stream.getvalue() == (
        f"kbsync: warning: cannot write the step summary to {tmp_path}: Is a directory\n"
    )
    in_actions = io.StringIO()
    env = {**ACTIONS, "GITHUB_STEP_SUMMARY": str(tmp_path / "no" / "such.md")}
    append_step_summary("hello", env, in_actions)
    assert in_actions.getvalue().startswith("::warning::cannot write the step summary to ")
    assert in_actions.getvalue().count("\n") == 1


def test_errors_become_annotations_only_in_github_actions() -> None:
    out = io.StringIO()
    annotate_error("Error: refused\n100% of 3 assets\r\n\nlast", ACTIONS, out)
    assert out.getvalue() == (
        "::error::Error: refused\n::error::100%25 of 3 assets\n::error::last\n"
    )
    quiet = io.StringIO()
    annotate_error("Error: refused", {"GITHUB_ACTIONS": "false"}, quiet)
    annotate_error("Error: refused", {}, quiet)
    assert quiet.getvalue() == ""


def test_annotations_never_carry_the_api_key() -> None:
    out = io.StringIO()
    env = {**ACTIONS, "ROBOFY_API_KEY": "rk_live_secret123"}
    annotate_error("auth failed for rk_live_secret123", env, out)
    assert "secret123" not in out.getvalue()
    assert out.getvalue() == "::error::auth failed for ***\n"


def test_property_escaping() -> None:
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_log_group_folds_output_in_github_actions() -> None:
    out = io.StringIO()
    with log_group("Waiting for\ncrawls", ACTIONS, out):
        out.write("crawl 1/3\n")
    assert out.getvalue() == "::group::Waiting for crawls\ncrawl 1/3\n::endgroup::\n"


def test_log_group_closes_when_the_body_raises() -> None:
    out = io.StringIO()
    try:
        with log_group("Applying", ACTIONS, out):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert out.getvalue() == "::group::Applying\n::endgroup::\n"


def test_log_group_writes_nothing_elsewhere() -> None:
    out = io.StringIO()
    with log_group("Applying", {}, out):
        out.write("progress\n")
    assert out.getvalue() == "progress\n"


def test_error_handler_reports_through_the_same_annotations(monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out = io.StringIO()
    problem = Problem("agents, v2.yaml", 3, 7, "unknown key 'promt' (did you mean 'prompt'?)")
    assert report(ManifestError([problem]), out) == 1
    assert out.getvalue().splitlines()[-1] == (
        "::error file=agents%2C v2.yaml,line=3,col=7::unknown key 'promt' (did you mean 'prompt'?)"
    )
    out = io.StringIO()
    assert report(GuardError("support: would delink 80%"), out) == 1
    assert (
        out.getvalue()
        == "Error: support: would delink 80%\n::error::Error: support: would delink 80%25\n"
    )
