"""Privacy by default: personal data in questions is redacted in every output; answers and
session ids never leave the tool; --no-redact shows questions as written."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kbsync.commands.common import RemoteArgs
from kbsync.commands.gaps import GapsArgs, gaps
from kbsync.emulator import EmulatorConfig, create_app
from kbsync.redact import EMAIL, NUMBER, PHONE, URL, printable, redact
from kbsync.sandbox import SANDBOX_KEY, sandbox_store
from kbsync.sandbox_demo import seed_sandbox_demo

# (personal data, the placeholder it becomes)
PII = [
    ("jane.doe@example.com", EMAIL),
    ("J.O'Neil+orders@mail.example.co.uk", EMAIL),
    ("bob_99@sub.domain-x.org", EMAIL),
    ("+49 170 1234567", PHONE),
    ("(030) 123-4567", PHONE),
    ("+1-202-555-0143", PHONE),
    ("0171/9876543", PHONE),
    ("+44 20 7946 0958", PHONE),
    ("4111 1111 1111 1111", NUMBER),
    ("4111111111111111", NUMBER),
    ("123456789", NUMBER),
    ("order 20260131778", NUMBER),
    ("3704 0044 0532 0130 00", NUMBER),
    ("https://shop.example/track?id=99&token=abc", URL),
    ("http://x.example/reset?email=a@b.c", URL),
    ("www.example.org/login?session=77", URL),
]
KEPT = ["https://shop.example/help", "version 2.0.1", "size 42", "10115 Berlin", "Room 101"]


@pytest.mark.parametrize(("secret", "placeholder"), PII)
def test_each_kind_of_personal_data_is_redacted(secret: str, placeholder: str) -> None:
    text = redact(f"Hello, it is {secret}, can you help?")
    assert placeholder in text
    digits = [part for part in secret.replace("-", " ").split() if sum(map(str.isdigit, part)) > 4]
    for part in [secret, *digits]:
        assert part not in text


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_is_kept(text: str) -> None:
    assert redact(f"about {text} please") == f"about {text} please"


@given(st.text(alphabet="0123456789 -+().", min_size=0, max_size=40))
def test_no_run_of_six_digits_survives(text: str) -> None:
    assert re.search(r"\d{6}", redact(text)) is None


def test_printable_drops_terminal_escapes_and_bidi_controls() -> None:
    assert printable("a\x1b[31mred\x1b[0m\u202eb\nc\td") == "a [31mred [0m b c d"


SESSION = "sess-SECRET-4711"
ANSWER = "Sorry, I don't know that yet."


def seed_private_conversations(tmp_path: Path) -> Path:
    manifest = tmp_path / "kbsync.yaml"
    manifest.write_text(
        "version: 1\nproject: 1\nagents:\n  bot:\n    name: Demo Support Bot\n    language: en\n"
    )
    seed_sandbox_demo(manifest, 1)  # an agent with content and a not_found_answer
    app = create_app(
        EmulatorConfig(db_path=str(sandbox_store(manifest)), api_keys={SANDBOX_KEY: (1,)})
    )
    try:
        (agent,) = app.state()["agents"]
        questions = [f"Can I pay by invoice? I am {secret}" for secret, _ in PII]
        exchanges = [{"question": q, "answer": f"{ANSWER} {q}"} for q in questions]
        conversation = {"session_id": SESSION, "exchanges": exchanges}
        app.seed_conversations(1, agent["chatbot_id"], [conversation])
    finally:
        app.close()
    return manifest


def run_gaps(manifest: Path, fmt: str, **options: object) -> str:
    out = io.StringIO()
    args = RemoteArgs(str(manifest), sandbox=True, fmt=fmt)
    code = gaps(args, GapsArgs(**options), {}, stdout=out, stderr=io.StringIO())  # type: ignore[arg-type]
    assert code == 0
    return out.getvalue()


def test_no_output_shows_personal_data_answers_or_session_ids(tmp_path: Path) -> None:
    manifest = seed_private_conversations(tmp_path)
    outputs = [run_gaps(manifest, fmt) for fmt in ("text", "markdown", "json")]
    outputs.append(run_gaps(manifest, "text", suggest_checks=True))
    document = json.loads(outputs[2])
    assert document["summary"]["unanswered"] >= len(PII)  # with the demo's own
    assert "Can I pay by invoice? I am [url]" in outputs[0]  # the newest wording
    for output in outputs:
        assert SESSION not in output and "sess_" not in output
        assert f"{ANSWER} Can I" not in output  # the answers (which repeat the question)
        for secret, _ in PII:
            assert secret not in output, (secret, output)

    shown = run_gaps(manifest, "json", redact=False, since="2w")
    assert json.loads(shown)["redacted"] is False
    assert "jane.doe@example.com" in shown and SESSION not in shown
