"""`kbsync import` to a path it cannot write: a clear error naming the path, exit 1."""

from __future__ import annotations

from pathlib import Path

from tests.adoption.conftest import run_kbsync


def test_sandbox_beside_an_output_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    """The sandbox lives next to the manifest: its folder cannot be made under a file."""
    (tmp_path / "notes.txt").write_text("mine\n")
    done = run_kbsync("import", "--sandbox", "--force", "-o", "notes.txt/x.yaml", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert "Error: cannot write " in done.stderr
    assert "notes.txt/.kbsync: Not a directory" in done.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine\n"


def test_prompt_folder_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    """The demo agent's prompt goes to prompts/: here a file already has that name."""
    (tmp_path / "prompts").write_text("mine\n")
    done = run_kbsync("import", "--sandbox", "--seed-demo", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr
    assert "Error: cannot write " in done.stderr and "prompts: " in done.stderr
    assert (tmp_path / "prompts").read_text() == "mine\n"
