"""Markdown renderings of plans and apply results.

Golden files live in tests/render/golden_markdown/. After an intended change to
the Markdown, regenerate them and review the diff like any other change:

    KBSYNC_REGEN_GOLDEN=1 python -m pytest -q tests/render/test_markdown.py
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbsync.model import (
    CREATE_AGENT,
    DONE,
    FAILED_OUTCOME,
    STILL_RUNNING,
    UPDATE_PROMPT,
    Action,
    ApplyResult,
    FieldChange,
    Note,
    Outcome,
    Plan,
)
from kbsync.render.markdown import render_plan_markdown, render_result_markdown
from tests.render.markdown_cases import (
    IDS,
    PLANS,
    add_file,
    add_text,
    adds_only,
    deletions,
    delink,
    guard_refusal,
    partial_failure,
    replacements,
)

GOLDEN = Path(__file__).parent / "golden_markdown"
REGEN = os.environ.get("KBSYNC_REGEN_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"{path} is missing: run with KBSYNC_REGEN_GOLDEN=1 to create it"
    assert path.read_bytes().decode("utf-8") == text


@pytest.mark.parametrize("name", sorted(PLANS))
def test_plan_markdown_matches_golden(name: str) -> None:
    check_golden(f"plan_{name}.md", render_plan_markdown(PLANS[name]()))


def test_partial_failure_result_matches_golden() -> None:
    check_golden("result_partial_failure.md", render_result_markdown(partial_failure()))


# --- the summary line ---------------------------------------------------------


def test_first_line_counts_per_agent() -> None:
    plan = Plan(
        1,
        (
            *(add_text("support", f"t{i}", "x") for i in range(3)),
            replacements().actions[0],
            delink("support", "docs/a.md", "gone"),
            delink("support", "docs/b.md", "gone"),
        ),
        agent_ids=IDS,
    )
    first = render_plan_markdown(plan).splitlines()[0]
    assert first == (
        "**kbsync plan** for project 1 — sales: no changes; "
        "support: 3 to add, 1 to replace, 2 to delink."
    )


def test_no_changes_says_so() -> None:
    assert render_plan_markdown(Plan(5, ())).splitlines()[0].endswith("project 5 — no changes.")


def test_refused_plan_says_apply_will_refuse_it() -> None:
    text = render_plan_markdown(guard_refusal())
    assert "apply will refuse this plan" in text.splitlines()[0]
    assert "> [!CAUTION]\n> **Apply will refuse this plan.**" in text
    assert "more than --max-delete allows" in text


# --- sections -------------------------------------------------------------------


def test_every_delink_is_in_the_warning_with_its_reason() -> None:
    text = render_plan_markdown(deletions())
    warning = text.split("> [!WARNING]")[1].split("\n\n")[0]
    for action in deletions().actions[1:]:
        assert action.label in warning
        assert action.reason.split(":")[0] in warning
    assert "add file" not in warning


def test_one_details_block_per_agent_with_changes() -> None:
    text = render_plan_markdown(adds_only())
    assert text.count("<details>") == text.count("</details>") == 2
    assert "### sales (chatbot `cb-sales-2`)" in text


def test_a_new_agent_says_so() -> None:
    create = Action(
        "bot", CREATE_AGENT, "no agent named 'Bot'", changes=(FieldChange("name", None, "Bot"),)
    )
    text = render_plan_markdown(Plan(1, (create,)))
    assert text.splitlines()[0] == "**kbsync plan** for project 1 — bot: new agent."
    assert "### bot (new agent)" in text
    assert "- **create agent**: no agent named 'Bot'\n\n| field | old | new |" in text
    assert '| `name` | `null` | `"Bot"` |' in text


def test_prompt_change_is_a_diff_and_settings_a_table() -> None:
    text = render_plan_markdown(replacements())
    assert "```diff\n--- support prompt (now)\n+++ support prompt (manifest)\n" in text
    assert "+Escalate billing questions to billing@acme.example.\n" in text
    assert "| `temperature` | `0.3` | `0.5` |" in text
    assert '| `tone` | `"Formal"` | `"Friendly \\| warm"` |' in text


def test_hostile_names_do_not_break_the_structure() -> None:
    fence_prompt = "```\n</details>\nbody"
    plan = Plan(
        1,
        (
            add_text("support", "</details><script>", "x"),
            Action(
                "support", UPDATE_PROMPT, "<b>why</b> `tick`", old_text="a", new_text=fence_prompt
            ),
        ),
    )
    text = render_plan_markdown(plan)
    assert text.count("\n</details>\n") == 1  # only the block's own closes at line start
    assert "`text:</details><script>`" in text  # inside a code span: shown, not parsed
    assert "````diff\n" in text and "+```\n+</details>\n+body\n````\n" in text
    assert "\\<b\\>why\\</b\\> \\`tick\\`" in text


def test_same_plan_in_any_order_renders_to_the_same_bytes() -> None:
    plan = Plan(
        7,
        (*deletions().actions, *adds_only().actions, *replacements().actions),
        notes=(Note("support", "b"), Note("sales", "a")),
        refusals=("support: too many", "sales: too many"),
        agent_ids=IDS,
    )
    shuffled_actions = list(plan.actions)
    random.Random(3).shuffle(shuffled_actions)
    shuffled = plan._replace(
        actions=tuple(shuffled_actions),
        notes=plan.notes[::-1],
        refusals=plan.refusals[::-1],
        agent_ids=dict(reversed(list(IDS.items()))),
    )
    assert render_plan_markdown(shuffled).encode() == render_plan_markdown(plan).encode()


# --- cutting to fit -------------------------------------------------------------


def big_plan(count: int) -> Plan:
    adds = tuple(add_file("support", f"docs/page-{i:05}.md", 1_000 + i) for i in range(count // 2))
    gone = tuple(
        delink("support", f"docs/old-{i:05}.md", "No longer in the manifest.")
        for i in range(count - len(adds))
    )
    return Plan(41, (*replacements().actions, *adds, *gone), agent_ids=IDS)


def test_five_thousand_actions_fit_and_say_what_was_cut() -> None:
    text = render_plan_markdown(big_plan(5_000))
    assert len(text) <= 60_000
    first = text.splitlines()[0]
    assert "2,500 to add" in first and "2,500 to delink" in first
    assert "**2,500 deletions:**" in text  # the warning's head survives the cut
    assert "> **This document was cut to stay under 60,000 characters.**" in text
    assert "The full version is in the JSON plan artifact." in text
    assert "of 2,500 deletions left out" in text
    assert "of 5,003 actions left out" in text
    assert "more actions not shown here (cut to fit; see the JSON plan artifact)" in text
    assert "```diff\n--- support prompt (now)" in text  # small diffs are kept over adds
    assert text.count("<details>") == text.count("</details>")


def test_the_longest_section_is_cut_first() -> None:
    plan = big_plan(1_000)._replace(
        actions=(*big_plan(1_000).actions, add_text("sales", "one", "x"))
    )
    text = render_plan_markdown(plan, max_chars=30_000, full_plan_hint="artifact kbsync-plan")
    assert len(text) <= 30_000
    assert "`text:one`" in text  # sales' short section is whole
    assert "the actions of sales" not in text
    assert "The full version is in artifact kbsync-plan." in text


def test_a_huge_prompt_diff_is_shortened_before_actions_are_left_out() -> None:
    old = "\n".join(f"old line {i}" for i in range(8_000))
    plan = Plan(
        1,
        (
            Action("support", UPDATE_PROMPT, "differs", old_text=old, new_text="new"),
            *(add_text("support", f"t{i}", "x") for i in range(20)),
        ),
    )
    text = render_plan_markdown(plan, max_chars=10_000)
    assert len(text) <= 10_000
    assert "*Diff cut to fit (+1 −8,000 lines).*" in text
    assert "`text:t19`" in text
    assert "1 diff or table shortened" in text


@settings(max_examples=25, deadline=None)
@given(
    adds=st.integers(0, 400),
    delinks=st.integers(0, 400),
    agents=st.integers(1, 40),
    max_chars=st.integers(3_000, 30_000),
)
def test_any_plan_fits_any_cap(adds: int, delinks: int, agents: int, max_chars: int) -> None:
    actions = (
        *(add_text(f"agent-{i % agents}", f"text-{i}", "x") for i in range(adds)),
        *(delink(f"agent-{i % agents}", f"docs/{i}.md", "gone") for i in range(delinks)),
    )
    text = render_plan_markdown(Plan(1, actions), max_chars=max_chars)
    assert len(text) <= max_chars
    assert text.startswith("**kbsync plan** for project 1 — ")
    assert text.count("<details>") == text.count("</details>")
    if delinks:
        assert f"**{delinks:,} deletion" in text  # the warning is never left out


def test_sections_that_cannot_fit_are_left_out_whole_and_named() -> None:
    actions = tuple(add_text(f"agent-{i:03}", "t", "x") for i in range(200))
    text = render_plan_markdown(Plan(1, actions), max_chars=5_000)
    assert len(text) <= 5_000
    assert text.count("<details>") == text.count("</details>") > 0
    assert (
        "- left out entirely: the actions of agent-019, the actions of agent-020,"
        " the actions of agent-021 and 178 more sections\n"
    ) in text
    assert "more sections cut\n" in text  # the note lists a dozen and counts the rest
    assert "### agent-000" in text  # the first agents stay


# --- apply results ----------------------------------------------------------------


def test_result_headline_is_honest() -> None:
    add = add_text("support", "a", "x")
    headline = {
        "failed": ApplyResult((Outcome(add, DONE), Outcome(add, FAILED_OUTCOME, "500"))),
        "running": ApplyResult((Outcome(add, STILL_RUNNING, "still crawling"),)),
        "done": ApplyResult((Outcome(add, DONE),)),
        "nothing": ApplyResult(()),
    }
    lines = {k: render_result_markdown(v).splitlines()[0] for k, v in headline.items()}
    assert lines["failed"] == "**kbsync apply** finished with failures — support: 1 done, 1 failed."
    assert lines["running"] == (
        "**kbsync apply** finished, but some work is still running — support: 1 still running."
    )
    assert lines["done"] == "**kbsync apply** succeeded — support: 1 done."
    assert lines["nothing"] == "**kbsync apply** had nothing to do."


def test_result_lists_every_failure_with_its_message() -> None:
    text = render_result_markdown(partial_failure())
    caution = text.split("> [!CAUTION]")[1].split("\n\n")[0]
    assert "Robofy answered 500 on POST /files" in caution
    assert "> [!WARNING]\n> **1 action still running when kbsync stopped waiting:**" in text


def test_big_result_fits() -> None:
    outcomes = tuple(
        Outcome(add_text("support", f"t{i}", "x"), FAILED_OUTCOME if i % 2 else DONE, "boom")
        for i in range(5_000)
    )
    text = render_result_markdown(ApplyResult(outcomes), max_chars=20_000)
    assert len(text) <= 20_000
    assert text.splitlines()[0].endswith("support: 2,500 done, 2,500 failed.")
    assert "The full version is in the job log." in text
