"""Contract: agents, settings, persona, project, account limit, auth and routing errors.

Every test runs twice (``emulator_http``): in-process through WSGITransport and over loopback.
"""

from __future__ import annotations

import httpx
import pytest

from kbsync.emulator import EmulatorApp
from tests.emulator.helpers import A, all_pages, assert_error, create_agent, data_of

Http = tuple[httpx.Client, EmulatorApp]
AGENT_KEYS = {
    "chatbot_id", "name", "description", "type", "access_type", "avatar_url", "llm_source",
    "language", "status", "file_usage", "link_usage", "storage_size", "created_at", "updated_at",
}  # fmt: skip
SETTINGS_KEYS = {
    "system_prompt_text", "llm_api_key", "not_found_answer", "tone", "chunk_overlap",
    "enable_chatbot_memory", "question_pre_processing", "past_questions_limit", "temperature",
    "thinking_mode", "chunk_size",
}  # fmt: skip


def test_empty_project_lists_no_agents(emulator_http: Http) -> None:
    client, _ = emulator_http
    page = data_of(client.get(f"{A}/chatbot/1"))
    assert page == {"items": [], "next_page_token": None}


def test_create_then_retrieve_agent(emulator_http: Http) -> None:
    client, _ = emulator_http
    body = {"name": "Support", "language": "en", "description": "d", "type": 2, "llm_source": 3}
    cid = data_of(client.post(f"{A}/chatbot/1", json=body), "Chatbot created successfully")
    assert cid.startswith("cb_") and len(cid) == 15
    agent = data_of(client.get(f"{A}/chatbot/1/{cid}"))
    assert set(agent) == AGENT_KEYS
    assert (agent["name"], agent["description"], agent["type"], agent["llm_source"]) == (
        "Support", "d", 2, 3,
    )  # fmt: skip
    assert agent["status"] == "Active"
    assert agent["created_at"] == "2026-01-01 00:00:00"


def test_update_agent_keeps_fields_left_out(emulator_http: Http) -> None:
    client, app = emulator_http
    cid = create_agent(client, "Old")
    app.advance_clock(61)
    agent = data_of(client.put(f"{A}/chatbot/1/{cid}", json={"name": "New"}), "Chatbot updated")
    assert (agent["name"], agent["language"]) == ("New", "en")
    assert agent["updated_at"] == "2026-01-01 00:01:01"
    assert agent["created_at"] == "2026-01-01 00:00:00"


def test_delete_agent_delinks_its_content(emulator_http: Http) -> None:
    client, app = emulator_http
    cid = create_agent(client)
    client.post(f"{A}/link_content/1", json={"chatbot_id": cid, "content": "x"})
    response = client.delete(f"{A}/chatbot/1/{cid}")
    assert response.status_code == 200 and response.json()["message"]
    assert_error(client.get(f"{A}/chatbot/1/{cid}"), 404, "NOT_FOUND")
    assert [link["linked"] for link in app.state()["linkages"]] == [False]


def test_list_agents_paginates(emulator_http: Http) -> None:
    client, _ = emulator_http
    made = [create_agent(client, f"Bot {i}") for i in range(5)]
    first = data_of(client.get(f"{A}/chatbot/1", params={"limit": 2}))
    assert len(first["items"]) == 2 and isinstance(first["next_page_token"], str)
    listed = all_pages(client, f"{A}/chatbot/1", limit=2)
    assert [agent["chatbot_id"] for agent in listed] == made


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "x"}, {"nextPageToken": "bogus!"}])
def test_bad_pagination_query_is_400(emulator_http: Http, query: dict[str, str]) -> None:
    client, _ = emulator_http
    assert_error(client.get(f"{A}/chatbot/1", params=query), 400, "BAD_REQUEST")


def test_limit_is_capped_at_max_page_size(emulator_http: Http) -> None:
    client, _ = emulator_http
    for i in range(3):
        create_agent(client, f"Bot {i}")
    page = data_of(client.get(f"{A}/chatbot/1", params={"limit": "100000"}))
    assert len(page["items"]) == 3 and page["next_page_token"] is None


def test_settings_defaults_and_partial_update(emulator_http: Http) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    settings = data_of(client.get(f"{A}/chatbot_ai_settings/1/{cid}"))
    assert set(settings) == SETTINGS_KEYS
    assert (settings["temperature"], settings["thinking_mode"]) == ("0.5", "1")
    assert settings["system_prompt_text"] == "" and settings["llm_api_key"] == ""
    change = {"system_prompt_text": "Be brief.", "temperature": "0.2", "chunk_overlap": None}
    updated = data_of(
        client.put(f"{A}/chatbot_ai_settings/1/{cid}", json=change), "Settings updated successfully"
    )
    assert updated == {**settings, **change}
    assert data_of(client.get(f"{A}/chatbot_ai_settings/1/{cid}")) == updated


