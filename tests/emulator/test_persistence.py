"""Persistence: a file store survives closing and reopening the app."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbsync.emulator import EmulatorConfig, create_app
from tests.conftest import emulator_http_client
from tests.emulator.helpers import A, add_text, create_agent, data_of, linkages


def test_state_survives_close_and_reopen(tmp_path: Path) -> None:
    config = EmulatorConfig(db_path=str(tmp_path / "robofy.db"), manual_clock=True)
    app = create_app(config)
    with emulator_http_client(app) as client:
        cid = create_agent(client, "Keeper")
        client.put(f"{A}/chatbot_ai_settings/1/{cid}", json={"system_prompt_text": "Stay."})
        client.put(f"{A}/persona/1/{cid}", json={"name": "Ava"})
        add_text(client, cid, "kept text", "kept")
        body = {"project_id": "1", "chatbot_id": cid, "start_urls": [{"url": "https://a.example/"}]}
        client.post(f"{A}/crawl_website", json={**body, "max_crawl_pages": 4})
        app.advance_clock(0.2)  # 2 of 4 pages at the default 10 pages/s; processing done at 0.5
    before = app.state()
    app.close()

    reopened = create_app(config)
    try:
        with emulator_http_client(reopened) as client:
            assert data_of(client.get(f"{A}/chatbot/1/{cid}"))["name"] == "Keeper"
            settings = data_of(client.get(f"{A}/chatbot_ai_settings/1/{cid}"))
            assert settings["system_prompt_text"] == "Stay."
            assert data_of(client.get(f"{A}/persona/1/{cid}")) == {"name": "Ava"}
            reopened.advance_clock(1)  # the clock resumes where it was: the crawl goes on
            names = [x["asset_name"] for x in linkages(client, cid)]
            assert names[0] == "kept" and len(names) == 5
        after = reopened.state()
        assert after["clock"]["epoch"] == before["clock"]["epoch"] + 1
        assert after["crawl_runs"][0]["status"] == "completed"
        assert before["crawl_runs"][0]["status"] == "crawling"
        new_id = create_agent(emulator_http_client(reopened), "Second")
        assert new_id != cid and len(reopened.state()["agents"]) == 2
    finally:
        reopened.close()


def test_ids_are_not_reused_after_reset(tmp_path: Path) -> None:
    app = create_app(EmulatorConfig(db_path=str(tmp_path / "r.db"), processing_seconds=0))
    try:
        with emulator_http_client(app) as client:
            cid = create_agent(client)
            first = add_text(client, cid, "x")["linkage_id"]
            app.reset()
            cid = create_agent(client)
            assert add_text(client, cid, "y")["linkage_id"] > first
    finally:
        app.close()


def test_unknown_crawl_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="crawl_mode"):
        create_app(EmulatorConfig(crawl_mode="teleport"))
