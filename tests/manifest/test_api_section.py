"""The manifest's `api:` section (issue 12, item 3): status words read as ready, pending
or failed, case-insensitively, validated with located messages and in the JSON Schema."""

from __future__ import annotations

import json

from kbsync.commands.schema import schema_text
from kbsync.manifest_api import ambiguous, api_line
from kbsync.model import FAILED, PENDING, READY
from kbsync.sources import load_desired_state
from tests.manifest.conftest import run_validate, write

HEAD = "version: 1\nproject: 1\n"
AGENTS = "agents:\n  a:\n    name: A\n"


def test_statuses_are_read_case_insensitively(tmp_path):
    api = "api:\n  ready_statuses: [Linked, DONE-ish]\n  pending_statuses: [Indexing]\n"
    write(tmp_path, {"kbsync.yaml": HEAD + api + "  failed_statuses: [rejected]\n" + AGENTS})
    desired = load_desired_state(tmp_path / "kbsync.yaml", {}, use_cache=False)
    assert desired.statuses == {
        "linked": READY,
        "done-ish": READY,
        "indexing": PENDING,
        "rejected": FAILED,
    }


def test_no_api_section_means_the_built_in_mapping(tmp_path):
    write(tmp_path, {"kbsync.yaml": HEAD + AGENTS})
    assert load_desired_state(tmp_path / "kbsync.yaml", {}, use_cache=False).statuses == {}


def test_a_status_in_two_lists_is_a_located_problem(tmp_path):
    api = "api:\n  ready_statuses: [Linked]\n  pending_statuses: [linked]\n"
    write(tmp_path, {"kbsync.yaml": HEAD + api + AGENTS})
    code, out = run_validate(str(tmp_path / "kbsync.yaml"))
    assert code == 1
    assert ":5:" in out and "api: status 'linked' is in two lists" in out


def test_bad_api_values_are_schema_problems(tmp_path):
    api = "api:\n  ready_status: [Linked]\n  failed_statuses: Failed\n"
    write(tmp_path, {"kbsync.yaml": HEAD + api + AGENTS})
    code, out = run_validate(str(tmp_path / "kbsync.yaml"))
    assert code == 1 and "ready_status" in out and "ready_statuses" in out  # did you mean
    assert "failed_statuses" in out
    assert "Traceback" not in out


def test_the_json_schema_has_the_api_section():
    api = json.loads(schema_text())["properties"]["api"]
    assert set(api["properties"]) == {"ready_statuses", "pending_statuses", "failed_statuses"}
    assert api["properties"]["ready_statuses"]["items"]["type"] == "string"
    assert api["additionalProperties"] is False


def test_the_hint_names_only_what_the_docs_leave_open():
    assert ambiguous(["Linked", "Processing", "Uploaded", "Weird"], {}) == [
        "Linked",
        "Uploaded",
        "Weird",
    ]
    assert ambiguous(["Linked", "Uploaded"], {"linked": READY, "uploaded": PENDING}) == []
    assert api_line(["Linked"]) == "api: {ready_statuses: [Linked]}"
