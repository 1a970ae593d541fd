"""Watch mode's output lines and JSON objects (pure rendering)."""

from __future__ import annotations

import json
import time

from kbsync.commands.watch import VERBS
from kbsync.errors import ServerError
from kbsync.model import ACTION_KINDS
from kbsync.render.watch_lines import error_report, render_json, render_text
from kbsync.watch.engine import CycleReport

AT = time.mktime((2026, 11, 26, 12, 3, 44, 0, 0, -1))  # local time 12:03:44


def test_a_cycle_is_one_compact_line() -> None:
    report = CycleReport(("docs/faq.md",), AT, 0.43, applied=(("replaced", 1),))
    assert render_text(report) == "12:03:44 docs/faq.md changed -> 1 replaced in 0.4s"


def test_the_first_cycle_counts_with_plurals() -> None:
    applied = (("agents_created", 2), ("added", 19), ("crawls_started", 1))
    line = render_text(CycleReport((), AT, 2.3, applied=applied))
    assert line == "12:03:44 start -> 2 agents created, 19 added, 1 crawl started in 2.3s"


def test_many_changed_paths_are_cut_and_notes_follow() -> None:
    changed = tuple(f"docs/p{i:03}.md" for i in range(500))
    note = "would delink docs/old.md; run with --prune"
    text = render_text(CycleReport(changed, AT, 0.1, notes=(note,)))
    first, second = text.splitlines()
    assert first.startswith("12:03:44 docs/p000.md, docs/p001.md, docs/p002.md and 497 more")
    assert first.endswith("-> nothing to apply in 0.1s")
    assert second == f"  note: {note}"


def test_a_failed_cycle_is_one_line_saying_when_it_retries() -> None:
    error = ServerError("Robofy answered HTTP 500 on GET /v1/x:\n  injected failure")
    report = error_report(error, ("docs/faq.md",), AT, 2.0)
    text = render_text(report)
    assert "\n" not in text
    assert text.startswith("12:03:44 docs/faq.md changed -> failed: Robofy answered HTTP 500")
    assert text.endswith("; retrying in 2.0s")


def test_json_is_one_object_per_cycle_with_stable_keys() -> None:
    report = CycleReport(("docs/faq.md",), AT, 0.4321, applied=(("replaced", 1),))
    line = render_json(report)
    assert "\n" not in line
    data = json.loads(line)
    assert data["format_version"] == 1 and data["status"] == "ok"
    assert data["changed"] == ["docs/faq.md"] and data["applied"] == {"replaced": 1}
    assert data["seconds"] == 0.432 and data["retry_in"] is None


def test_every_action_kind_has_a_stable_summary_key() -> None:
    assert set(VERBS) == set(ACTION_KINDS)
    assert set(VERBS.values()) == {
        "agents_created",
        "updated",
        "added",
        "replaced",
        "crawls_started",
        "crawls_finished",
        "delinked",
    }
