"""First end-to-end checks of the emulator fixtures (in-process and loopback)."""

from __future__ import annotations

import httpx

from kbsync.emulator import EmulatorApp


def test_agent_text_and_list_roundtrip(emulator_http: tuple[httpx.Client, EmulatorApp]) -> None:
    client, app = emulator_http
    created = client.post("/v1/ai-agent/chatbot/1", json={"name": "Bot", "language": "en"})
    assert created.status_code == 200
    cid = created.json()["data"]
    text = {"chatbot_id": cid, "content": "Refunds take five days.", "file_name": "refunds"}
    added = client.post("/v1/ai-agent/link_content/1", json=text)
    assert added.status_code == 200
    assert added.json()["status"] == "Active"
    listed = client.get(f"/v1/ai-agent/chatbot_asset_link/1/{cid}").json()
    assert [item["asset_name"] for item in listed["data"]["items"]] == ["refunds"]
    assert app.state()["requests"]["by_route"]["POST /v1/ai-agent/link_content/{pid}"] == 1
