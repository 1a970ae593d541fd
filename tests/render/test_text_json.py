"""Text and JSON renderings: golden files, schema, stability, colour, secrets.

Golden files live in tests/render/golden/. After an intended change to the output,
regenerate them and review the diff:

    KBSYNC_REGEN_GOLDEN=1 python -m pytest -q tests/render/test_text_json.py
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import jsonschema
import pytest

import kbsync
from kbsync.model import (
    ADD_TEXT,
    DELINK,
    DONE,
    UPDATE_PROMPT,
    UPDATE_SETTINGS,
    Action,
    ApplyResult,
    FieldChange,
    Outcome,
    Plan,
)
from kbsync.render.json import (
    MAX_INLINE_TEXT,
    plan_to_json,
    render_plan_json,
    render_result_json,
    result_to_json,
)
from kbsync.render.text import render_plan_text, render_result_text

from .text_json_cases import PLANS, RESULTS

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("KBSYNC_REGEN_GOLDEN") == "1"
SCHEMA = json.loads(
    (Path(kbsync.__file__).parent / "schemas" / "plan.schema.json").read_text("utf-8")
)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with KBSYNC_REGEN_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(PLANS))
def test_plan_text_matches_golden(name: str) -> None:
    check_golden(f"plan_{name}.txt", render_plan_text(PLANS[name]()))


@pytest.mark.parametrize("name", sorted(PLANS))
def test_plan_json_matches_golden(name: str) -> None:
    check_golden(f"plan_{name}.json", render_plan_json(PLANS[name]()))


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_result_text_and_json_match_golden(name: str) -> None:
    check_golden(f"result_{name}.txt", render_result_text(RESULTS[name]()))
    check_golden(f"result_{name}.json", render_result_json(RESULTS[name]()))


def test_colour_golden() -> None:
    check_golden(
        "plan_replacements.color.txt", render_plan_text(PLANS["replacements"](), color=True)
    )


@pytest.mark.parametrize("name", sorted(PLANS))
def test_plan_json_validates_against_the_schema(name: str) -> None:
    jsonschema.validate(json.loads(render_plan_json(PLANS[name]())), SCHEMA)


def test_schema_rejects_a_broken_plan() -> None:
    document = plan_to_json(PLANS["adds_only"]())
    document["actions"][0]["kind"] = "explode"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)


@pytest.mark.parametrize("name", sorted(PLANS))
def test_output_is_stable_and_survives_a_json_round_trip(name: str) -> None:
    first, second = PLANS[name](), PLANS[name]()
    assert render_plan_json(first) == render_plan_json(second)
    assert render_plan_text(first) == render_plan_text(second)
    # a saved plan is compared with a fresh plan_to_json: JSON-native values only
    assert json.loads(render_plan_json(first)) == plan_to_json(first)


@pytest.mark.parametrize("name", sorted(PLANS))
def test_no_ansi_unless_asked(name: str) -> None:
    plan = PLANS[name]()
    assert "\x1b[" not in render_plan_text(plan)
    assert "\x1b[" in render_plan_text(plan, color=True)


def test_summary_lines() -> None:
    assert render_plan_text(Plan(1, ())) == (
        "No changes. The Robofy project matches the manifest.\n"
    )
    assert render_plan_text(PLANS["no_changes"]()).endswith("No changes. (see the notes above)\n")
    assert render_plan_text(PLANS["adds_only"]()).endswith(
        "Plan: 5 to add, 0 to replace, 3 to update, 0 to delink, 1 to crawl.\n"
    )
    assert plan_to_json(PLANS["deletions"]())["summary"] == {
        "add": 0,
        "replace": 0,
        "update": 0,
        "delink": 5,
        "crawl": 0,
        "wait": 0,
    }


def test_secrets_never_render() -> None:
    change = FieldChange("llm_api_key", "sk-old-secret", "sk-new-secret")
    plan = Plan(1, (Action("a", UPDATE_SETTINGS, "x", changes=(change,)),))
    for rendered in (render_plan_text(plan), render_plan_json(plan)):
        assert "secret" not in rendered
        assert "(hidden)" in rendered


def test_long_texts_are_not_inlined() -> None:
    plan = PLANS["adds_only"]()
    long = next(a for a in plan.actions if a.kind == ADD_TEXT)
    long = long._replace(new_text="x" * (MAX_INLINE_TEXT + 1))
    short_json = plan_to_json(plan)["actions"]
    assert any(a["new_text"] == "Plans start at 10 EUR." for a in short_json)
    (rendered,) = plan_to_json(Plan(1, (long,)))["actions"]
    assert rendered["new_text"] is None
    assert rendered["new_text_sha256"] == hashlib.sha256(b"x" * (MAX_INLINE_TEXT + 1)).hexdigest()


def test_long_texts_that_differ_give_different_plans() -> None:
    """A saved plan's staleness check compares plan_to_json: an edit past the inline
    limit must show there."""
    before = "p" * (MAX_INLINE_TEXT + 10)
    after = before[:-1] + "q"
    prompt = Action("a", UPDATE_PROMPT, "differs", old_text=before, new_text=after)
    (rendered,) = plan_to_json(Plan(1, (prompt,)))["actions"]
    assert rendered["old_text"] is None and rendered["new_text"] is None
    swapped = plan_to_json(Plan(1, (prompt._replace(new_text=before + "!"),)))
    assert plan_to_json(Plan(1, (prompt,))) != swapped
    assert rendered["old_text_sha256"] == hashlib.sha256(before.encode()).hexdigest()


def test_files_never_carry_content_or_absolute_paths() -> None:
    document = render_plan_json(PLANS["adds_only"]())
    assert "/m/" not in document  # the builders' absolute manifest folder


def test_result_counts_are_honest() -> None:
    result = RESULTS["partial_failure"]()
    assert result_to_json(result)["summary"] == {
        "done": 4,
        "failed": 1,
        "skipped": 1,
        "still_running": 1,
    }
    assert result_to_json(result)["ok"] is False
    assert render_result_text(result).endswith(
        "Applied: 4 done, 1 failed, 1 skipped, 1 still running. Not everything was applied.\n"
    )


def test_empty_result() -> None:
    assert render_result_text(ApplyResult(())) == "Nothing to apply.\n"
    action = Action("a", DELINK, "gone", label="x", linkage_ids=(1,))
    assert result_to_json(ApplyResult((Outcome(action, DONE),)))["ok"] is True
