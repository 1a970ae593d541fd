"""Shell completion, as docs/get-started/install.md tells users to set it up."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import run_kbsync


def test_bash_completion_script_and_candidates(tmp_path: Path) -> None:
    script = run_kbsync("--version", cwd=tmp_path, env={"_KBSYNC_COMPLETE": "bash_source"})
    assert script.code == 0, script.both
    assert "_kbsync_completion" in script.out
    words = {"_KBSYNC_COMPLETE": "bash_complete", "COMP_WORDS": "kbsync pl", "COMP_CWORD": "1"}
    candidates = run_kbsync(cwd=tmp_path, env=words)
    assert candidates.code == 0, candidates.both
    assert "plain,plan" in candidates.out.splitlines()


def test_zsh_and_fish_scripts(tmp_path: Path) -> None:
    for shell in ("zsh", "fish"):
        script = run_kbsync(cwd=tmp_path, env={"_KBSYNC_COMPLETE": f"{shell}_source"})
        assert script.code == 0, script.both
        assert "_KBSYNC_COMPLETE" in script.out
