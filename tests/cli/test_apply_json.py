"""``apply --format json``: one document on stdout whenever a plan was made, never a question."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from kbsync.commands.apply import ApplyArgs, apply
from kbsync.commands.common import RemoteArgs
from kbsync.errors import GuardError
from tests.cli.conftest import run_kbsync


def apply_json(project: Path, **confirm: Any) -> tuple[int | None, dict[str, Any], str]:
    """``apply --sandbox --format json`` in-process: (exit code or None if raised, doc, error)."""
    args = RemoteArgs(manifest=str(project / "kbsync.yaml"), sandbox=True, fmt="json")
    out, err = io.StringIO(), io.StringIO()
    code: int | None = None
    try:
        code = apply(args, ApplyArgs(), {}, confirm=confirm.get("confirm"), stdout=out, stderr=err)
    except GuardError as refused:
        err.write(str(refused))
    return code, json.loads(out.getvalue()), err.getvalue()


def test_apply_json_is_one_document_with_plan_and_result(project: Path) -> None:
    first = run_kbsync("apply", "--sandbox", "--format", "json", cwd=project)
    assert first.code == 0, first.both
    document = json.loads(first.out)  # the whole of stdout: exactly one document
    assert document["format_version"] == 1
    assert document["plan"]["has_changes"] is True
    assert document["result"]["ok"] is True
    assert document["refusals"] == []
    assert "sandbox" in first.err
    again = run_kbsync("apply", "--sandbox", "--format", "json", cwd=project)
    assert again.code == 0, again.both
    unchanged = json.loads(again.out)
    assert unchanged["plan"]["has_changes"] is False
    assert unchanged["result"] is None


def test_a_refused_apply_still_prints_its_document(project: Path) -> None:
    assert apply_json(project)[0] == 0
    for name in ("a", "b", "c"):
        (project / "docs" / f"{name}.md").unlink()
    code, document, err = apply_json(project)
    assert code is None and "safety guard" in err
    assert document["result"] is None
    assert len(document["refusals"]) == 1
    assert document["refusals"] == document["plan"]["refusals"]
    assert [a["kind"] for a in document["plan"]["actions"]].count("delink") == 3


def test_json_on_a_terminal_never_asks_and_wants_yes(project: Path) -> None:
    def confirm(question: str) -> bool:
        pytest.fail(f"asked {question!r} of a JSON reader who was never shown the plan")

    code, document, err = apply_json(project, confirm=confirm)
    assert code is None and "--yes" in err
    assert document["result"] is None
    assert len(document["refusals"]) == 1 and "--yes" in document["refusals"][0]
    assert document["plan"]["has_changes"] is True
