"""`kbsync doctor`: read-only; canonical, accepted variant or nothing known per endpoint."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from kbsync.commands.doctor import DoctorArgs, doctor
from kbsync.emulator import BackgroundServer, EmulatorApp
from kbsync.robofy import contract as c
from tests.adoption.conftest import run_kbsync
from tests.adoption.variant_server import AGENT, LINK, RUN, VariantServer, ok

KEY = "variant-key-0123456789"
ENDPOINTS = {
    "project": c.GET_PROJECT.endpoint,
    "limits": c.ACCOUNT_LIMIT.endpoint,
    "agents": c.LIST_AGENTS.endpoint,
    "settings": c.GET_SETTINGS.endpoint,
    "persona": c.GET_PERSONA.endpoint,
    "links": c.LIST_LINKAGES.endpoint,
    "crawls": c.CRAWL_STATUS.endpoint,
    "sessions": c.LIST_SESSIONS.endpoint,
    "messages": c.LIST_SESSION_MESSAGES.endpoint,
}
PRIVATE = ("Secret Agent Name", "PRIVATE", "private.txt", "Ava", KEY, "s1")


def run_doctor(
    bodies: dict[str, Any] | None = None,
) -> tuple[int, dict[str, Any], str, VariantServer]:
    server = VariantServer(bodies)
    try:
        outputs = []
        for fmt in ("json", "text"):
            out = io.StringIO()
            args = DoctorArgs(base_url=server.base_url, project=1, fmt=fmt)
            code = doctor(args, {"ROBOFY_API_KEY": KEY}, stdout=out, stderr=io.StringIO())
            outputs.append(out.getvalue())
    finally:
        server.close()
    return code, json.loads(outputs[0]), outputs[1], server


def verdicts(document: dict[str, Any]) -> dict[str, str]:
    names = {v: k for k, v in ENDPOINTS.items()}
    return {names[e["endpoint"]]: e["verdict"] for e in document["endpoints"]}


def test_canonical_answers_are_called_canonical_and_nothing_is_written():
    code, document, text, server = run_doctor()
    assert code == 0 and document["ok"] is True
    assert set(verdicts(document).values()) == {c.CANONICAL}
    assert {method for method, _ in server.requests} == {"GET"}
    assert "OK: every endpoint kbsync needs answers in a shape it knows." in text
    for secret in PRIVATE:
        assert secret not in text and secret not in json.dumps(document)


VARIANTS = [
    ("agents", ok([AGENT]), "items: data is the list"),
    ("agents", [AGENT], "items: the body"),
    ("agents", ok({"records": [AGENT], "report": {"next_page_token": "t2"}}), "data.records"),
    ("agents", ok({"list": [AGENT]}), "items under data.list"),
    ("agents", ok({"chatbots": [{"id": "c1", "name": "A"}]}), "id for chatbot_id"),
    ("agents", {**ok({"items": [AGENT]}), "next_page_token": "t2"}, "top-level next_page_token"),
    ("settings", {"system_prompt_text": "x"}, "bare object"),
    ("persona", {"name": "Ava"}, "bare object"),
    ("project", {"id": 1, "name": "P"}, "bare object"),
    (
        "links",
        ok({"assets": [{"linkage_id": 1, "type": "text", "file_name": "a"}]}),
        "file_name for",
    ),
    (
        "links",
        ok({"items": [{"linkage_id": 1, "type": "url", "url": "u"}], "next_page_token": None}),
        "type for asset_type",
    ),
    ("crawls", ok({"items": [RUN], "next_page_token": None}), "items under data.items"),
    (
        "links",
        ok(
            {
                "items": [{"linkage_id": 1, "asset_type": "file", "name": "a"}],
                "next_page_token": "t",
            }
        ),
        "name for asset_name",
    ),
    ("limits", {"max_files": 9, "used_files": 1}, "bare object"),
]


@pytest.mark.parametrize(("route", "body", "words"), VARIANTS)
def test_each_accepted_variant_is_named_a_variant(route, body, words):
    code, document, text, _ = run_doctor({route: body})
    found = verdicts(document)
    assert found[route] == c.VARIANT, document
    assert {v for r, v in found.items() if r != route} == {c.CANONICAL}
    assert code == 0
    assert words in text


@pytest.mark.parametrize(
    ("route", "body", "keys", "exit_code"),
    [
        ("links", {"rows": [LINK]}, "top-level keys: rows", 1),
        ("settings", ok(["not", "an", "object"]), "top-level keys: data, message", 1),
        ("agents", "just a string", "top-level JSON string", 1),
        ("limits", ok({"quota": 5}), "top-level keys: data, message", 0),  # optional
    ],
)
def test_unknown_shapes_show_only_their_top_level_keys(route, body, keys, exit_code):
    code, document, text, _ = run_doctor({route: body})
    assert verdicts(document)[route] == c.UNKNOWN_SHAPE
    assert code == exit_code and document["ok"] is (exit_code == 0)
    assert f"seen: {keys}" in text and "NOTHING KNOWN" in text
    assert "PRIVATE" not in text and "not an object" not in text


def test_emulator_is_canonical_over_loopback_cli(emulator_app: EmulatorApp, tmp_path):
    emulator_app.seed_demo(1)
    server = BackgroundServer(emulator_app)
    try:
        good = run_kbsync(
            "doctor",
            "--base-url",
            server.base_url,
            "--project",
            "1",
            cwd=tmp_path,
            env={"ROBOFY_API_KEY": "test-key"},
        )
        bad_key = run_kbsync(
            "doctor",
            "--base-url",
            server.base_url,
            "--project",
            "1",
            cwd=tmp_path,
            env={"ROBOFY_API_KEY": "wrong-key-123456"},
        )
        no_access = run_kbsync(
            "doctor",
            "--base-url",
            server.base_url,
            "--project",
            "2",
            cwd=tmp_path,
            env={"ROBOFY_API_KEY": "test-key"},
        )
        missing = run_kbsync(
            "doctor",
            "--base-url",
            server.base_url,
            "--project",
            "99",
            cwd=tmp_path,
            env={"ROBOFY_API_KEY": "test-key"},
        )
    finally:
        server.close()
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.count("canonical - ") == 9  # the demo has conversations: inbox too
    assert "canonical - inbox messages (kbsync gaps)" in good.stdout
    for secret in ("test-key", "Demo Support Bot", "friendly support assistant", "Ava", "PayPal"):
        assert secret not in good.stdout + good.stderr
    assert bad_key.returncode == 1
    assert "the key was refused (HTTP 401)" in bad_key.stdout and "wrong-key" not in bad_key.stdout
    assert no_access.returncode == 1 and "no access to project 2 (403)" in no_access.stdout
    assert missing.returncode == 1 and "project 99 was not found (HTTP 404)" in missing.stdout
    writes = [r for r in emulator_app.state()["requests"]["by_route"] if not r.startswith("GET ")]
    assert writes == []


def test_sandbox_doctor_takes_the_project_from_the_manifest(tmp_path):
    (tmp_path / "kbsync.yaml").write_text("version: 1\nproject: 4\nagents:\n  a:\n    name: A\n")
    done = run_kbsync("doctor", "--sandbox", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("sandbox: using the local Robofy emulator")
    assert "kbsync doctor: sandbox, project 4 (read-only)" in done.stdout
    assert "the project has no agents" in done.stdout


def test_doctor_against_the_emulator_in_each_dialect(
    emulator_app: EmulatorApp, tmp_path, dialect: str
):
    """Canonical: every endpoint canonical. Documented: accepted variants, the rejected
    `limit` noted, and no write; both OK."""
    emulator_app.seed_demo(1)
    server = BackgroundServer(emulator_app)
    try:
        done = run_kbsync(
            "doctor",
            *("--base-url", server.base_url, "--project", "1", "--format", "json"),
            cwd=tmp_path,
            env={"ROBOFY_API_KEY": "test-key"},
        )
    finally:
        server.close()
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads(done.stdout)
    found = verdicts(document)
    if dialect == "canonical":
        assert set(found.values()) == {c.CANONICAL} and document["notes"] == []
    else:
        lists = ("agents", "links", "crawls")
        assert {found[r] for r in lists} == {c.VARIANT}, found
        details = " ".join(e["detail"] for e in document["endpoints"])
        assert "agent_name for name" in details and "data.report.rows" in details
        assert "names with the document/ prefix" in details
        assert any("rejected the `limit`" in n for n in document["notes"])
    writes = [r for r in emulator_app.state()["requests"]["by_route"] if not r.startswith("GET ")]
    assert writes == []


def _doctor_text(app: EmulatorApp, tmp_path, manifest: str = "") -> str:
    if manifest:
        (tmp_path / "kbsync.yaml").write_text(manifest)
    server = BackgroundServer(app)
    try:
        done = run_kbsync(
            "doctor",
            *("--base-url", server.base_url, "--project", "1"),
            cwd=tmp_path,
            env={"ROBOFY_API_KEY": "test-key"},
        )
    finally:
        server.close()
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _link_a_file(app: EmulatorApp) -> None:
    from tests.conftest import emulator_http_client

    with emulator_http_client(app) as client:
        made = client.post("/v1/ai-agent/chatbot/1", json={"name": "A", "language": "en"})
        files = {"file": ("manual.md", b"# Manual")}
        form = {"chatbot_id": made.json()["data"]}
        assert client.post("/v1/ai-agent/upload_file/1", files=files, data=form).status_code == 200


SUGGESTION = "api: {ready_statuses: [Linked]}"


def test_doctor_suggests_the_api_line_for_assets_linked_over_a_day(tmp_path):
    from kbsync.emulator import create_app
    from tests.conftest import EMULATOR_TEST_CONFIG

    # the manual clock starts on 2026-01-01: the file was linked long before "now"
    old = create_app(EMULATOR_TEST_CONFIG._replace(dialect="documented"))
    fresh = create_app(EMULATOR_TEST_CONFIG._replace(dialect="documented", manual_clock=False))
    try:
        _link_a_file(old)
        _link_a_file(fresh)
        suggested = _doctor_text(old, tmp_path)
        assert "stayed in status Linked for more than a day" in suggested
        assert SUGGESTION in suggested
        settled = (
            "version: 1\nproject: 1\napi:\n  ready_statuses: [LINKED]\nagents:\n  a:\n    name: A\n"
        )
        assert SUGGESTION not in _doctor_text(old, tmp_path, settled)
        (tmp_path / "kbsync.yaml").unlink()
        assert SUGGESTION not in _doctor_text(fresh, tmp_path)  # linked seconds ago
    finally:
        old.close()
        fresh.close()


def test_a_status_the_manifest_names_is_not_called_unknown(tmp_path):
    links = ok({"items": [{**LINK, "status": "Indexing"}], "next_page_token": None})
    manifest = tmp_path / "kbsync.yaml"
    manifest.write_text(
        "version: 1\nproject: 1\napi:\n  pending_statuses: [indexing]\nagents:\n  a:\n    name: A\n"
    )
    server = VariantServer({"links": links})
    try:
        texts = []
        for path in (None, str(manifest)):
            out = io.StringIO()
            args = DoctorArgs(manifest=path, base_url=server.base_url, project=1)
            doctor(args, {"ROBOFY_API_KEY": KEY}, stdout=out, stderr=io.StringIO())
            texts.append(out.getvalue())
    finally:
        server.close()
    unknown = "status strings kbsync does not know (read as not ready): Indexing"
    assert unknown in texts[0] and unknown not in texts[1]
