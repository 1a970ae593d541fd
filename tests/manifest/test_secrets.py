"""Secrets in the manifest: refused with the key and line, never echoing the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.manifest.conftest import run_validate, write

KEY = "rk_live_9f8e7d6c5b4a3210"
HEAD = "version: 1\nproject: 1\nagents:\n  a:\n    name: A\n"


@pytest.mark.parametrize(
    ("persona", "fragment"),
    [
        ("{k: '${ROBOFY_API_KEY}'}", "'k' contains the Robofy API key"),
        (f"{{note: 'key is {KEY}'}}", "'note' contains the Robofy API key"),
        ("{api_key: AbCdEf0123456789xyz}", "'api_key' looks like a literal secret"),
        ("{Client-Secret: 0123456789abcdef0123}", "'Client-Secret' looks like a literal secret"),
        ("{hint: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'}", "'hint' contains what looks like"),
    ],
)
def test_refused(in_tmp: Path, persona: str, fragment: str) -> None:
    write(in_tmp, {"kbsync.yaml": HEAD + f"    persona: {persona}\n"})
    code, output = run_validate("kbsync.yaml", {"ROBOFY_API_KEY": KEY})
    assert code == 1
    assert "kbsync.yaml:6:" in output and fragment in output
    assert KEY not in output and "0123456789abcdef0123" not in output


@pytest.mark.parametrize(
    "persona",
    [
        "{api_key: '${PERSONA_KEY}'}",  # from the environment: not literal
        "{token_limit: 4000}",  # a number, not a credential
        "{secret_page: 'https://acme.example/secret-recipe-2024'}",  # a plain URL
        "{password_hint: 'your first pet, then 2024'}",  # words, not a token
    ],
)
def test_allowed(in_tmp: Path, persona: str) -> None:
    write(in_tmp, {"kbsync.yaml": HEAD + f"    persona: {persona}\n"})
    code, output = run_validate("kbsync.yaml", {"ROBOFY_API_KEY": KEY, "PERSONA_KEY": "x" * 20})
    assert (code, output) == (
        0,
        "a: 0 texts, 0 files, 0 websites (0 B)\nOK: kbsync.yaml (1 agent)\n",
    )


FILES_HEAD = HEAD + "    prompt: {file: prompts/p.md}\n    knowledge:\n      texts:\n"


@pytest.mark.parametrize(
    ("prompt", "text", "expected"),
    [
        (
            f"Use key {KEY} please\n",
            "plain\n",
            "kbsync.yaml:6:20: agents.a: prompt: prompts/p.md contains the value of "
            "ROBOFY_API_KEY; refusing to upload a secret",
        ),
        (
            "plain\n",
            f"\ufeffkey={KEY}",
            "kbsync.yaml:9:27: agents.a: texts: texts/t.txt contains the value of "
            "ROBOFY_API_KEY; refusing to upload a secret",
        ),
        (
            "plain\n",
            "token ghp_abcdefghijklmnopqrstuvwxyz0123456789\n",
            "kbsync.yaml:9:27: agents.a: texts: texts/t.txt contains what looks like an "
            "API key or token; refusing to upload a secret",
        ),
    ],
)
def test_secret_in_prompt_or_text_file_refused(
    in_tmp: Path, prompt: str, text: str, expected: str
) -> None:
    manifest = FILES_HEAD + "        - {name: t, file: texts/t.txt}\n"
    write(in_tmp, {"kbsync.yaml": manifest, "prompts/p.md": prompt, "texts/t.txt": text})
    code, output = run_validate("kbsync.yaml", {"ROBOFY_API_KEY": KEY})
    assert code == 1
    assert expected in output
    assert KEY not in output and "ghp_abc" not in output


def test_example_tokens_in_text_files_allowed(in_tmp: Path) -> None:
    """How-to text with placeholder credentials is knowledge, not a secret; a short key
    (under 8 characters) would match ordinary words and is not looked for."""
    text = "Send 'Authorization: Bearer YOUR_ACCESS_TOKEN_HERE' and sk-XXXXXXXXXXXXXXXXXXXXXXXX.\n"
    manifest = FILES_HEAD + "        - {name: t, file: texts/t.txt}\n"
    write(in_tmp, {"kbsync.yaml": manifest, "prompts/p.md": "Send it.\n", "texts/t.txt": text})
    code, output = run_validate("kbsync.yaml", {"ROBOFY_API_KEY": "Send"})
    assert (code, output.splitlines()[-1]) == (0, "OK: kbsync.yaml (1 agent)")
