"""Inbox: chat exchanges become sessions with messages; List Sessions / Messages; seeding."""

from __future__ import annotations

from typing import Any

import httpx

from kbsync.emulator import EmulatorApp
from tests.emulator.helpers import A, add_text, all_pages, assert_error, create_agent, data_of

Http = tuple[httpx.Client, EmulatorApp]
SESSIONS = "/v1/inbox/sessions/1/{cid}"
MESSAGES = "/v1/inbox/session_messages/1/{cid}"


def ask(client: httpx.Client, cid: str, query: str, **context: str) -> dict[str, Any]:
    body = {"query": query, "pid": "1", "chatbot_id": cid, "user_context": context}
    data: dict[str, Any] = data_of(client.post(f"{A}/chat", json=body))
    return data


def sessions(client: httpx.Client, cid: str, **params: Any) -> list[dict[str, Any]]:
    return all_pages(client, SESSIONS.format(cid=cid), **params)


def messages(client: httpx.Client, cid: str, sid: str, **params: Any) -> list[dict[str, Any]]:
    return all_pages(client, MESSAGES.format(cid=cid), session_id=sid, **params)


def test_every_exchange_is_kept_in_its_session(emulator_http: Http) -> None:
    client, app = emulator_http
    cid = create_agent(client)
    add_text(client, cid, "Standard shipping takes 2 to 4 business days.")
    first = ask(client, cid, "How long is shipping?", platform="whatsapp")
    again = ask(client, cid, "Do you sell gift cards?", session_id=first["session_id"])
    other = ask(client, cid, "Hello?", platform="web", session_id="visitor-7")

    assert again["session_id"] == first["session_id"] and other["session_id"] == "visitor-7"
    listed = sessions(client, cid)
    assert [s["session_id"] for s in listed] == ["visitor-7", first["session_id"]]  # newest first
    assert listed[1]["platform"] == "whatsapp" and listed[0]["platform"] == "web"
    kept = messages(client, cid, first["session_id"])
    assert [(m["role"], m["content"]) for m in kept] == [
        ("user", "How long is shipping?"),
        ("assistant", "Standard shipping takes 2 to 4 business days."),
        ("user", "Do you sell gift cards?"),
        ("assistant", "Sorry, I could not find an answer to that in my knowledge base."),
    ]
    assert all(m["created_at"] == "2026-01-01 00:00:00" for m in kept[::2])
    assert app.state()["inbox"] == {"sessions": 2, "messages": 6}


def test_both_lists_page_and_sessions_filter_by_since(emulator_http: Http) -> None:
    client, app = emulator_http
    cid = create_agent(client)
    for i in range(5):
        ask(client, cid, f"question {i}", session_id=f"s{i}")
        app.advance_clock(3600)
    for i in range(3):
        ask(client, cid, f"more {i}", session_id="s4")

    assert [s["session_id"] for s in sessions(client, cid, limit=2)] == [
        f"s{i}" for i in (4, 3, 2, 1, 0)
    ]
    recent = sessions(client, cid, since="2026-01-01 02:00:00", limit=1)
    assert [s["session_id"] for s in recent] == ["s4", "s3", "s2"]
    assert len(messages(client, cid, "s4", limit=3)) == 8
    bad_since = client.get(SESSIONS.format(cid=cid), params={"since": "yesterday"})
    assert_error(bad_since, 400, "BAD_REQUEST")


def test_messages_need_a_session_of_that_agent(emulator_http: Http) -> None:
    client, _ = emulator_http
    cid, other = create_agent(client, "A"), create_agent(client, "B")
    ask(client, cid, "hi", session_id="mine")
    wrong_agent = client.get(MESSAGES.format(cid=other), params={"session_id": "mine"})
    assert_error(wrong_agent, 404, "NOT_FOUND")
    no_session = client.get(f"/v1/inbox/session_messages/1/{cid}")
    assert_error(no_session, 400, "BAD_REQUEST")
    assert_error(client.get(SESSIONS.format(cid="cb_nope")), 404, "NOT_FOUND")


def test_admin_seeds_conversations_answered_like_the_chat(emulator_http: Http) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    add_text(client, cid, "We accept PayPal and Visa.")
    body = {
        "chatbot_id": cid,
        "conversations": [
            {"seconds_ago": 7200, "platform": "web", "exchanges": [{"question": "PayPal?"}]},
            {"session_id": "x", "exchanges": [{"question": "Berlin store?", "answer": "Dunno"}]},
        ],
    }
    seeded = data_of(client.post("/_emulator/conversations", json=body), "Conversations seeded")

    assert seeded == {"exchanges": 2}
    newest, oldest = sessions(client, cid)
    assert newest["session_id"] == "x" and oldest["created_at"] == "2025-12-31 22:00:00"
    answers = [m["content"] for m in messages(client, cid, oldest["session_id"])]
    assert answers == ["PayPal?", "We accept PayPal and Visa."]
    assert [m["content"] for m in messages(client, cid, "x")] == ["Berlin store?", "Dunno"]


def test_admin_seeding_refuses_bad_bodies(emulator_http: Http) -> None:
    client, app = emulator_http
    cid = create_agent(client)
    bad = [
        {"chatbot_id": cid, "conversations": "many"},
        {"chatbot_id": cid, "conversations": [{"exchanges": []}]},
        {"chatbot_id": cid, "conversations": [{"exchanges": [{"question": " "}]}]},
        {"chatbot_id": cid, "conversations": [{"exchanges": [{"q": "x"}]}]},
        {
            "chatbot_id": cid,
            "conversations": [{"seconds_ago": -1, "exchanges": [{"question": "x"}]}],
        },
    ]
    for body in bad:
        assert_error(client.post("/_emulator/conversations", json=body), 400, "BAD_REQUEST")
    unknown = {"chatbot_id": "cb_nope", "conversations": []}
    assert_error(client.post("/_emulator/conversations", json=unknown), 404, "NOT_FOUND")
    assert app.state()["inbox"] == {"sessions": 0, "messages": 0}


def test_the_demo_has_weeks_of_conversations_some_unanswered(emulator_http: Http) -> None:
    client, app = emulator_http
    cid = app.seed_demo(1)
    listed = sessions(client, cid)
    days = {s["created_at"][:10] for s in listed}
    assert len(listed) >= 15 and len(days) >= 10
    answers = [
        m["content"]
        for s in listed
        for m in messages(client, cid, s["session_id"])
        if m["role"] == "assistant"
    ]
    unanswered = answers.count("Sorry, I don't know that yet.")
    assert 5 <= unanswered < len(answers)
    assert {s["platform"] for s in listed} >= {"web", "whatsapp"}
