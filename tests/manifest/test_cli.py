"""`kbsync validate` and `kbsync schema` as real subprocesses."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.examples import copy_examples
from tests.manifest.conftest import CORPUS, KBSYNC, REPO, cli_env, write


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KBSYNC, *args], cwd=cwd, env=cli_env(**env), capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("name", "line", "fragment"),
    [
        ("tab-indent", 5, "tab character in indentation"),
        ("alias-bomb", 3, "too many alias expansions"),
        ("dup-nested-key", 9, "duplicate key 'temperature'"),
    ],
)
def test_bad_manifest_exits_1(tmp_path: Path, name: str, line: int, fragment: str) -> None:
    shutil.copy(CORPUS / f"{name}.yaml", tmp_path / "kbsync.yaml")
    result = run(["validate"], tmp_path)  # the default manifest: ./kbsync.yaml
    assert result.returncode == 1
    assert f"kbsync.yaml:{line}:" in result.stderr and fragment in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_symlink_outside_exits_1(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = tmp_path / "elsewhere"
    write(outside, {"secret.md": "# secret"})
    manifest = "version: 1\nproject: 1\nagents:\n  s:\n    name: S\n    knowledge:\n"
    write(root, {"kbsync.yaml": manifest + "      files:\n        - path: docs\n"})
    (root / "docs").symlink_to(outside, target_is_directory=True)
    result = run(["validate", "-f", "repo/kbsync.yaml"], tmp_path)
    assert result.returncode == 1
    assert "repo/kbsync.yaml:8:17: agents.s: files: symlink leads outside" in result.stderr
    assert "Traceback" not in result.stderr


def test_huge_manifest_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    result = run(["validate", "--file", "big.yaml"], tmp_path)
    assert result.returncode == 1
    assert "big.yaml: the manifest is 50.0 MB; the limit is 5 MB" in result.stderr


def test_github_annotations(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "dup-nested-key.yaml", tmp_path / "kbsync.yaml")
    result = run(["validate"], tmp_path, GITHUB_ACTIONS="true")
    assert result.returncode == 1
    assert "::error file=kbsync.yaml,line=9,col=7::duplicate key 'temperature'" in result.stderr


def test_missing_manifest_is_a_clear_error(tmp_path: Path) -> None:
    result = run(["validate"], tmp_path)
    assert result.returncode == 1
    assert "manifest not found: kbsync.yaml (use -f FILE or set KBSYNC_FILE)" in result.stderr
    result = run(["validate"], tmp_path, KBSYNC_FILE="nope.yaml")
    assert "manifest not found: nope.yaml" in result.stderr


def test_example_validates(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    result = run(["validate", "-f", "examples/robofy.yaml"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "support: 2 texts, 13 files, 1 website (10.0 KB)",
        "sales: 2 texts, 4 files, 1 website (3.0 KB)",
        "OK: examples/robofy.yaml (2 agents)",
    ]


def test_schema_command_prints_the_stored_schema(tmp_path: Path) -> None:
    result = run(["schema"], tmp_path)
    assert result.returncode == 0
    stored = (REPO / "kbsync/schemas/manifest.schema.json").read_text(encoding="utf-8")
    assert result.stdout == stored
    assert json.loads(result.stdout)["title"] == "kbsync manifest"


def test_pre_commit_hook_definition() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["entry"], hook["language"]) == (
        "kbsync-validate",
        "kbsync validate",
        "python",
    )
    assert hook["pass_filenames"] is False  # one run over the whole manifest
    files = re.compile(hook["files"])
    for changed in ("kbsync.yaml", "ops/robofy.yml", "docs/guide/a.md", "docs/.kbsyncignore"):
        assert files.search(changed), changed
    assert not files.search("src/app.py")
