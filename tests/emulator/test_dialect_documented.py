"""The emulator's ``documented`` dialect answers as EVIDENCE.md says Robofy may (E1-E7)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from kbsync.emulator import EmulatorApp, create_app
from kbsync.emulator.cli import config_from, options_from, parser
from tests.conftest import EMULATOR_TEST_CONFIG, emulator_http_client
from tests.emulator.helpers import A, add_text, assert_error, create_agent, data_of


@pytest.fixture
def documented() -> Iterator[tuple[httpx.Client, EmulatorApp]]:
    app = create_app(EMULATOR_TEST_CONFIG._replace(dialect="documented"))
    with emulator_http_client(app) as client:
        yield client, app
    app.close()


def rows(client: httpx.Client, path: str, **params: str) -> tuple[list[dict[str, object]], object]:
    report = data_of(client.get(path, params=params))["report"]
    assert set(report) == {"rows", "next_page_token"}
    return report["rows"], report["next_page_token"]


def test_e1_every_list_is_at_data_report_rows_and_limit_is_400(documented):
    client, _ = documented
    for i in range(51):  # one more than the default page size
        create_agent(client, f"Bot {i}")
    first, token = rows(client, f"{A}/chatbot/1")
    assert len(first) == 50 and isinstance(token, str)
    second, last = rows(client, f"{A}/chatbot/1", nextPageToken=token)
    assert len(second) == 1 and last is None
    assert_error(client.get(f"{A}/chatbot/1", params={"limit": 10}), 400, "BAD_REQUEST")
    cid = str(first[0]["chatbot_id"])
    assert rows(client, f"{A}/chatbot_asset_link/1/{cid}") == ([], None)
    assert rows(client, f"{A}/crawl_status/1/{cid}") == ([], None)


def test_e2_agents_are_named_agent_name(documented):
    client, _ = documented
    cid = create_agent(client, "Larkspur")
    (agent,) = rows(client, f"{A}/chatbot/1")[0]
    assert (agent["chatbot_id"], agent["agent_name"], agent["agent_type"]) == (
        cid,
        "Larkspur",
        "Public",
    )
    assert "avatar_image_path" in agent
    assert not {"name", "type", "access_type", "avatar_url"} & set(agent)


def test_e3_linkage_names_are_in_llm_source_with_document_prefix(documented):
    client, _ = documented
    cid = create_agent(client)
    answer = add_text(client, cid, "Open Monday.", "hours.txt")
    assert answer["llm_source"] == "document/hours.txt"
    (link,) = rows(client, f"{A}/chatbot_asset_link/1/{cid}")[0]
    assert link["llm_source"] == "document/hours.txt" and "asset_name" not in link


def test_e4_files_settle_at_linked_and_chat_answers_from_them(documented):
    client, _ = documented
    cid = create_agent(client)
    files = {"file": ("manual.md", b"The battery warranty lasts 2 years.")}
    response = client.post(f"{A}/upload_file/1", files=files, data={"chatbot_id": cid})
    assert data_of(response, "Chatbot asset linkage initiated.")["status"] == "Linked"
    body = {"query": "battery warranty?", "pid": "1", "chatbot_id": cid}
    answer = client.post(f"{A}/chat", json={**body, "user_context": {"platform": "web"}})
    assert "2 years" in data_of(answer)["answer"]


def test_e5_404_codes_name_the_resource(documented):
    client, _ = documented
    assert_error(client.get(f"{A}/chatbot_ai_settings/1/cb_nope"), 404, "CHATBOT_NOT_FOUND")
    cid = create_agent(client)
    body = {"project_id": "1", "chatbot_id": cid, "linkage_ids": [99]}
    gone = client.request("DELETE", f"{A}/chatbot_asset_delink", json=body)
    assert_error(gone, 404, "LINKAGE_NOT_FOUND")


def test_e6_chat_requires_a_documented_platform(documented):
    client, _ = documented
    cid = create_agent(client)
    body = {"query": "hi", "pid": "1", "chatbot_id": cid}
    for context in ({}, {"platform": "kbsync"}):
        sent = client.post(f"{A}/chat", json={**body, "user_context": context})
        assert_error(sent, 400, "BAD_REQUEST")
    for platform in ("web", "whatsapp"):
        sent = client.post(f"{A}/chat", json={**body, "user_context": {"platform": platform}})
        assert sent.status_code == 200


def test_e7_add_website_needs_only_start_urls(documented):
    client, app = documented
    body = {"start_urls": [{"url": "https://docs.example/"}], "max_crawl_pages": 2}
    started = client.post(f"{A}/crawl_website", json=body)
    assert started.status_code == 200, started.text
    app.advance_clock(60)
    runs = app.state()["crawl_runs"]
    assert [r["status"] for r in runs] == ["completed"]


def test_canonical_is_the_default_and_still_requires_what_it_did(emulator_client):
    assert_error(emulator_client.post(f"{A}/crawl_website", json={}), 400, "BAD_REQUEST")
    page = data_of(emulator_client.get(f"{A}/chatbot/1", params={"limit": 5}))
    assert set(page) == {"items", "next_page_token"}


def test_an_unknown_dialect_is_refused():
    with pytest.raises(ValueError, match="dialect"):
        create_app(EMULATOR_TEST_CONFIG._replace(dialect="klingon"))


def test_the_emulator_command_takes_the_dialect():
    assert config_from(options_from(parser().parse_args([]))).dialect == "canonical"
    chosen = config_from(options_from(parser().parse_args(["--dialect", "documented"])))
    assert chosen.dialect == "documented"
    with pytest.raises(SystemExit) as refused:
        parser().parse_args(["--dialect", "klingon"])
    assert refused.value.code == 1  # usage errors exit 1 (2 means "changes" to CI users)
