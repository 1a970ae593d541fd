"""Foreign strings cannot steer a terminal or a CI log (issue 14, item 3).

A server whose agent and asset names hold a newline and a GitHub workflow command,
terminal escapes (ESC, BEL, OSC, a screen clear), a carriage return and a bidi
override: every output format of plan and apply, the step summary and the progress
lines must show them inert. Our own workflow commands (``::error::``, ``::group::``)
are the only lines that may start with ``::``.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from kbsync.emulator import BackgroundServer
from kbsync.error_handler import report
from kbsync.errors import RobofyError
from kbsync.neutralise import neutralise
from kbsync.progress import LineProgress
from kbsync.robofy.client import RobofyClient
from tests.cli.conftest import run_kbsync
from tests.conftest import EMULATOR_TEST_KEY

HOSTILE = "evil\n::warning file=kbsync.yaml::pwned\n::add-mask::x\x1b]0;title\x07\x1b[2J\r\u202e"
OURS = re.compile(r"^::(error|group|endgroup|warning|notice)(::| file=)")
RAW = ("\x1b", "\x07", "\r", "\u202e")


def _no_foreign_command(text: str) -> None:
    for line in text.splitlines():
        stripped = line.lstrip()
        assert not stripped.startswith("::") or OURS.match(stripped), line
    assert not any(c in text for c in RAW), repr(text)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb", "a\nb"),
        ("a\r\nb", "a\nb"),
        ("x\x1b[2Jy", "x\\u001b[2Jy"),
        ("\x1b]8;;http://e\x07", "\\u001b]8;;http://e\\u0007"),
        ("\x9b31m", "\\u009b31m"),
        ("r\rl", "r\\u000dl"),
        ("\u202egnp.exe", "\\u202egnp.exe"),
        ("\ud800", "\\ud800"),
        ("tab\tkept", "tab\tkept"),
        ("::add-mask::s", "\\::add-mask::s"),
        ("ok\n  ::warning::x", "ok\n  \\::warning::x"),
        ("##[error]x", "\\##[error]x"),
        ("a ::b", "a ::b"),
    ],
)
def test_neutralise(raw: str, shown: str) -> None:
    assert neutralise(raw) == shown
    assert neutralise(shown) == shown  # idempotent: neutralising twice changes nothing


def test_colour_keeps_only_our_own_codes() -> None:
    ours = "\x1b[31mred\x1b[0m"
    assert neutralise(ours + "\x1b[8mhidden\x1b]0;t\x07", colour=True) == (
        ours + "\\u001b[8mhidden\\u001b]0;t\\u0007"
    )


def test_json_stays_valid_and_means_the_same() -> None:
    document = json.dumps({"name": "a\x85b\u2028\ud800"}, ensure_ascii=False)
    assert json.loads(neutralise(document)) == {"name": "a\x85b\u2028\ud800"}


@pytest.fixture
def hostile_project(emulator_server: BackgroundServer, tmp_path: Path) -> Path:
    with RobofyClient(EMULATOR_TEST_KEY, 1, emulator_server.base_url) as client:
        chatbot = client.create_agent({"name": HOSTILE})
        client.add_text(chatbot, HOSTILE + ".txt", "From the dashboard.")
    (tmp_path / "kbsync.yaml").write_text(
        f"version: 1\nproject: 1\nagents:\n  a:\n    name: Clean\n    id: '{chatbot}'\n"
        "    prune: all\n    knowledge:\n      texts:\n        - {name: t, content: hi}\n"
    )
    return tmp_path


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_plan_and_apply_show_hostile_names_inert(
    emulator_server: BackgroundServer, hostile_project: Path, fmt: str
) -> None:
    summary = hostile_project / "summary.md"
    env = {
        "ROBOFY_API_KEY": EMULATOR_TEST_KEY,
        "ROBOFY_BASE_URL": emulator_server.base_url,
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    plan = run_kbsync("plan", "--format", fmt, cwd=hostile_project, env=env)
    apply = run_kbsync("apply", "--yes", "--format", fmt, cwd=hostile_project, env=env)
    assert plan.code == 0 and apply.code == 0, plan.both + apply.both
    assert "pwned" in plan.out and "pwned" in apply.out  # the names are shown, inert
    for text in (plan.out, plan.err, apply.out, apply.err, summary.read_text()):
        _no_foreign_command(text)
    if fmt == "json":
        assert "add-mask" in json.dumps(json.loads(plan.out))


def test_error_messages_and_annotations_are_neutralised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out = io.StringIO()
    assert report(RobofyError(f"POST /v1/texts: HTTP 400: {HOSTILE}"), out) == 1
    _no_foreign_command(out.getvalue())
    assert "::error::\\::add-mask::" in out.getvalue()  # an annotation's text, not a command


def test_progress_lines_are_neutralised() -> None:
    out = io.StringIO()
    progress = LineProgress(out)
    progress.start(2, "waiting")
    progress.update(f"still processing: {HOSTILE}")
    _no_foreign_command(out.getvalue())
    assert "pwned" in out.getvalue()
