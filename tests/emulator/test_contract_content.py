"""Contract: add text, add file, list linkages, batch delink, limits, processing status."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from kbsync.emulator import EmulatorApp, EmulatorConfig, create_app
from tests.conftest import emulator_http_client
from tests.emulator.helpers import (
    A,
    add_text,
    all_pages,
    assert_error,
    create_agent,
    data_of,
    linkages,
)

Http = tuple[httpx.Client, EmulatorApp]
LINKAGE_KEYS = {
    "linkage_id", "asset_id", "chatbot_id", "status", "asset_type", "asset_name", "asset_url",
    "metadata", "created_at",
}  # fmt: skip
MB = 1024 * 1024


def upload(client: httpx.Client, name: str, data: bytes, **form: str) -> httpx.Response:
    return client.post(f"{A}/upload_file/1", files={"file": (name, data)}, data=form)


def test_add_text_answers_the_bare_object(emulator_http: Http) -> None:
    client, app = emulator_http
    cid = create_agent(client)
    body = add_text(client, cid, "Hello there.", "greeting")
    assert set(body) == {"linkage_id", "llm_source", "chatbot_id", "asset_id", "status"}
    assert (body["chatbot_id"], body["status"], body["llm_source"]) == (cid, "Active", 1)
    (link,) = linkages(client, cid)
    assert set(link) == LINKAGE_KEYS
    assert (link["asset_type"], link["asset_name"], link["linkage_id"]) == (
        "text", "greeting", body["linkage_id"],
    )  # fmt: skip
    (asset,) = app.state()["assets"]
    assert asset["sha256"] == hashlib.sha256(b"Hello there.").hexdigest()


def test_add_file_linked_to_an_agent(emulator_http: Http) -> None:
    client, app = emulator_http
    cid = create_agent(client)
    data = b"# Guide\nAll about widgets."
    response = upload(client, "guide.md", data, chatbot_id=cid, metadata='{"team": "docs"}')
    payload = data_of(response, "Chatbot asset linkage initiated.")
    assert set(payload) == {"linkage_id", "chatbot_id", "asset_id", "status"}
    (link,) = linkages(client, cid)
    assert (link["asset_type"], link["asset_name"]) == ("file", "guide.md")
    assert link["metadata"] == '{"team": "docs"}'
    (asset,) = app.state()["assets"]
    assert (asset["size"], asset["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert asset["text"] == data.decode()


def test_add_file_without_agent_only_uploads(emulator_http: Http) -> None:
    client, app = emulator_http
    payload = data_of(upload(client, "notes.txt", b"notes"), "File uploaded successfully")
    assert payload["status"] == "Uploaded" and payload["asset_url"].endswith("/notes.txt")
    assert app.state()["linkages"] == [] and len(app.state()["assets"]) == 1


@pytest.mark.parametrize("name", ["a.pdf", "b.DOCX", "c.doc", "d.xls", "e.xlsx", "f.htm", "g.json"])
def test_every_documented_file_type_is_accepted(emulator_http: Http, name: str) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    data_of(upload(client, name, b"x", chatbot_id=cid), "Chatbot asset linkage initiated.")


def test_file_over_10_mb_is_413(emulator_http: Http) -> None:
    client, app = emulator_http
    cid = create_agent(client)
    assert_error(upload(client, "big.txt", b"x" * (10 * MB + 1), chatbot_id=cid), 413,
                 "PAYLOAD_TOO_LARGE")  # fmt: skip
    data_of(upload(client, "max.txt", b"x" * (10 * MB), chatbot_id=cid),
            "Chatbot asset linkage initiated.")  # fmt: skip
    assert len(app.state()["linkages"]) == 1


@pytest.mark.parametrize("name", ["tool.exe", "image.png", "noextension", "archive.md.zip"])
def test_unsupported_file_type_is_415(emulator_http: Http, name: str) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    assert_error(upload(client, name, b"x", chatbot_id=cid), 415, "UNSUPPORTED_MEDIA_TYPE")


def test_text_limits(emulator_http: Http) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    path = f"{A}/link_content/1"
    assert_error(client.post(path, json={"chatbot_id": cid, "content": ""}), 400, "BAD_REQUEST")
    too_long = {"chatbot_id": cid, "content": "x" * 1_000_001}
    assert_error(client.post(path, json=too_long), 400, "BAD_REQUEST")
    long_name = {"chatbot_id": cid, "content": "x", "file_name": "n" * 256}
    assert_error(client.post(path, json=long_name), 400, "BAD_REQUEST")
    at_limits = {"chatbot_id": cid, "content": "x" * 1_000_000, "file_name": "n" * 255}
    assert client.post(path, json=at_limits).status_code == 200


def test_unknown_chatbot_is_404(emulator_http: Http) -> None:
    client, _ = emulator_http
    body = {"chatbot_id": "cb_nope", "content": "x"}
    assert_error(client.post(f"{A}/link_content/1", json=body), 404, "NOT_FOUND")
    assert_error(upload(client, "a.md", b"x", chatbot_id="cb_nope"), 404, "NOT_FOUND")
    assert_error(client.get(f"{A}/chatbot_asset_link/1/cb_nope"), 404, "NOT_FOUND")


def test_linkages_paginate(emulator_http: Http) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    made = [add_text(client, cid, f"text {i}", f"t{i}")["linkage_id"] for i in range(7)]
    page = data_of(client.get(f"{A}/chatbot_asset_link/1/{cid}", params={"limit": 3}))
    assert len(page["items"]) == 3 and page["next_page_token"]
    listed = all_pages(client, f"{A}/chatbot_asset_link/1/{cid}", limit=3)
    assert [link["linkage_id"] for link in listed] == made


def delink(client: httpx.Client, cid: str, ids: list[int]) -> httpx.Response:
    body = {"project_id": "1", "chatbot_id": cid, "linkage_ids": ids}
    return client.request("DELETE", f"{A}/chatbot_asset_delink", json=body)


def test_batch_delink(emulator_http: Http) -> None:
    client, app = emulator_http
    cid = create_agent(client)
    ids = [add_text(client, cid, f"text {i}", f"t{i}")["linkage_id"] for i in range(3)]
    done = data_of(delink(client, cid, ids[:2]), "Assets delinked successfully")
    assert done == {"delinked": ids[:2]}
    assert [link["linkage_id"] for link in linkages(client, cid)] == ids[2:]
    assert [link["linked"] for link in app.state()["linkages"]] == [False, False, True]


def test_delink_with_one_unknown_id_delinks_nothing(emulator_http: Http) -> None:
    client, app = emulator_http
    cid = create_agent(client)
    other = create_agent(client, "Other")
    mine = add_text(client, cid, "mine")["linkage_id"]
    theirs = add_text(client, other, "theirs")["linkage_id"]
    assert_error(delink(client, cid, [mine, theirs]), 404, "NOT_FOUND")
    assert_error(delink(client, cid, [mine, 999]), 404, "NOT_FOUND")
    assert all(link["linked"] for link in app.state()["linkages"])
    data_of(delink(client, cid, [mine]), "Assets delinked successfully")
    assert_error(delink(client, cid, [mine]), 404, "NOT_FOUND")  # already delinked


@pytest.mark.parametrize("ids", [[], list(range(1, 102)), ["1"], [True], "1", None])
def test_delink_id_list_bounds_and_types(emulator_http: Http, ids: object) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    body = {"project_id": "1", "chatbot_id": cid, "linkage_ids": ids}
    response = client.request("DELETE", f"{A}/chatbot_asset_delink", json=body)
    assert_error(response, 400, "BAD_REQUEST")


def test_processing_becomes_active_on_the_emulator_clock() -> None:
    config = EmulatorConfig(manual_clock=True, processing_seconds=2.0)
    app = create_app(config)
    try:
        with emulator_http_client(app) as client:
            cid = create_agent(client)
            assert add_text(client, cid, "hello")["status"] == "Processing"
            upload(client, "bad.md", b"oops EMULATOR_FAIL_PROCESSING", chatbot_id=cid)
            assert [x["status"] for x in linkages(client, cid)] == ["Processing", "Processing"]
            app.advance_clock(1.9)
            assert [x["status"] for x in linkages(client, cid)] == ["Processing", "Processing"]
            app.advance_clock(0.1)
            assert [x["status"] for x in linkages(client, cid)] == ["Active", "Failed"]
    finally:
        app.close()


def test_failing_token_in_a_text_ends_failed(emulator_http: Http) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    assert add_text(client, cid, "x EMULATOR_FAIL_PROCESSING y")["status"] == "Failed"


def test_agent_usage_counts_linked_content(emulator_http: Http) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    upload(client, "a.md", b"12345", chatbot_id=cid)
    add_text(client, cid, "abc")
    agent = data_of(client.get(f"{A}/chatbot/1/{cid}"))
    assert (agent["file_usage"], agent["link_usage"], agent["storage_size"]) == (1, 0, 8)
