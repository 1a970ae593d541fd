"""The /_emulator/ admin surface: state dump, reset, clock, seed-demo (faults: test_faults)."""

from __future__ import annotations

import httpx
import pytest

from kbsync.emulator import EmulatorApp
from kbsync.emulator.app import LAST_MOMENT
from tests.emulator.helpers import A, add_text, assert_error, create_agent, data_of, linkages

Http = tuple[httpx.Client, EmulatorApp]
STATE_KEYS = {
    "projects", "agents", "settings", "personas", "assets", "linkages", "crawl_runs",
    "requests", "faults", "clock", "inbox",
}  # fmt: skip


def test_state_dump_and_route_counts(emulator_http: Http) -> None:
    client, app = emulator_http
    cid = create_agent(client)
    add_text(client, cid, "hello", "greeting")
    client.get(f"{A}/chatbot/1/{cid}")
    client.get(f"{A}/chatbot/1/{cid}")
    client.get("/v1/nowhere")
    state = client.get("/_emulator/state").json()
    assert set(state) == STATE_KEYS
    assert state == app.state()
    assert [p["id"] for p in state["projects"]] == [1, 2]
    assert state["settings"][cid]["temperature"] == "0.5" and state["personas"][cid] == {}
    assert state["requests"] == {
        "total": 5,
        "by_route": {
            "GET (no route)": 1,
            "GET /v1/ai-agent/chatbot/{pid}/{cid}": 2,
            "POST /v1/ai-agent/chatbot/{pid}": 1,
            "POST /v1/ai-agent/link_content/{pid}": 1,
        },
    }
    (link,) = state["linkages"]
    assert (link["linked"], link["asset_name"], link["project_id"]) == (True, "greeting", 1)
    assert state["clock"]["now"] == "2026-01-01 00:00:00"


def test_reset_empties_the_store_but_keeps_keys_and_faults(emulator_http: Http) -> None:
    client, app = emulator_http
    create_agent(client)
    app.set_faults(latency_ms=1)
    response = client.post("/_emulator/reset")
    assert response.status_code == 200 and response.json()["message"]
    state = app.state()
    assert state["agents"] == [] and state["linkages"] == [] and state["requests"]["total"] == 0
    assert state["faults"]["latency_ms"] == 1
    assert data_of(client.get(f"{A}/chatbot/1"))["items"] == []  # the key still works


def test_clock_endpoint_moves_time(emulator_http: Http) -> None:
    client, _ = emulator_http
    moved = data_of(client.post("/_emulator/clock", json={"seconds": 90.5}), "Clock advanced")
    assert moved["now"] == "2026-01-01 00:01:30" and moved["offset_seconds"] == 90.5
    cid = create_agent(client)
    assert data_of(client.get(f"{A}/chatbot/1/{cid}"))["created_at"] == "2026-01-01 00:01:30"


@pytest.mark.parametrize("body", [{"seconds": -1}, {"seconds": "5"}, {}, {"seconds": 1, "x": 2}])
def test_bad_clock_bodies_are_400(emulator_http: Http, body: dict[str, object]) -> None:
    client, _ = emulator_http
    assert_error(client.post("/_emulator/clock", json=body), 400, "BAD_REQUEST")


def test_unknown_admin_route_is_404(emulator_http: Http) -> None:
    client, _ = emulator_http
    assert_error(client.get("/_emulator/nothing"), 404, "NOT_FOUND")


def test_seed_demo_creates_a_dashboard_made_agent(emulator_http: Http) -> None:
    client, app = emulator_http
    seeded = data_of(
        client.post("/_emulator/seed-demo", json={"project_id": 1}), "Demo data seeded"
    )
    cid = seeded["chatbot_id"]
    agent = data_of(client.get(f"{A}/chatbot/1/{cid}"))
    assert agent["name"] == "Demo Support Bot"
    settings = data_of(client.get(f"{A}/chatbot_ai_settings/1/{cid}"))
    assert settings["system_prompt_text"] and settings["tone"] == "friendly"
    assert data_of(client.get(f"{A}/persona/1/{cid}"))["name"] == "Ava"
    links = linkages(client, cid)
    kinds = [x["asset_type"] for x in links]
    assert (kinds.count("text"), kinds.count("file"), kinds.count("url")) == (3, 2, 8)
    assert {x["status"] for x in links} == {"Active"}
    assert "kbsync" not in str(app.state()).lower()
    (run,) = data_of(client.get(f"{A}/crawl_status/1/{cid}"))
    assert run["status"] == "completed" and run["pages_crawled"] == 8


def test_seed_demo_of_an_unknown_project_is_404(emulator_http: Http) -> None:
    client, _ = emulator_http
    response = client.post("/_emulator/seed-demo", json={"project_id": 77})
    assert_error(response, 404, "PROJECT_NOT_FOUND")


def test_clock_cannot_run_past_formattable_time(emulator_http: Http) -> None:
    client, app = emulator_http
    assert client.post("/_emulator/clock", json={"seconds": 1e9}).status_code == 200
    app.advance_clock(LAST_MOMENT - app.state()["clock"]["epoch"] - 100)
    assert_error(client.post("/_emulator/clock", json={"seconds": 101}), 400, "BAD_REQUEST")
    assert client.get(f"{A}/chatbot/1").status_code == 200
    assert app.state()["clock"]["now"].startswith("8999-12-31")
    with pytest.raises(ValueError, match="forward"):
        app.advance_clock(-1)
