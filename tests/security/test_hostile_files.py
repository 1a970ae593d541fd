"""Hostile files in the manifest's folder: the key in a docs file, a key with whitespace
around it, links and pipes in `.kbsync/`, pipes where a file is named, unreadable and
malformed `.kbsyncignore` files, malformed patterns, a corrupt hash cache.

A FIFO test that fails would hang, so every one runs `kbsync` as a subprocess with a
timeout (a hang is a TimeoutExpired, not a stuck suite).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kbsync.applylock import apply_lock
from kbsync.errors import ConfigError, ManifestError
from kbsync.github.action import kbsync_env, read_inputs
from kbsync.github.summary import redact
from kbsync.hashcache import CHUNK
from kbsync.sandbox import open_sandbox_client
from kbsync.sources import load_desired_state
from tests.manifest.conftest import cli_env, write
from tests.security.leakcheck import SECURITY_KEY

KEY = SECURITY_KEY
HEAD = "version: 1\nproject: 1\n"
DOCS = HEAD + "agents:\n  a:\n    name: A\n    knowledge:\n      files:\n        - path: docs/\n"
PROMPT = HEAD + "agents:\n  a:\n    name: A\n    prompt: {file: prompt.md}\n"
TEXT = HEAD + "agents:\n  a:\n    name: A\n    knowledge:\n      texts:\n"
TEXT += "        - {name: t, file: t.md}\n"
PADDINGS = [KEY + " ", "\t" + KEY, KEY + "\n", " " + KEY + "\r\n"]


def _problems(manifest: Path, env: dict[str, str]) -> str:
    with pytest.raises(ManifestError) as caught:
        load_desired_state(manifest, env)
    text = str(caught.value)
    assert KEY not in text
    return text


# --- 1. the key is normalised once --------------------------------------------------------


@pytest.mark.parametrize("raw", PADDINGS, ids=repr)
def test_a_key_with_whitespace_around_it_is_still_refused_in_a_prompt(
    tmp_path: Path, raw: str
) -> None:
    write(tmp_path, {"kbsync.yaml": PROMPT, "prompt.md": f"Our key is {KEY}.\n"})
    text = _problems(tmp_path / "kbsync.yaml", {"ROBOFY_API_KEY": raw})
    assert "prompt: prompt.md contains the value of ROBOFY_API_KEY" in text


@pytest.mark.parametrize("raw", PADDINGS, ids=repr)
def test_redaction_and_the_action_input_use_the_normalised_key(raw: str) -> None:
    assert redact(f"sent {KEY} twice: {KEY}", {"ROBOFY_API_KEY": raw}) == "sent *** twice: ***"
    inputs = read_inputs({"KBSYNC_INPUT_API_KEY": raw})
    assert inputs.api_key == KEY
    assert kbsync_env(inputs, {})["ROBOFY_API_KEY"] == KEY


# --- 2. docs files are searched for the key while hashed -----------------------------------


def test_a_docs_file_holding_the_key_is_refused_naming_it(tmp_path: Path) -> None:
    write(tmp_path, {"kbsync.yaml": DOCS, "docs/ok.md": "fine", "docs/leak.md": f"k={KEY}"})
    text = _problems(tmp_path / "kbsync.yaml", {"ROBOFY_API_KEY": KEY})
    assert "docs/leak.md contains the value of ROBOFY_API_KEY" in text
    assert "ok.md" not in text


def test_the_key_split_across_two_read_chunks_is_found(tmp_path: Path) -> None:
    head = b"x" * (CHUNK - 5)  # the key starts 5 bytes before the first chunk ends
    write(tmp_path, {"kbsync.yaml": DOCS, "docs/big.txt": head + KEY.encode() + b"\n"})
    text = _problems(tmp_path / "kbsync.yaml", {"ROBOFY_API_KEY": KEY})
    assert "docs/big.txt contains the value of ROBOFY_API_KEY" in text


def test_a_cached_hash_does_not_skip_the_search_for_a_new_key(tmp_path: Path) -> None:
    write(tmp_path, {"kbsync.yaml": DOCS, "docs/leak.md": f"k={KEY}"})
    load_desired_state(tmp_path / "kbsync.yaml", {})  # no key: hashed, cached
    load_desired_state(tmp_path / "kbsync.yaml", {"ROBOFY_API_KEY": "another-key-1234"})
    cache = (tmp_path / ".kbsync" / "hashcache.json").read_text()
    assert "another-key-1234" not in cache and "leak.md" in cache
    text = _problems(tmp_path / "kbsync.yaml", {"ROBOFY_API_KEY": KEY})
    assert "docs/leak.md contains the value of ROBOFY_API_KEY" in text


# --- 4. nothing in .kbsync/ is written through a link --------------------------------------


def test_a_dangling_symlinked_apply_lock_is_refused_and_creates_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"kbsync.yaml": DOCS})
    (tmp_path / ".kbsync").mkdir()
    outside = tmp_path.parent / f"{tmp_path.name}-outside.lock"
    (tmp_path / ".kbsync" / "apply.lock").symlink_to(outside)
    lock = apply_lock(tmp_path / "kbsync.yaml", io.StringIO())
    with pytest.raises(ConfigError, match=r"apply\.lock is a symlink"), lock:
        pass
    assert not outside.exists()


@pytest.mark.parametrize("name", ["sandbox.sqlite", "sandbox.sqlite-journal"])
def test_a_symlinked_sandbox_store_is_refused_and_its_target_untouched(
    tmp_path: Path, name: str
) -> None:
    write(tmp_path, {"kbsync.yaml": DOCS})
    (tmp_path / ".kbsync").mkdir()
    target = tmp_path / "precious.db"
    target.write_bytes(b"precious")
    (tmp_path / ".kbsync" / name).symlink_to(target)
    with pytest.raises(ConfigError, match=rf"{re.escape(name)} is a symlink"):
        open_sandbox_client(tmp_path / "kbsync.yaml", 1, parallelism=1)
    assert target.read_bytes() == b"precious"


def test_a_symlinked_hash_cache_is_neither_read_nor_written_through(tmp_path: Path) -> None:
    write(tmp_path, {"kbsync.yaml": DOCS, "docs/a.md": "a"})
    (tmp_path / ".kbsync").mkdir()
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    (tmp_path / ".kbsync" / "hashcache.json").symlink_to(target)
    load_desired_state(tmp_path / "kbsync.yaml", {})
    assert target.read_text() == "{}"
    assert not (tmp_path / ".kbsync" / "hashcache.json").is_symlink()  # replaced, not followed


# --- 5 and 11. .kbsyncignore and patterns ---------------------------------------------------


def test_a_non_utf8_kbsyncignore_is_an_error_naming_it(tmp_path: Path) -> None:
    files = {"kbsync.yaml": DOCS, "docs/a.md": "a", "docs/.kbsyncignore": b"secret.md\n\xff\xfe"}
    write(tmp_path, files)
    text = _problems(tmp_path / "kbsync.yaml", {})
    assert "kbsync.yaml:8:" in text and "docs/.kbsyncignore is not UTF-8 text" in text


@pytest.mark.parametrize("line", ["[z-a].md", "notes\\", "!"])
def test_a_malformed_kbsyncignore_line_is_located(tmp_path: Path, line: str) -> None:
    ignore = f"# comment\n*.tmp\n{line}\n"
    write(tmp_path, {"kbsync.yaml": DOCS, "docs/a.md": "a", "docs/.kbsyncignore": ignore})
    text = _problems(tmp_path / "kbsync.yaml", {})
    assert f"docs/.kbsyncignore line 3: {line!r} is not a valid pattern" in text


@pytest.mark.parametrize("key", ["include", "exclude"])
def test_a_malformed_glob_class_in_include_or_exclude_is_located(tmp_path: Path, key: str) -> None:
    manifest = DOCS + f"          {key}: ['*.md', '[9-0]*']\n"
    write(tmp_path, {"kbsync.yaml": manifest, "docs/a.md": "a"})
    text = _problems(tmp_path / "kbsync.yaml", {})
    assert f"{key}: pattern 2: '[9-0]*' is not a valid pattern" in text


def test_a_deeply_nested_corrupt_hash_cache_is_ignored(tmp_path: Path) -> None:
    write(tmp_path, {"kbsync.yaml": DOCS, "docs/a.md": "a"})
    (tmp_path / ".kbsync").mkdir()
    (tmp_path / ".kbsync" / "hashcache.json").write_text("[" * 100_000 + "]" * 100_000)
    state = load_desired_state(tmp_path / "kbsync.yaml", {})
    assert [f.source_key for f in state.agents[0].files] == ["file:docs/a.md"]
    assert json.loads((tmp_path / ".kbsync" / "hashcache.json").read_text())["files"]


# --- 6. a named pipe never hangs a command --------------------------------------------------


def _validate(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kbsync", "validate", "-f", "kbsync.yaml"],
        cwd=root,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,  # a hang fails here instead of stalling the suite
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("manifest", "fifo", "expected"),
    [
        (PROMPT, "prompt.md", "prompt: cannot read prompt.md: a named pipe"),
        (TEXT, "t.md", "texts: cannot read t.md: a named pipe"),
        (DOCS, "docs/.kbsyncignore", "cannot read docs/.kbsyncignore: a named pipe"),
        (DOCS, "kbsync.yaml", "manifest is not a file: kbsync.yaml"),
    ],
    ids=["prompt", "text", "kbsyncignore", "manifest"],
)
def test_a_fifo_named_as_a_file_is_refused_without_hanging(
    tmp_path: Path, manifest: str, fifo: str, expected: str
) -> None:
    write(tmp_path, {"kbsync.yaml": manifest, "docs/a.md": "a"})
    (tmp_path / fifo).unlink(missing_ok=True)
    os.mkfifo(tmp_path / fifo)
    run = _validate(tmp_path)
    assert run.returncode == 1, run.stderr
    assert expected in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr


def test_a_fifo_as_the_hash_cache_is_ignored_without_hanging(tmp_path: Path) -> None:
    write(tmp_path, {"kbsync.yaml": DOCS, "docs/a.md": "a"})
    (tmp_path / ".kbsync").mkdir()
    os.mkfifo(tmp_path / ".kbsync" / "hashcache.json")
    run = _validate(tmp_path)
    assert run.returncode == 0, run.stderr
