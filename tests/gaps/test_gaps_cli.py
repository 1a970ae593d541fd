"""`kbsync gaps` as a user runs it, in the sandbox: from the demo's gaps to a page and a
golden question that passes, and exit codes, formats and refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from kbsync.emulator import EmulatorConfig, create_app
from kbsync.sandbox import SANDBOX_KEY, sandbox_store
from tests.cli.conftest import Run, run_kbsync

PAGE = "Payment methods: we accept PayPal, Visa and Mastercard."


def demo(tmp_path: Path) -> Path:
    done = run_kbsync("import", "--sandbox", "--seed-demo", cwd=tmp_path)
    assert done.code == 0, done.both
    return tmp_path / "kbsync.yaml"


def gaps_json(tmp_path: Path, *args: str) -> dict[str, Any]:
    done = run_kbsync("gaps", "--sandbox", "--format", "json", *args, cwd=tmp_path)
    assert done.code == 0, done.both
    document: dict[str, Any] = json.loads(done.out)
    return document


def visitors_ask(manifest: Path, *questions: str) -> None:
    """New conversations on the web, answered by the sandbox's agent as it is now."""
    app = create_app(
        EmulatorConfig(db_path=str(sandbox_store(manifest)), api_keys={SANDBOX_KEY: (1,)})
    )
    try:
        (agent,) = app.state()["agents"]
        conversations = [{"platform": "web", "exchanges": [{"question": q}]} for q in questions]
        app.seed_conversations(1, agent["chatbot_id"], conversations)
    finally:
        app.close()


def add_page_and_check(manifest: Path, check: dict[str, Any]) -> None:
    document = yaml.safe_load(manifest.read_text())
    agent = document["agents"]["demo-support-bot"]
    agent["knowledge"]["texts"] = [{"name": "Payment methods", "content": PAGE}]
    agent["checks"] = [{**check, "expect": ["PayPal"]}]
    manifest.write_text(yaml.safe_dump(document, sort_keys=False))


def test_from_a_gap_to_a_page_and_a_golden_question(tmp_path: Path) -> None:
    manifest = demo(tmp_path)
    shown = run_kbsync("gaps", "--sandbox", cwd=tmp_path)
    assert shown.code == 0, shown.both
    assert "Can I pay with Paypal?" in shown.out and "Is there a student discount?" in shown.out
    assert "How long does shipping take?" not in shown.out  # answered: not a gap
    before = gaps_json(tmp_path)
    top = before["gaps"][0]
    assert (top["example"], top["count"]) == ("Can I pay with Paypal?", 3)

    snippet = run_kbsync("gaps", "--sandbox", "--suggest-checks", cwd=tmp_path)
    checks = yaml.safe_load(snippet.out.split("\n", 1)[1])["checks"]  # after the banner
    check = next(c for c in checks if c["ask"] == top["example"])
    assert check["expect_not"] == ["Sorry, I don't know that yet."]
    add_page_and_check(manifest, check)
    applied = run_kbsync("apply", "--sandbox", "--yes", cwd=tmp_path)
    assert applied.code == 0, applied.both
    checked = run_kbsync("check", "--sandbox", cwd=tmp_path)
    assert checked.code == 0, checked.both
    assert "1 of 1 check passed; all passed." in checked.out

    visitors_ask(
        manifest,
        "Can I pay with PayPal?",
        "Can you pay with Paypal?",
        "Do you have a store in Oslo?",
    )
    after = gaps_json(tmp_path)
    paypal = [g for g in after["gaps"] if "pay with" in g["example"].lower()]
    assert paypal == [top]  # the same old group: the new conversations were answered
    assert after["gaps"][0]["example"] == "Do you have a store in Oslo?"
    assert after["summary"]["questions"] == before["summary"]["questions"] + 3


def test_exit_codes_and_the_detailed_exitcode(tmp_path: Path) -> None:
    demo(tmp_path)
    found = run_kbsync("gaps", "--sandbox", "--detailed-exitcode", cwd=tmp_path)
    none = run_kbsync("gaps", "--sandbox", "--detailed-exitcode", "--since", "30m", cwd=tmp_path)
    plain = run_kbsync("gaps", "--sandbox", "--since", "2w", cwd=tmp_path)
    assert (found.code, none.code, plain.code) == (2, 0, 0), found.both + none.both
    assert "none; no visitor asked anything in that time." in none.out


def test_bad_options_are_located_messages(tmp_path: Path) -> None:
    demo(tmp_path)
    runs: list[Run] = [
        run_kbsync("gaps", "--sandbox", "--since", "yesterday", cwd=tmp_path),
        run_kbsync("gaps", "--sandbox", "--agent", "nobody", cwd=tmp_path),
        run_kbsync("gaps", "--sandbox", "--max-sessions", "0", cwd=tmp_path),
        run_kbsync("gaps", cwd=tmp_path),
    ]
    assert [r.code for r in runs] == [1, 1, 1, 1]
    assert "--since: not a duration: 'yesterday'" in runs[0].err
    assert "nobody" in runs[1].err
    assert "--max-sessions" in runs[2].err
    assert "ROBOFY_API_KEY is not set" in runs[3].err


def test_formats_say_the_same_and_markdown_fits_an_issue(tmp_path: Path) -> None:
    demo(tmp_path)
    document = gaps_json(tmp_path, "--since", "2w")
    markdown = run_kbsync(
        "gaps", "--sandbox", "--format", "markdown", "--since", "2w", cwd=tmp_path
    )
    assert document["format_version"] == 1 and document["redacted"] is True
    assert len(markdown.out) < 65_536 and markdown.out.startswith("**kbsync gaps**")
    assert "sandbox:" in markdown.err  # the banner keeps stdout machine-readable
    for gap in document["gaps"]:
        assert f"| {gap['count']} |" in markdown.out
        assert gap["example"].rstrip("?") in markdown.out
    assert [g["last_seen"] for g in document["gaps"]] == sorted(
        (g["last_seen"] for g in document["gaps"]), reverse=True
    )


def test_max_sessions_caps_the_reading_with_a_note(tmp_path: Path) -> None:
    demo(tmp_path)
    capped = run_kbsync("gaps", "--sandbox", "--max-sessions", "3", cwd=tmp_path)
    assert capped.code == 0, capped.both
    assert "note: agent demo-support-bot: stopped after 3 sessions (--max-sessions 3)" in capped.out
    document = gaps_json(tmp_path, "--max-sessions", "3")
    assert document["agents"][0]["capped"] is True and document["summary"]["sessions"] == 3
