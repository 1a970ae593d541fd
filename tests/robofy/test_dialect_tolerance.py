"""Issue 12, item 1: every documented variant of EVIDENCE.md (E1-E6) is read by the one
contract module; item 2: what cannot be read with confidence is refused, naming keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kbsync.errors import NotFoundError, RobofyError, ShapeError
from kbsync.model import FAILED, PENDING, READY, TEXT
from tests.robofy.conftest import Harness, error, reply

AGENT_DOC = {
    "chatbot_id": "cb1",
    "agent_name": "Larkspur Support",
    "agent_type": "Public",
    "avatar_image_path": "https://cdn.example/a.png",
}


def rows(items: list[Any], token: str | None = None) -> dict[str, Any]:
    """E1: the documented list envelope (List Leads)."""
    return {"message": "ok", "data": {"report": {"rows": items, "next_page_token": token}}}


def test_e2_agents_named_agent_name_with_avatar_image_path(harness: Callable[..., Harness]):
    h = harness(lambda r: reply(rows([AGENT_DOC])))
    (agent,) = h.client.list_agents()
    assert (agent.chatbot_id, agent.name, agent.unreadable) == ("cb1", "Larkspur Support", "")
    assert agent.profile["name"] == "Larkspur Support"
    assert agent.profile["avatar_url"] == "https://cdn.example/a.png"
    assert "type" not in agent.profile  # "Public" is a display string, not the integer type


def test_e1_rows_and_token_under_data_report(harness: Callable[..., Harness]):
    def serve(request: httpx.Request) -> httpx.Response:
        if "nextPageToken" not in request.url.params:
            return reply(rows([{**AGENT_DOC, "chatbot_id": "a"}], "t2"))
        return reply(rows([{**AGENT_DOC, "chatbot_id": "b"}]))

    h = harness(serve)
    assert [a.chatbot_id for a in h.client.list_agents()] == ["a", "b"]
    assert h.requests[1].url.params["nextPageToken"] == "t2"


def test_e1_a_rejected_limit_is_retried_once_without_it_and_remembered(
    harness: Callable[..., Harness],
):
    def serve(request: httpx.Request) -> httpx.Response:
        if "limit" in request.url.params:
            return error(400, "BAD_REQUEST", "unknown query parameter: limit")
        return reply(rows([AGENT_DOC]))

    h = harness(serve)
    assert len(h.client.list_agents()) == 1
    assert h.client.limit_rejected is True
    h.client.list_agents()
    assert ["limit" in r.url.params for r in h.requests] == [True, False, False]


def test_a_400_that_is_not_about_limit_is_still_an_error(harness: Callable[..., Harness]):
    h = harness(lambda r: error(400, "BAD_REQUEST", "no"))
    with pytest.raises(RobofyError) as caught:
        h.client.list_agents()
    assert caught.value.status == 400
    assert len(h.requests) == 2  # the one retry without limit, then the error


def test_e3_linkage_named_only_by_llm_source_with_document_prefix(
    harness: Callable[..., Harness],
):
    name = "support-hours~kb1t~1a2b3c4d5e6f7a8b.txt"
    item = {"linkage_id": 4, "asset_type": "text", "llm_source": f"document/{name}"}
    h = harness(lambda r: reply(rows([{**item, "status": "Linked"}])))
    (link,) = h.client.list_linkages("cb1")
    assert (link.asset_name, link.asset_type, link.state) == (name, TEXT, PENDING)


def test_api_statuses_override_the_built_in_mapping(harness: Callable[..., Harness]):
    item = {"linkage_id": 4, "asset_type": "file", "asset_name": "a.md"}
    answers = [{**item, "status": s} for s in ("Linked", "ACTIVE", "weird")]
    for i, a in enumerate(answers):
        a["linkage_id"] = i + 1
    overrides = {"linked": READY, "active": FAILED}
    h = harness(lambda r: reply(rows(answers)), statuses=overrides)
    assert [lk.state for lk in h.client.list_linkages("cb1")] == [READY, FAILED, PENDING]


@pytest.mark.parametrize("code", ["LINKAGE_NOT_FOUND", "ASSET_NOT_FOUND", "NOT_FOUND"])
def test_e5_any_404_code_on_a_delink_is_confirmed_by_re_listing(
    harness: Callable[..., Harness], code: str
):
    linked = {1, 3}

    def serve(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            items = [{"linkage_id": i, "asset_type": "text", "asset_name": "x"} for i in linked]
            return reply(rows(items))
        ids = json.loads(request.content)["linkage_ids"]
        if not set(ids) <= linked:
            return error(404, code, "gone")
        linked.difference_update(ids)
        return reply({"delinked": ids})

    h = harness(serve)
    assert h.client.delink("cb1", [1, 9, 3]) == [1, 9, 3]
    assert [r.method for r in h.requests] == ["DELETE", "GET", "DELETE"]


def test_e5_a_404_of_the_agent_itself_is_raised_after_the_re_list(
    harness: Callable[..., Harness],
):
    h = harness(lambda r: error(404, "CHATBOT_NOT_FOUND", "no such chatbot"))
    with pytest.raises(NotFoundError, match="CHATBOT_NOT_FOUND"):
        h.client.delink("cb1", [1])


def test_e6_chat_sends_platform_web(harness: Callable[..., Harness]):
    h = harness(lambda r: reply({"message": "ok", "data": {"answer": "hi"}}))
    assert h.client.chat("cb1", "hello?") == "hi"
    assert h.body()["user_context"]["platform"] == "web"


# --- item 2: fail closed ---------------------------------------------------------------------

UNREADABLE_LINKAGES = [
    ({"linkage_id": 1, "asset_type": "text"}, "asset_type, linkage_id"),  # no name
    ({"linkage_id": 1, "asset_name": "a.md"}, "asset_name, linkage_id"),  # no type
    ({"linkage_id": 1, "asset_type": "text", "asset_name": 7}, "asset_name, asset_type"),
    ({"asset_type": "text", "asset_name": "a.md"}, "asset_name, asset_type"),  # no id
    ("just a string", "item is a JSON string"),
]


@pytest.mark.parametrize(("item", "keys"), UNREADABLE_LINKAGES)
def test_an_unreadable_linkage_is_a_shape_error_naming_endpoint_and_keys(
    harness: Callable[..., Harness], item: Any, keys: str
):
    good = {"linkage_id": 2, "asset_type": "text", "asset_name": "b.md"}
    h = harness(lambda r: reply(rows([good, item])))
    with pytest.raises(ShapeError) as caught:
        h.client.list_linkages("cb1")
    message = str(caught.value)
    assert "GET /v1/ai-agent/chatbot_asset_link/7/cb1 " in message  # ids filled in
    assert keys in message and "b.md" not in message


def test_an_agent_without_an_id_is_a_shape_error(harness: Callable[..., Harness]):
    h = harness(lambda r: reply(rows([{"agent_name": "A"}])))
    with pytest.raises(ShapeError, match="item keys: agent_name"):
        h.client.list_agents()


def test_an_agent_without_a_name_field_is_marked_unreadable_not_nameless(
    harness: Callable[..., Harness],
):
    h = harness(lambda r: reply(rows([{"chatbot_id": "c9", "title": "Support"}])))
    (agent,) = h.client.list_agents()
    assert agent.name == "" and "item keys: chatbot_id, title" in agent.unreadable
    assert "GET /v1/ai-agent/chatbot/7 " in agent.unreadable and "Support" not in agent.unreadable


def test_a_dashboard_agent_with_an_empty_name_is_readable(harness: Callable[..., Harness]):
    h = harness(lambda r: reply(rows([{"chatbot_id": "c9", "name": None}])))
    assert h.client.list_agents()[0].unreadable == ""


def test_a_null_name_does_not_hide_agent_name(harness: Callable[..., Harness]):
    h = harness(lambda r: reply(rows([{"chatbot_id": "c9", "name": None, "agent_name": "A"}])))
    assert (h.client.list_agents()[0].name, h.client.list_agents()[0].unreadable) == ("A", "")


def test_a_name_that_is_not_a_string_is_unreadable(harness: Callable[..., Harness]):
    h = harness(lambda r: reply(rows([{"chatbot_id": "c9", "agent_name": {"en": "A"}}])))
    assert "item keys: agent_name, chatbot_id" in h.client.list_agents()[0].unreadable
