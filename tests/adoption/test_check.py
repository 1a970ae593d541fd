"""`kbsync check`: golden questions fail before the content is applied and pass after."""

from __future__ import annotations

import json

from kbsync.desired.expand import load_desired_state
from kbsync.golden.checks import contains, judge, run_checks
from kbsync.model import GoldenCheck
from kbsync.render.checks import render_checks
from tests.adoption.conftest import World, run_kbsync, write

AGENT_ONLY = """\
version: 1
project: 1
agents:
  support:
    name: Acme Support
    checks:
      - ask: When is the support desk open?
        expect: [Monday, Friday]
        expect_not: [sorry]
"""
WITH_TEXT = AGENT_ONLY.replace(
    "    checks:",
    "    knowledge:\n"
    "      texts:\n"
    "        - name: support-hours\n"
    '          content: "Our support desk is open Monday to Friday, 9:00 to 18:00 CET."\n'
    "    checks:",
)


def checks_of(world: World, manifest):
    return run_checks(world.api, load_desired_state(manifest, {}, use_cache=False))


def test_check_fails_before_apply_and_passes_after(world: World, tmp_path, dialect):
    manifest = write(tmp_path / "kbsync.yaml", AGENT_ONLY)
    (missing,) = checks_of(world, manifest)
    assert not missing.passed and "no agent named 'Acme Support'" in missing.error

    world.apply(manifest)
    (unknown,) = checks_of(world, manifest)
    assert not unknown.passed and unknown.missing == ("Monday", "Friday")
    assert unknown.unexpected == ("sorry",)  # the agent's not-found answer

    write(manifest, WITH_TEXT)
    assert not world.apply(manifest).failed
    (answered,) = checks_of(world, manifest)
    assert answered.passed, answered
    assert answered.answer.startswith("Our support desk is open Monday to Friday")
    chats = world.app.state()["requests"]["by_route"]["POST /v1/ai-agent/chat"]
    assert chats == 2  # one question per run once the agent exists


def test_words_match_whole_and_case_insensitively():
    assert contains("Open MONDAY to friday.", "monday")
    assert contains("ships in 2 to 4\nbusiness days", "4 business days")
    assert not contains("I don't know that", "no")
    assert not contains("Mondays only", "Monday")
    assert contains("C++ and C#", "C++")
    verdict = judge("a", GoldenCheck("q?", ("refund", "30 days"), ("sorry",)), "Sorry, no refund.")
    assert verdict.missing == ("30 days",) and verdict.unexpected == ("sorry",)
    assert not verdict.passed


def test_renderings_name_every_failure():
    results = [
        judge("support", GoldenCheck("Is | a pipe?", ("yes",)), "No.\nsecond line"),
        judge("support", GoldenCheck("Hours?", ("Monday",)), "Monday to Friday"),
    ]
    text = render_checks(results, "text")
    assert "FAIL    No." in text and "missing: yes" in text and "second line" not in text
    assert text.endswith("1 of 2 checks passed; 1 failed.")
    markdown = render_checks(results, "markdown")
    assert markdown.startswith("**kbsync check**: 1 of 2 checks passed; 1 failed.")
    assert "| support | Is \\| a pipe? | **FAIL** | No. | missing: yes |" in markdown
    document = json.loads(render_checks(results, "json"))
    assert document["format_version"] == 1 and document["passed"] is False
    assert document["summary"] == {"total": 2, "passed": 1, "failed": 1}
    assert document["checks"][0]["answer"] == "No.\nsecond line"
    assert render_checks([], "text").startswith("No golden questions declared")


def test_cli_check_then_apply_check_in_the_sandbox(tmp_path):
    write(tmp_path / "kbsync.yaml", WITH_TEXT)
    before = run_kbsync("check", "--sandbox", cwd=tmp_path)
    assert before.returncode == 3, before.stderr  # a failed question, not an error (1)
    assert "FAIL" in before.stdout and "0 of 1 check passed" in before.stdout

    applied = run_kbsync("apply", "--sandbox", "--check", cwd=tmp_path)

    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert applied.stdout.count("sandbox: using the local Robofy emulator") == 1
    assert "PASS    Our support desk is open Monday to Friday" in applied.stdout
    assert applied.stdout.rstrip().endswith("1 of 1 check passed; all passed.")
    again = run_kbsync("check", "--sandbox", "--format", "json", cwd=tmp_path)
    assert again.returncode == 0 and json.loads(again.stdout)["passed"] is True


def test_apply_saved_plan_check_asks_the_plans_manifest(tmp_path):
    write(tmp_path / "bot" / "kbsync.yaml", WITH_TEXT)
    saved = run_kbsync(
        "plan", "--sandbox", "-f", "bot/kbsync.yaml", "--out", "plan.json", cwd=tmp_path
    )
    assert saved.returncode == 0, saved.stderr

    applied = run_kbsync("apply", "plan.json", "--sandbox", "--check", cwd=tmp_path)

    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert applied.stdout.rstrip().endswith("1 of 1 check passed; all passed.")


def test_cli_check_exits_1_for_an_error_and_3_only_for_a_failed_question(tmp_path):
    write(tmp_path / "kbsync.yaml", AGENT_ONLY.replace("project: 1", "project: [1]"))
    broken = run_kbsync("check", "--sandbox", cwd=tmp_path)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    write(tmp_path / "kbsync.yaml", AGENT_ONLY)
    failed = run_kbsync("check", "--sandbox", cwd=tmp_path)
    assert failed.returncode == 3, failed.stdout + failed.stderr
