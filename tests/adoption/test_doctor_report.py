"""`kbsync doctor --report FILE` (issue 12, item 7): a redacted JSON of what the account
answered: shapes, statuses and dialect features, and no value, id, name, URL or key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kbsync.emulator import BackgroundServer, EmulatorApp
from kbsync.robofy.redacted import OTHER_KEY, shape_of
from tests.adoption.conftest import World, run_kbsync, write

KEY = "test-key"
MANIFEST = """\
version: 1
project: 1
agents:
  support:
    name: Private Support Agent
    avatar_url: https://private.example/avatar.png
    prompt: You are the private prompt of a private company.
    persona: {name: Wilhelmina, style: secretive}
    knowledge:
      texts:
        - name: private-hours
          content: Our private desk is open on Mondays.
      websites:
        - url: https://private.example/docs/
          max_pages: 3
"""


def strings(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(map(str, value)) | {s for v in value.values() for s in strings(v)}
    if isinstance(value, list):
        return {s for v in value for s in strings(v)}
    return {value} if isinstance(value, str) else set()


def values_of(value: Any) -> set[str]:
    """The string values (not the keys) of decoded JSON."""
    if isinstance(value, dict):
        return {s for v in value.values() for s in values_of(v)}
    if isinstance(value, list):
        return {s for v in value for s in values_of(v)}
    return {value} if isinstance(value, str) else set()


def numbers(value: Any, key: str = "") -> set[tuple[str, object]]:
    if isinstance(value, dict):
        return {n for k, v in value.items() for n in numbers(v, str(k))}
    if isinstance(value, list):
        return {n for v in value for n in numbers(v, key)}
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return {(key, value)} if is_number else set()


def doctor_report(app: EmulatorApp, tmp_path: Path) -> tuple[dict[str, Any], str]:
    server = BackgroundServer(app)
    report = tmp_path / "doctor-report.json"
    try:
        done = run_kbsync(
            "doctor",
            *("--base-url", server.base_url, "--project", "1", "--report", str(report)),
            cwd=tmp_path,
            env={"ROBOFY_API_KEY": KEY},
        )
    finally:
        server.close()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Wrote the redacted report" in done.stderr
    text = report.read_text(encoding="utf-8")
    return json.loads(text), text


def test_the_report_holds_no_value_of_the_account(
    emulator_app: EmulatorApp, world: World, tmp_path: Path, dialect: str
):
    assert not world.apply(write(tmp_path / "src" / "kbsync.yaml", MANIFEST)).failed
    document, text = doctor_report(emulator_app, tmp_path)

    state = emulator_app.state()
    statuses = {s for e in document["endpoints"] for s in e["statuses"]}
    field_names = strings(document) - values_of(document)  # the key names it shows
    values = {
        v
        for part in ("agents", "settings", "personas", "assets", "linkages", "crawl_runs")
        for v in values_of(state[part])
        if len(v) >= 5 and v not in statuses and not any(v in name for name in field_names)
    }
    assert {"Private Support Agent", "Wilhelmina", "https://private.example/docs/"} <= values
    leaked = sorted(v for v in values if v in text)
    assert leaked == []
    assert KEY not in text
    # numbers only where the report itself puts them: HTTP statuses and its format version
    assert {k for k, _ in numbers(document)} <= {"status", "format_version"}

    by_endpoint = {e["endpoint"]: e for e in document["endpoints"]}
    agents = by_endpoint["GET /v1/ai-agent/chatbot/{pid}"]
    links = by_endpoint["GET /v1/ai-agent/chatbot_asset_link/{pid}/{cid}"]
    if dialect == "documented":
        assert "agent_name" in json.dumps(agents["shape"]) and "Active" in links["statuses"]
        assert any("data.report.rows" in f for f in document["dialect_features"])
        assert any("`limit` rejected" in f for f in document["dialect_features"])
    else:
        assert agents["shape"]["data"]["items"]["array of"]["name"] == "string"
        assert document["dialect_features"] and not any(
            "rejected" in f for f in document["dialect_features"]
        )


def test_keys_that_are_not_field_names_are_not_written():
    shape = shape_of({"https://private.example/x": 1, "ok_name": [{"a": "b"}, {"a": 2}]})
    assert shape == {OTHER_KEY: "number", "ok_name": {"array of": {"a": ["string", "number"]}}}
