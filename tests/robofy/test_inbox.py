"""The client's Inbox reads: pages, the since window, the cap, accepted variants, and
reading only the sessions the listing did not carry whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from kbsync.conversations import BOT, USER
from kbsync.desired.expand import load_desired_state
from kbsync.errors import ConfigError, ShapeError
from kbsync.gaps.read import ReadOptions, read_asked
from tests.robofy.conftest import Harness, error, reply

SINCE = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC
STAMP = "2026-01-02 10:00:00"
MESSAGES = [{"role": "user", "content": "PayPal?", "created_at": STAMP}]


def session(sid: str, **fields: Any) -> dict[str, Any]:
    return {
        "session_id": sid,
        "platform": "web",
        "created_at": STAMP,
        "updated_at": STAMP,
        **fields,
    }


def paged(pages: dict[str | None, tuple[list[Any], str | None]]) -> Callable[..., httpx.Response]:
    def serve(request: httpx.Request) -> httpx.Response:
        items, token = pages[request.url.params.get("nextPageToken")]
        return reply({"message": "Success", "data": {"items": items, "next_page_token": token}})

    return serve


def test_sessions_are_read_page_by_page_in_the_window(harness: Callable[..., Harness]) -> None:
    old = session("old", updated_at="2025-12-31 23:59:59")
    mine = session("kbsync-check-1f2e", platform="web")  # a golden question of ours
    pages = {None: ([session("a"), old], "p2"), "p2": ([mine, session("b")], None)}
    h = harness(paged(pages))
    found = h.client.list_sessions("cb1", SINCE, 100)
    assert [s.session_id for s in found.sessions] == ["a", "b"] and not found.capped
    assert [r.url.path for r in h.requests] == ["/v1/inbox/sessions/7/cb1"] * 2
    assert h.requests[0].url.params["since"] == "2026-01-01 00:00:00"
    assert [r.url.params.get("nextPageToken") for r in h.requests] == [None, "p2"]
    assert all(r.url.params["limit"] == "200" for r in h.requests)


def test_the_cap_stops_asking_for_more_pages(harness: Callable[..., Harness]) -> None:
    pages = {
        None: ([session("a"), session("b")], "p2"),
        "p2": ([session("c"), session("d")], "p3"),
        "p3": ([session("e")], None),
    }
    h = harness(paged(pages))
    found = h.client.list_sessions("cb1", SINCE, 3)
    assert [s.session_id for s in found.sessions] == ["a", "b", "c"] and found.capped
    assert len(h.requests) == 2


VARIANTS = [
    {"message": "Success", "data": [session("s1")]},
    [session("s1")],
    {"message": "ok", "data": {"sessions": [session("s1")], "next_page_token": None}},
    {"data": {"records": [session("s1")], "report": {"next_page_token": ""}}},
    {"data": {"items": [{"id": "s1", "source": "web", "last_message_at": "2026-01-02T10:00:00Z"}]}},
    {"data": {"items": [{"session_id": "s1", "platform": "web", "updated_at": 1767348000}]}},
]


@pytest.mark.parametrize("body", VARIANTS)
def test_accepted_session_variants(harness: Callable[..., Harness], body: Any) -> None:
    h = harness(lambda request: reply(body))
    (found,) = h.client.list_sessions("cb1", SINCE, 10).sessions
    assert (found.session_id, found.platform, found.updated_at) == ("s1", "web", 1_767_348_000.0)


MESSAGE_VARIANTS = [
    [
        {"role": "user", "content": "Q", "created_at": STAMP},
        {"role": "assistant", "content": "A", "created_at": STAMP},
    ],
    [
        {"sender": "Customer", "text": "Q", "created_at": STAMP},
        {"sender": "BOT", "message": "A", "created_at": STAMP},
    ],
]


@pytest.mark.parametrize("items", MESSAGE_VARIANTS)
def test_accepted_message_variants(harness: Callable[..., Harness], items: Any) -> None:
    h = harness(lambda request: reply({"data": {"items": items, "next_page_token": None}}))
    found = h.client.list_messages("cb1", "s 1/x")
    assert [(m.role, m.text) for m in found] == [(USER, "Q"), (BOT, "A")]
    assert h.requests[0].url.path == "/v1/inbox/session_messages/7/cb1"
    assert h.requests[0].url.params["session_id"] == "s 1/x"


@pytest.mark.parametrize(
    "item",
    [{"platform": "web", "updated_at": STAMP}, {"session_id": "s1", "updated_at": "soon"}, "s1"],
)
def test_unknown_session_shapes_name_the_endpoint_not_values(
    harness: Callable[..., Harness], item: Any
) -> None:
    h = harness(lambda request: reply({"data": {"items": [item], "secret_key": "VALUE"}}))
    with pytest.raises(ShapeError, match=r"GET /v1/inbox/sessions/7/cb1 ") as caught:
        h.client.list_sessions("cb1", SINCE, 10)
    assert "VALUE" not in str(caught.value) and "soon" not in str(caught.value)


def test_only_sessions_the_listing_cut_short_are_read_again(
    robofy: tuple[Any, Any], tmp_path: Path
) -> None:
    client, app = robofy
    cid = client.create_agent({"name": "Bot", "language": "en"})
    long_talk = {"exchanges": [{"question": f"Gift card {i}?"} for i in range(15)]}
    short = [{"exchanges": [{"question": "PayPal?"}]} for _ in range(4)]
    app.seed_conversations(1, cid, [long_talk, *short])
    manifest = tmp_path / "kbsync.yaml"
    manifest.write_text("version: 1\nproject: 1\nagents:\n  bot: {name: Bot, language: en}\n")
    desired = load_desired_state(manifest, {})
    scans, asked = read_asked(client, desired, (), ReadOptions(SINCE, 100, parallelism=4))
    by_route = app.state()["requests"]["by_route"]
    assert by_route["GET /v1/inbox/session_messages/{pid}/{cid}"] == 1  # the long one only
    assert scans[0].sessions == 5 and scans[0].questions == 19 and scans[0].unanswered == 19
    assert sum(a.question == "PayPal?" for a in asked) == 4


def test_a_session_deleted_after_listing_is_what_the_listing_showed(
    harness: Callable[..., Harness], tmp_path: Path
) -> None:
    preview = [
        {"role": "user", "content": "PayPal?", "created_at": STAMP},
        {"role": "assistant", "content": "No idea.", "created_at": STAMP},
    ]

    def serve(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/ai-agent/chatbot/7":
            return reply({"data": [{"chatbot_id": "cb1", "name": "Bot"}]})
        if path.startswith("/v1/ai-agent/chatbot_ai_settings/"):
            return reply({"data": {"not_found_answer": "No idea."}})
        if path.startswith("/v1/inbox/sessions/"):
            item = session("gone-4711", message_count=9, messages=preview)
            return reply({"data": {"items": [item], "next_page_token": None}})
        return error(404, "NOT_FOUND", "session gone-4711 not found")

    manifest = tmp_path / "kbsync.yaml"
    manifest.write_text("version: 1\nproject: 7\nagents:\n  bot: {name: Bot, language: en}\n")
    h = harness(serve)
    scans, asked = read_asked(
        h.client, load_desired_state(manifest, {}), (), ReadOptions(SINCE, 10)
    )
    assert h.count("GET", "/v1/inbox/session_messages/") == 1
    assert [(a.question, a.unanswered) for a in asked] == [("PayPal?", True)]
    assert scans[0].sessions == 1


def test_an_account_without_that_inbox_path_gets_a_hint(
    harness: Callable[..., Harness], tmp_path: Path
) -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/ai-agent/chatbot/7":
            return reply({"data": [{"chatbot_id": "cb1", "name": "Bot"}]})
        if request.url.path.startswith("/v1/ai-agent/chatbot_ai_settings/"):
            return reply({"data": {}})
        return error(404, "NOT_FOUND", "no such route")

    manifest = tmp_path / "kbsync.yaml"
    manifest.write_text("version: 1\nproject: 7\nagents:\n  bot: {name: Bot, language: en}\n")
    h = harness(serve)
    with pytest.raises(ConfigError, match=r"(?s)HTTP 404.*run `kbsync doctor`"):
        read_asked(h.client, load_desired_state(manifest, {}), (), ReadOptions(SINCE, 10))
