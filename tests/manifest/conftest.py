"""Helpers for the manifest tests: run `validate` in-process like the CLI does."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from kbsync.commands.validate import validate
from kbsync.error_handler import report
from kbsync.errors import KbsyncError

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
OLD = 1_600_000_000  # an mtime safely in the past, so the hash cache trusts the files


def run_validate(manifest: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Exit code and everything printed, as `kbsync validate -f MANIFEST` would give."""
    out = io.StringIO()
    try:
        code = validate(manifest, env or {}, out)
    except KbsyncError as e:
        code = report(e, out)
    return code, out.getvalue()


def write(root: Path, files: dict[str, str | bytes]) -> None:
    """Write a tree of files under root (parents created); all given an old mtime."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        os.utime(path, (OLD, OLD))


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for a `python -m kbsync` subprocess that finds this checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "KBSYNC_FILE")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


KBSYNC = [sys.executable, "-m", "kbsync"]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work inside tmp_path, so messages name files relative to it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
