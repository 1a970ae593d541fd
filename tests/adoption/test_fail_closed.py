"""Issue 12, item 2: a remote inventory kbsync cannot read with confidence is a refusal
before any write (exit 1), naming the endpoint and the keys seen; doctor judges the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.adoption.conftest import run_kbsync, write
from tests.adoption.variant_server import AGENT, LINK, VariantServer, ok

KEY = "fail-closed-key-0123456789"
MANIFEST = """\
version: 1
project: 1
agents:
  support:
    name: Secret Agent Name
    knowledge:
      texts:
        - name: hours
          content: Open Monday to Friday.
"""
AGENTS = "GET /v1/ai-agent/chatbot/1"  # the request as sent, ids filled in
LINKS = "GET /v1/ai-agent/chatbot_asset_link/1/c1"

UNREADABLE = [
    ("agents", ok({"items": [{"chatbot_id": "c1", "title": "x"}]}), AGENTS, "chatbot_id, title"),
    ("agents", ok({"items": [AGENT, {"agent_name": "y"}]}), AGENTS, "item keys: agent_name"),
    (
        "links",
        ok({"items": [{"linkage_id": 1, "asset_type": "text"}]}),
        LINKS,
        "asset_type, linkage_id",
    ),
    (
        "links",
        ok({"items": [{"linkage_id": 1, "asset_name": "a.txt"}]}),
        LINKS,
        "asset_name, linkage_id",
    ),
    ("links", ok({"items": [LINK, 42]}), LINKS, "item is a JSON number"),
    ("links", ok({"rows": [LINK]}), LINKS, "top-level keys: data, message"),
]


def run(tmp_path: Path, bodies: dict[str, Any], *args: str) -> tuple[Any, VariantServer]:
    write(tmp_path / "kbsync.yaml", MANIFEST)
    server = VariantServer(bodies)
    try:
        done = run_kbsync(
            *args, "--base-url", server.base_url, cwd=tmp_path, env={"ROBOFY_API_KEY": KEY}
        )
    finally:
        server.close()
    return done, server


@pytest.mark.parametrize(("route", "body", "endpoint", "keys"), UNREADABLE)
def test_apply_refuses_before_any_write(tmp_path, route, body, endpoint, keys):
    done, server = run(tmp_path, {route: body}, "apply", "--yes")
    assert done.returncode == 1, done.stdout + done.stderr
    assert {method for method, _ in server.requests} == {"GET"}  # zero writes
    assert endpoint in done.stderr and keys in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and KEY not in done.stdout + done.stderr


def test_apply_with_the_agent_pinned_by_id_is_not_refused_for_an_unreadable_name(tmp_path):
    """Only matching by name needs every name; a pinned agent does not (no create)."""
    write(
        tmp_path / "kbsync.yaml",
        MANIFEST.replace("    name: Secret", "    id: c1\n    name: Secret"),
    )
    server = VariantServer({"agents": ok({"items": [{"chatbot_id": "c1", "title": "x"}]})})
    try:
        done = run_kbsync(
            "plan", "--base-url", server.base_url, cwd=tmp_path, env={"ROBOFY_API_KEY": KEY}
        )
    finally:
        server.close()
    assert "no name kbsync can read" not in done.stderr
    assert done.returncode == 0, done.stderr


def test_doctor_names_the_missing_field_and_says_apply_would_refuse(tmp_path):
    body = ok({"items": [{"chatbot_id": "c1", "title": "x"}]})
    done, server = run(tmp_path, {"agents": body}, "doctor", "--project", "1")
    assert done.returncode == 1, done.stdout
    assert "OK: every endpoint" not in done.stdout
    assert "name or agent_name" in done.stdout and "apply would refuse" in done.stdout
    assert "ITEMS NOT READABLE - list agents" in done.stdout
    assert {method for method, _ in server.requests} == {"GET"}


def test_import_refuses_an_agent_whose_name_it_cannot_read(tmp_path):
    server = VariantServer({"agents": ok({"items": [{"chatbot_id": "c1", "title": "x"}]})})
    try:
        done = run_kbsync(
            *("import", "--base-url", server.base_url, "--project", "1", "-o", "out.yaml"),
            cwd=tmp_path,
            env={"ROBOFY_API_KEY": KEY},
        )
    finally:
        server.close()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "name kbsync cannot read" in done.stderr and "chatbot_id, title" in done.stderr
    assert not (tmp_path / "out.yaml").exists()
