"""Fair use (issue 12, item 4): the emulator enforces 30 chat messages a minute and 5,000 a
day per account (429 + Retry-After); golden questions pace themselves under it, count every
re-sent message, and are refused before asking when the day has too little left."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from kbsync.chat_pacing import LEDGER, ChatLedger, ChatPacer
from kbsync.checks import run_checks
from kbsync.emulator import EmulatorApp, EmulatorConfig, create_app
from kbsync.errors import GuardError
from kbsync.sources import load_desired_state
from tests.adoption.conftest import World, run_kbsync, write
from tests.conftest import EMULATOR_TEST_CONFIG, emulator_http_client

CHAT = "/v1/ai-agent/chat"


def manifest_with(questions: int) -> str:
    checks = "".join(
        f"      - ask: When is the support desk open, question {i}?\n        expect: [Monday]\n"
        for i in range(questions)
    )
    return (
        "version: 1\nproject: 1\nagents:\n  support:\n    name: Acme Support\n"
        "    knowledge:\n      texts:\n        - name: hours\n"
        '          content: "The support desk is open Monday to Friday."\n'
        f"    checks:\n{checks}"
    )


def ask(client: httpx.Client, cid: str) -> httpx.Response:
    body = {"query": "open?", "pid": "1", "chatbot_id": cid, "user_context": {"platform": "web"}}
    return client.post(CHAT, json=body)


def test_the_emulator_defaults_are_the_policy_numbers():
    assert (EmulatorConfig().chat_per_minute, EmulatorConfig().chat_per_day) == (30, 5000)


def test_the_31st_message_in_a_minute_is_429_with_retry_after(emulator_app: EmulatorApp):
    with emulator_http_client(emulator_app) as client:
        cid = client.post("/v1/ai-agent/chatbot/1", json={"name": "B", "language": "en"})
        chatbot = cid.json()["data"]
        assert all(ask(client, chatbot).status_code == 200 for _ in range(30))
        refused = ask(client, chatbot)
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "RATE_LIMITED"
        assert refused.headers["Retry-After"] == "60"
        emulator_app.advance_clock(60)
        assert ask(client, chatbot).status_code == 200


def test_the_day_limit_answers_429_until_the_day_has_passed():
    app = create_app(EMULATOR_TEST_CONFIG._replace(chat_per_minute=0, chat_per_day=3))
    try:
        with emulator_http_client(app) as client:
            chatbot = client.post("/v1/ai-agent/chatbot/1", json={"name": "B", "language": "en"})
            cid = chatbot.json()["data"]
            assert [ask(client, cid).status_code for _ in range(4)] == [200, 200, 200, 429]
            app.advance_clock(3600)
            late = ask(client, cid)
            assert late.status_code == 429 and int(late.headers["Retry-After"]) == 86400 - 3600
            app.advance_clock(86400)
            assert ask(client, cid).status_code == 200
    finally:
        app.close()


def pacer_for(world: World, lines: list[str], **options: Any) -> ChatPacer:
    return ChatPacer(
        world.api,
        say=lines.append,
        clock=world.clock,
        wall=world.epoch,
        sleep=world.sleep,
        **options,
    )


def test_checks_pace_under_30_a_minute_with_a_visible_waiting_line(world: World, tmp_path):
    manifest = write(tmp_path / "kbsync.yaml", manifest_with(35))
    assert not world.apply(manifest).failed
    lines: list[str] = []
    desired = load_desired_state(manifest, {}, use_cache=False)

    results = run_checks(world.api, desired, pacer=pacer_for(world, lines))

    assert len(results) == 35 and all(r.passed for r in results), results
    # no 429 was needed: every question went out exactly once
    assert world.api.chat_messages_sent() == 35
    assert len(lines) == 1 and lines[0].startswith("waiting for the chat rate limit: ")


class FailFirstChat:
    """WSGI in front of the emulator: the first chat is answered 500 (the client re-sends)."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app, self.failed = app, False

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"] == CHAT and not self.failed:
            self.failed = True
            environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            body = b'{"message": "Error", "error": {"code": "INTERNAL", "detail": "x"}}'
            start_response("500 Internal Server Error", [("Content-Type", "application/json")])
            return [body]
        return self.app(environ, start_response)


def test_a_re_sent_chat_counts_as_a_message(emulator_app: EmulatorApp, tmp_path):
    world = World(emulator_app, FailFirstChat(emulator_app))
    manifest = write(tmp_path / "kbsync.yaml", manifest_with(2))
    try:
        assert not world.apply(manifest).failed
        lines: list[str] = []
        desired = load_desired_state(manifest, {}, use_cache=False)
        results = run_checks(world.api, desired, pacer=pacer_for(world, lines, per_minute=2))
    finally:
        world.api.close()
    assert all(r.passed for r in results)
    assert world.api.chat_messages_sent() == 3  # the first question went out twice
    assert len(lines) == 1 and "2 messages in the last minute, limit 2" in lines[0]


def test_a_run_the_day_cannot_hold_is_refused_before_asking(world: World, tmp_path):
    manifest = write(tmp_path / "kbsync.yaml", manifest_with(3))
    assert not world.apply(manifest).failed
    ledger = ChatLedger(tmp_path / LEDGER)
    ledger.record([world.epoch() - 60.0] * 4998, world.epoch())
    desired = load_desired_state(manifest, {}, use_cache=False)
    pacer = pacer_for(world, [], ledger=ChatLedger(tmp_path / LEDGER))

    with pytest.raises(GuardError, match="5000 chat messages a day \\(2 left"):
        run_checks(world.api, desired, pacer=pacer)
    assert world.api.chat_messages_sent() == 0


def test_kbsync_check_refuses_and_remembers_the_day_in_the_state_folder(tmp_path: Path):
    write(tmp_path / "kbsync.yaml", manifest_with(2))
    applied = run_kbsync("apply", "--sandbox", "--yes", cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    first = run_kbsync("check", "--sandbox", cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    log = tmp_path / ".kbsync" / LEDGER
    assert len(json.loads(log.read_text())["sent"]) == 2
    log.write_text(json.dumps({"sent": [time.time()] * 4999}))

    refused = run_kbsync("check", "--sandbox", cwd=tmp_path)

    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "fair-use limit of 5000 chat messages a day (1 left" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert len(json.loads(log.read_text())["sent"]) == 4999  # nothing was asked


def test_apply_check_that_the_day_cannot_hold_exits_3_after_applying(tmp_path: Path):
    """The apply went through, so not 1 (which means nothing was applied)."""
    write(tmp_path / "kbsync.yaml", manifest_with(2))
    (tmp_path / ".kbsync").mkdir()
    (tmp_path / ".kbsync" / LEDGER).write_text(json.dumps({"sent": [time.time()] * 4999}))

    done = run_kbsync("apply", "--sandbox", "--yes", "--check", cwd=tmp_path)

    assert done.returncode == 3, done.stdout + done.stderr
    assert "The golden questions were not asked" in done.stderr
    again = run_kbsync("plan", "--sandbox", "--detailed-exitcode", cwd=tmp_path)
    assert again.returncode == 0, again.stdout  # everything was applied
