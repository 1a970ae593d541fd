"""Folder expansions say what they skip (by reason and extension); a file over 10 MB in a
folder is skipped with a warning unless the entry says ``oversize: error``; a file
named on its own stays an error."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import run_kbsync

MANIFEST = """\
version: 1
project: 1
agents:
  support:
    name: Support
    knowledge:
      files:
        - path: docs/
"""
SUMMARY = (
    "skipped 4 files kbsync does not upload: unsupported type: 2 .cpp, 1 .png; over 10 MB: 1 .pdf"
)


def _project(root: Path, manifest: str = MANIFEST) -> Path:
    docs = root / "docs"
    (docs / "src").mkdir(parents=True)
    (docs / "guide.md").write_text("# Guide\n\nHow to use it.\n")
    (docs / "src" / "main.cpp").write_text("int main() {}\n")
    (docs / "src" / "util.cpp").write_text("int util() {}\n")
    (docs / "logo.png").write_bytes(b"\x89PNG\r\n")
    with (docs / "manual.pdf").open("wb") as big:  # sparse: 11 MB on paper only
        big.truncate(11 * 1024 * 1024)
    (root / "kbsync.yaml").write_text(manifest)
    return root


def test_validate_reports_what_a_folder_skips_and_passes(tmp_path: Path) -> None:
    done = run_kbsync("validate", cwd=_project(tmp_path))
    assert done.code == 0, done.both
    assert done.out.splitlines()[:2] == [
        "support: 0 texts, 1 file, 0 websites (24 B)",
        f"  {SUMMARY}",
    ]


def test_plan_notes_the_skips_per_agent_and_json_lists_the_paths(tmp_path: Path) -> None:
    root = _project(tmp_path)
    text = run_kbsync("plan", "--sandbox", cwd=root)
    assert text.code == 0, text.both
    assert text.out.count(f"note: {SUMMARY}") == 1
    markdown = run_kbsync("plan", "--sandbox", "--format", "markdown", cwd=root)
    assert SUMMARY in markdown.out
    document = json.loads(run_kbsync("plan", "--sandbox", "--format", "json", cwd=root).out)
    assert document["skipped"] == {
        "support": [
            {"path": "docs/logo.png", "reason": "unsupported type"},
            {"path": "docs/manual.pdf", "reason": "over 10 MB"},
            {"path": "docs/src/main.cpp", "reason": "unsupported type"},
            {"path": "docs/src/util.cpp", "reason": "unsupported type"},
        ]
    }
    assert {"agent": "support", "message": SUMMARY} in document["notes"]


def test_oversize_error_makes_a_big_file_in_a_folder_an_error(tmp_path: Path) -> None:
    strict = MANIFEST + "          oversize: error\n"
    done = run_kbsync("validate", cwd=_project(tmp_path, strict))
    assert done.code == 1
    assert "docs/manual.pdf is 11.0 MB" in done.err and "at most 10 MB" in done.err


def test_a_big_file_named_on_its_own_stays_an_error(tmp_path: Path) -> None:
    named = MANIFEST.replace("path: docs/", "path: docs/manual.pdf")
    done = run_kbsync("validate", cwd=_project(tmp_path, named))
    assert done.code == 1 and "docs/manual.pdf is 11.0 MB" in done.err
