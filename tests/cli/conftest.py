"""Helpers for end-to-end tests that run the real `kbsync` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[2]


class Run(NamedTuple):
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


def run_kbsync(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> Run:
    """Run `python -m kbsync ARGS` as a real process, with no API key unless given."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ROBOFY_", "KBSYNC_"))}
    base.pop("GITHUB_ACTIONS", None)
    base.pop("GITHUB_STEP_SUMMARY", None)
    base["NO_COLOR"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "kbsync", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return Run(proc.returncode, proc.stdout, proc.stderr)


SMALL_MANIFEST = """\
version: 1
project: 1
agents:
  support:
    name: Test Support
    description: Answers questions
    language: en
    prompt: {file: prompt.md}
    settings:
      temperature: 0.3
    knowledge:
      texts:
        - name: hours
          content: "We answer Monday to Friday."
      files:
        - path: docs/
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small manifest with a prompt, one text and four docs (no website: fast)."""
    (tmp_path / "kbsync.yaml").write_text(SMALL_MANIFEST)
    (tmp_path / "prompt.md").write_text("You are a helpful support agent.\n")
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("a", "b", "c", "d"):
        (docs / f"{name}.md").write_text(
            textwrap.dedent(f"""\
            # Topic {name}

            Everything about topic {name}, in enough words to be useful.
            """)
        )
    return tmp_path