@pytest.mark.parametrize(
    "body",
    [{"temperature": 0.5}, {"chunk_size": "10"}, {"enable_chatbot_memory": 1}, {"colour": "red"}],
)
def test_settings_reject_wrong_types_and_unknown_fields(emulator_http: Http, body: dict) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    assert_error(client.put(f"{A}/chatbot_ai_settings/1/{cid}", json=body), 400, "BAD_REQUEST")


def test_persona_is_an_open_flat_map(emulator_http: Http) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    assert data_of(client.get(f"{A}/persona/1/{cid}")) == {}
    first = {"name": "Ava", "age": 30, "formal": True, "score": 1.5, "nickname": None}
    data_of(client.put(f"{A}/persona/1/{cid}", json=first), "Persona updated successfully")
    data_of(
        client.put(f"{A}/persona/1/{cid}", json={"name": "Eve"}), "Persona updated successfully"
    )
    assert data_of(client.get(f"{A}/persona/1/{cid}")) == {**first, "name": "Eve"}


@pytest.mark.parametrize("body", [{"traits": {"kind": True}}, {"tags": ["a"]}, {"": "x"}])
def test_persona_rejects_nested_values(emulator_http: Http, body: dict) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    assert_error(client.put(f"{A}/persona/1/{cid}", json=body), 400, "BAD_REQUEST")


def test_project_and_account_limit(emulator_http: Http) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    client.post(f"{A}/link_content/1", json={"chatbot_id": cid, "content": "x" * 100})
    assert data_of(client.get("/v1/projects/1")) == {
        "id": 1, "name": "Project 1", "created_at": "2026-01-01 00:00:00",
    }  # fmt: skip
    limits = data_of(client.get("/v1/account/limit"))
    assert limits["used_chatbots"] == 1 and limits["max_chatbots"] >= 1
    assert {"max_files", "max_links", "max_storage_mb", "used_files", "used_links"} <= set(limits)


# --- auth and routing ---------------------------------------------------------------------


def test_missing_key_is_401(emulator_http: Http) -> None:
    client, _ = emulator_http
    response = client.get(f"{A}/chatbot/1", headers={"Authorization": ""})
    assert_error(response, 401, "UNAUTHORIZED")


def test_unknown_key_is_401(emulator_http: Http) -> None:
    client, _ = emulator_http
    response = client.get(f"{A}/chatbot/1", headers={"Authorization": "Bearer nope"})
    assert_error(response, 401, "UNAUTHORIZED")
    response = client.get(f"{A}/chatbot/1", headers={"Authorization": "Basic test-key"})
    assert_error(response, 401, "UNAUTHORIZED")


def test_project_of_another_key_is_403(emulator_http: Http) -> None:
    client, _ = emulator_http
    assert_error(client.get(f"{A}/chatbot/2"), 403, "FORBIDDEN")
    body = {"project_id": "2", "chatbot_id": "cb_x", "linkage_ids": [1]}
    assert_error(client.request("DELETE", f"{A}/chatbot_asset_delink", json=body), 403, "FORBIDDEN")


def test_unknown_project_is_404_project_not_found(emulator_http: Http) -> None:
    client, _ = emulator_http
    assert_error(client.get(f"{A}/chatbot/99"), 404, "PROJECT_NOT_FOUND")
    assert_error(client.get("/v1/projects/99"), 404, "PROJECT_NOT_FOUND")
    chat = {"query": "q", "pid": "99", "chatbot_id": "cb_x", "user_context": {}}
    assert_error(client.post(f"{A}/chat", json=chat), 404, "PROJECT_NOT_FOUND")


def test_auth_is_checked_before_the_project(emulator_http: Http) -> None:
    client, _ = emulator_http
    response = client.get(f"{A}/chatbot/99", headers={"Authorization": "Bearer nope"})
    assert_error(response, 401, "UNAUTHORIZED")


def test_agent_of_another_project_is_404(emulator_http: Http) -> None:
    client, app = emulator_http
    with httpx.Client(
        transport=httpx.WSGITransport(app=app),
        base_url="http://emulator.local",
        headers={"Authorization": "Bearer other-key"},
    ) as other:
        foreign = create_agent(other, pid=2)
    assert_error(client.get(f"{A}/chatbot/1/{foreign}"), 404, "NOT_FOUND")
    assert_error(client.get(f"{A}/chatbot_ai_settings/1/{foreign}"), 404, "NOT_FOUND")


def test_unknown_route_and_wrong_method(emulator_http: Http) -> None:
    client, _ = emulator_http
    assert_error(client.get("/v1/nothing/here"), 404, "NOT_FOUND")
    response = client.patch(f"{A}/chatbot/1")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["Allow"]


def test_non_integer_project_in_path_is_400(emulator_http: Http) -> None:
    client, _ = emulator_http
    assert_error(client.get(f"{A}/chatbot/one"), 400, "BAD_REQUEST")
