"""probe(): which shapes an account answers with, read-only, described in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kbsync.robofy import contract as c
from kbsync.robofy.probe import probe
from tests.robofy.conftest import Harness, emulator_robofy, error, reply

AGENTS = "GET /v1/ai-agent/chatbot/{pid}"
LINKS = "GET /v1/ai-agent/chatbot_asset_link/{pid}/{cid}"


def _account(links_body: Any) -> Callable[[httpx.Request], httpx.Response]:
    def serve(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/ai-agent/chatbot/7":
            return reply({"data": [{"id": "c1", "name": "A"}], "next_page_token": None})
        if path.startswith("/v1/ai-agent/chatbot_asset_link/"):
            return reply(links_body)
        if path.startswith("/v1/ai-agent/persona/"):
            return error(404, "NOT_FOUND", "no persona")
        return reply({"message": "ok", "data": {"a": 1}})

    return serve


def test_probe_describes_variants_aliases_and_unknown_statuses(
    harness: Callable[..., Harness],
) -> None:
    links = {
        "data": {
            "records": [{"linkage_id": 1, "file_name": "a.md", "type": "text", "status": "Weird"}],
            "report": {"next_page_token": "p2"},
        }
    }
    h = harness(_account(links))
    reports = {r.endpoint: r for r in probe(h.client)}
    assert reports[AGENTS].ok and "aliases: id for chatbot_id" in reports[AGENTS].shape
    assert "items: data is the list" in reports[AGENTS].shape
    link = reports[LINKS]
    assert link.shape == (
        "envelope {message, data}; items under data.records; "
        "token at data.report.next_page_token; "
        "aliases: file_name for asset_name, type for asset_type"
    )
    assert link.unknown_statuses == ("Weird",)
    persona = reports["GET /v1/ai-agent/persona/{pid}/{cid}"]
    assert (persona.ok, persona.status) == (False, 404)
    assert {r.method for r in h.requests} == {"GET"}  # read-only


def test_probe_reports_unknown_shapes_without_values(harness: Callable[..., Harness]) -> None:
    h = harness(_account({"rows": [{"linkage_id": 1, "secret": "VALUE"}]}))
    link = next(r for r in probe(h.client) if r.endpoint == LINKS)
    assert not link.ok and "top-level keys: rows" in link.shape and "VALUE" not in link.shape


def test_probe_without_agents_reads_only_account_endpoints(harness: Callable[..., Harness]) -> None:
    h = harness(lambda request: reply({"data": {"items": []}}))
    assert [r.endpoint for r in probe(h.client)] == [
        c.GET_PROJECT.endpoint,
        c.ACCOUNT_LIMIT.endpoint,
        c.LIST_AGENTS.endpoint,
    ]


def test_read_refuses_writes(harness: Callable[..., Harness]) -> None:
    h = harness(lambda request: reply({}))
    with pytest.raises(ValueError, match="only sends GET"):
        h.client.read(c.CREATE_AGENT)
    assert h.requests == []


def test_probe_on_the_emulator_finds_every_shape_known(emulator_app: Any) -> None:
    with emulator_robofy(emulator_app) as client:
        cid = client.create_agent({"name": "Probe", "language": "en"})
        no_sessions = probe(client)
        client.chat(cid, "Is anyone there?")
        reports = probe(client)
    assert len(no_sessions) == 8  # List Sessions answered; no session to list messages of
    assert len(reports) == 9
    assert reports[-1].endpoint == c.LIST_SESSION_MESSAGES.endpoint
    assert all(r.ok and r.status == 200 and not r.unknown_statuses for r in reports), reports
