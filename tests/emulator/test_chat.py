"""Contract: the chat endpoint answers from linked, ready text and file content."""

from __future__ import annotations

import httpx

from kbsync.emulator import EmulatorApp
from tests.emulator.helpers import A, add_text, assert_error, create_agent, data_of

Http = tuple[httpx.Client, EmulatorApp]


def ask(client: httpx.Client, cid: str, query: str, **context: str) -> dict[str, object]:
    body = {
        "query": query,
        "pid": "1",
        "chatbot_id": cid,
        "user_context": {"platform": "api", **context},
    }
    answer: dict[str, object] = data_of(client.post(f"{A}/chat", json=body))
    return answer


def test_chat_answers_from_the_best_matching_sentence(emulator_http: Http) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    add_text(
        client, cid, "Shipping is free over 50 euros. Refunds take five business days.", "policy"
    )
    faq = ("faq.md", b"# FAQ\nThe warranty lasts two years.")
    client.post(f"{A}/upload_file/1", files={"file": faq}, data={"chatbot_id": cid})
    answer = ask(client, cid, "How many days do refunds take?")
    assert answer["answer"] == "Refunds take five business days."
    assert answer["sources"] == ["policy"]
    assert isinstance(answer["session_id"], str) and answer["session_id"]
    assert ask(client, cid, "warranty length?")["sources"] == ["faq.md"]


def test_chat_without_a_match_gives_the_not_found_answer(emulator_http: Http) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    client.put(f"{A}/chatbot_ai_settings/1/{cid}", json={"not_found_answer": "No idea."})
    add_text(client, cid, "Shipping is free.")
    answer = ask(client, cid, "quantum entanglement", session_id="s-1")
    assert answer == {"answer": "No idea.", "sources": [], "session_id": "s-1"}


def test_chat_ignores_delinked_and_failed_content(emulator_http: Http) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    gone = add_text(client, cid, "Parrots speak.")["linkage_id"]
    add_text(client, cid, "Parrots fly EMULATOR_FAIL_PROCESSING.")
    body = {"project_id": "1", "chatbot_id": cid, "linkage_ids": [gone]}
    client.request("DELETE", f"{A}/chatbot_asset_delink", json=body)
    assert ask(client, cid, "parrots")["sources"] == []


def test_chat_errors(emulator_http: Http) -> None:
    client, _ = emulator_http
    cid = create_agent(client)
    base = {"query": "hi", "pid": "1", "chatbot_id": cid, "user_context": {}}
    assert_error(client.post(f"{A}/chat", json={**base, "chatbot_id": "cb_x"}), 404, "NOT_FOUND")
    assert_error(client.post(f"{A}/chat", json={**base, "query": ""}), 400, "BAD_REQUEST")
    assert_error(client.post(f"{A}/chat", json={**base, "pid": "2"}), 403, "FORBIDDEN")
    context = {**base, "user_context": {"session_id": 5}}
    assert_error(client.post(f"{A}/chat", json=context), 400, "BAD_REQUEST")
