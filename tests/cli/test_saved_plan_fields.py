"""A hand-edited saved plan: every field type-checked, a ConfigError naming the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kbsync.errors import ConfigError
from kbsync.plan.planfile import load_plan
from tests.cli.conftest import run_kbsync


def document(tmp_path: Path) -> dict[str, Any]:
    return {
        "kind": "kbsync-plan",
        "format_version": 1,
        "manifest": str(tmp_path / "kbsync.yaml"),
        "manifest_from_plan": "kbsync.yaml",
        "manifest_fingerprint": "ab" * 32,
        "file_fingerprints": {"prompt.md": "cd" * 32},
        "remote_fingerprint": "ef" * 32,
        "options": {
            "now": 1_700_000_000.5,
            "max_delete": "10%",
            "recrawl": ["https://acme.example/"],
            "agents": ["sales"],
            "allow_delink": True,
        },
        "plan": {"actions": []},
    }


def save(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    return path


def test_a_valid_plan_reads_back(tmp_path: Path) -> None:
    saved = load_plan(save(tmp_path, document(tmp_path)))
    assert saved.options.agents == ("sales",) and saved.options.max_delete == "10%"
    assert saved.options.recrawl == ("https://acme.example/",)
    assert saved.file_fingerprints == {"prompt.md": "cd" * 32}


@pytest.mark.parametrize(
    ("where", "key", "value", "message"),
    [
        ("options", "max_delete", 5, "options.max_delete must be a string or null"),
        ("options", "recrawl", [5], "options.recrawl must be a list of strings"),
        ("options", "agents", "sales", "options.agents must be a list of strings"),
        ("options", "now", "yesterday", "options.now must be a finite number"),
        ("options", "now", True, "options.now must be a finite number"),
        ("options", "allow_delink", "no", "options.allow_delink must be true or false"),
        ("options", "now", None, "options.now is missing"),
        (None, "options", [], "options must be an object"),
        (None, "manifest", 7, "manifest must be a string"),
        (None, "manifest_fingerprint", None, "manifest_fingerprint is missing"),
        (None, "file_fingerprints", {"a": 1}, "file_fingerprints must be an object of strings"),
        (None, "remote_fingerprint", ["x"], "remote_fingerprint must be a string"),
        (None, "plan", "all", "plan must be an object"),
    ],
)
def test_bad_field_is_named(
    tmp_path: Path, where: str | None, key: str, value: Any, message: str
) -> None:
    doc = document(tmp_path)
    container = doc[where] if where else doc
    if value is None and key != "max_delete":
        del container[key]
    else:
        container[key] = value
    with pytest.raises(ConfigError) as caught:
        load_plan(save(tmp_path, doc))
    assert str(caught.value) == f"{tmp_path / 'plan.json'}: damaged kbsync plan file ({message})"


def test_deeply_nested_plan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ConfigError, match="not a kbsync plan file"):
        load_plan(path)


def test_apply_of_a_hand_edited_plan_exits_1(project: Path) -> None:
    assert run_kbsync("plan", "--sandbox", "--out", "plan.json", cwd=project).code == 0
    doc = json.loads((project / "plan.json").read_text())
    doc["options"]["max_delete"] = 3
    (project / "plan.json").write_text(json.dumps(doc))
    run = run_kbsync("apply", "plan.json", "--sandbox", cwd=project)
    assert run.code == 1, run.both
    assert "damaged kbsync plan file (options.max_delete must be a string or null)" in run.err
