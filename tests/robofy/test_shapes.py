"""Every response variant docs/robofy-contract.md accepts; a clear ShapeError for the rest."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kbsync.errors import ShapeError
from kbsync.model import FAILED, FILE, PENDING, READY, TEXT, URL, DesiredSite
from kbsync.robofy.client import RobofyClient
from tests.robofy.conftest import Harness, reply

AGENT = {"chatbot_id": "cb1", "name": "Support", "language": "en", "status": "Active"}
LINK = {
    "linkage_id": 11,
    "asset_id": 5,
    "asset_type": "text",
    "asset_name": "faq.md",
    "status": "Processing",
    "created_at": "2026-01-01 00:00:00",
}


def constant(body: Any, status: int = 200) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: reply(body, status)


# --- pagination variants -------------------------------------------------------


@pytest.mark.parametrize("key", ["items", "list", "records", "assets", "chatbots"])
def test_items_under_each_accepted_key(harness: Callable[..., Harness], key: str) -> None:
    h = harness(constant({"message": "ok", "data": {key: [AGENT], "next_page_token": None}}))
    assert [a.chatbot_id for a in h.client.list_agents()] == ["cb1"]


def test_data_as_a_plain_list_is_one_page(harness: Callable[..., Harness]) -> None:
    h = harness(constant({"message": "ok", "data": [LINK]}))
    assert [link.linkage_id for link in h.client.list_linkages("cb1")] == [11]
    assert h.count("GET") == 1


def test_bare_list_body_is_one_page(harness: Callable[..., Harness]) -> None:
    h = harness(constant([AGENT]))
    assert [a.name for a in h.client.list_agents()] == ["Support"]


def _two_pages(first_page: Callable[[list[Any]], Any]) -> Callable[[httpx.Request], httpx.Response]:
    def serve(request: httpx.Request) -> httpx.Response:
        if "nextPageToken" not in request.url.params:
            return reply(first_page([AGENT]))
        assert request.url.params["nextPageToken"] == "tok-2"
        return reply({"message": "ok", "data": {"items": [{**AGENT, "chatbot_id": "cb2"}]}})

    return serve


@pytest.mark.parametrize(
    "first_page",
    [
        lambda items: {"data": {"items": items, "next_page_token": "tok-2"}},
        lambda items: {"data": {"records": items, "report": {"next_page_token": "tok-2"}}},
        lambda items: {"data": items, "next_page_token": "tok-2"},
        lambda items: {"data": {"list": items}, "next_page_token": "tok-2"},
    ],
    ids=["data.next_page_token", "data.report.next_page_token", "top-level", "top-level+list"],
)
def test_token_in_each_accepted_place(
    harness: Callable[..., Harness], first_page: Callable[[list[Any]], Any]
) -> None:
    h = harness(_two_pages(first_page))
    assert [a.chatbot_id for a in h.client.list_agents()] == ["cb1", "cb2"]
    assert h.count("GET") == 2


@pytest.mark.parametrize("token", [None, ""])
def test_null_or_empty_token_ends_the_list(harness: Callable[..., Harness], token: Any) -> None:
    h = harness(constant({"data": {"items": [AGENT], "next_page_token": token}}))
    h.client.list_agents()
    assert h.count("GET") == 1


def test_lists_ask_for_the_largest_page(harness: Callable[..., Harness]) -> None:
    h = harness(constant({"data": {"items": []}}))
    h.client.list_linkages("cb1")
    assert h.requests[0].url.params["limit"] == "200"


# --- aliases -------------------------------------------------------


def test_agent_id_alias(harness: Callable[..., Harness]) -> None:
    h = harness(constant({"data": {"items": [{"id": 42, "name": "X", "description": "d"}]}}))
    [agent] = h.client.list_agents()
    assert (agent.chatbot_id, agent.name, agent.profile) == (
        "42",
        "X",
        {"name": "X", "description": "d"},
    )


def test_agent_without_a_name(harness: Callable[..., Harness]) -> None:
    h = harness(constant({"data": [{"chatbot_id": "c9", "name": None}]}))
    assert [(a.chatbot_id, a.name) for a in h.client.list_agents()] == [("c9", "")]


@pytest.mark.parametrize("name_key", ["asset_name", "name", "file_name", "url"])
def test_asset_name_aliases(harness: Callable[..., Harness], name_key: str) -> None:
    item = {"linkage_id": 1, "asset_type": "url", name_key: "https://ex.test/a", "status": "x"}
    h = harness(constant({"data": {"assets": [item]}}))
    [link] = h.client.list_linkages("cb1")
    assert link.asset_name == "https://ex.test/a"


@pytest.mark.parametrize(
    ("raw", "kind"), [("file", FILE), ("Text", TEXT), ("URL", URL), ("website", "website")]
)
def test_asset_type_alias_and_case(harness: Callable[..., Harness], raw: str, kind: str) -> None:
    item = {"linkage_id": "3", "asset_id": "9", "type": raw, "name": "n", "status": "ready"}
    h = harness(constant({"data": {"items": [item]}}))
    [link] = h.client.list_linkages("cb1")
    assert (link.linkage_id, link.asset_id, link.asset_type) == (3, 9, kind)


# --- statuses -------------------------------------------------------

PENDING_RAW = ["uploaded", "Processing", "pending", "queued", "linked", "crawling", "running"]
READY_RAW = ["Active", "completed", "complete", "READY", "success", "done", "trained"]
FAILED_RAW = ["failed", "fail", "Error", "errored"]


@pytest.mark.parametrize(
    ("raw", "state"),
    [(r, PENDING) for r in [*PENDING_RAW, "in_progress"]]
    + [(r, READY) for r in READY_RAW]
    + [(r, FAILED) for r in FAILED_RAW]
    + [("Mystery-State", PENDING), ("", PENDING)],
)
def test_status_strings_map_to_states(
    harness: Callable[..., Harness], raw: str, state: str
) -> None:
    h = harness(constant({"data": {"items": [{**LINK, "status": raw}]}}))
    [link] = h.client.list_linkages("cb1")
    assert (link.state, link.raw_status) == (state, raw)


# --- agents -------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"message": "Chatbot created successfully", "data": "cb-new"},
        {"message": "ok", "data": {"chatbot_id": "cb-new"}},
        {"chatbot_id": "cb-new"},
    ],
)
def test_create_agent_answers(harness: Callable[..., Harness], body: Any) -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        return reply(body) if request.method == "POST" else reply({"data": []})

    h = harness(serve)
    assert h.client.create_agent({"name": "N", "description": "d"}) == "cb-new"
    assert h.body(h.requests.index(next(r for r in h.requests if r.method == "POST"))) == {
        "name": "N",
        "description": "d",
        "language": "en",
    }


def test_update_agent_sends_only_profile_fields(harness: Callable[..., Harness]) -> None:
    h = harness(constant({"message": "ok", "data": AGENT}))
    h.client.update_agent("cb1", {"description": "new", "bogus": 1})
    assert h.requests[0].method == "PUT"
    assert h.requests[0].url.path == "/v1/ai-agent/chatbot/7/cb1"
    assert h.body() == {"description": "new"}


# --- settings, persona -------------------------------------------------------

SETTINGS = {
    "system_prompt_text": "Be nice.",
    "llm_api_key": "provider-secret",
    "temperature": "0.5",
    "thinking_mode": "1",
    "chunk_size": 800,
    "chunk_overlap": None,
    "tone": "friendly",
    "enable_chatbot_memory": True,
}


@pytest.mark.parametrize("envelope", [True, False])
def test_settings_read_native_and_without_secret(
    harness: Callable[..., Harness], envelope: bool
) -> None:
    h = harness(constant({"message": "ok", "data": SETTINGS} if envelope else SETTINGS))
    settings = h.client.get_settings("cb1")
    assert settings.prompt == "Be nice."
    assert settings.values == {
        "temperature": 0.5,
        "thinking_mode": "1",
        "chunk_size": 800,
        "chunk_overlap": None,
        "tone": "friendly",
        "enable_chatbot_memory": True,
    }


def test_settings_written_in_wire_types(harness: Callable[..., Harness]) -> None:
    h = harness(constant({"message": "ok", "data": SETTINGS}))
    h.client.update_settings(
        "cb1", {"temperature": 0.7, "thinking_mode": 1, "chunk_size": 500, "llm_api_key": "x"}
    )
    assert h.body() == {"temperature": "0.7", "thinking_mode": "1", "chunk_size": 500}
    h.client.update_prompt("cb1", "Be brief.")
    assert h.body() == {"system_prompt_text": "Be brief."}
    assert {r.url.path for r in h.requests} == {"/v1/ai-agent/chatbot_ai_settings/7/cb1"}


def test_persona_is_an_open_flat_map(harness: Callable[..., Harness]) -> None:
    h = harness(constant({"data": {"role": "guide", "age": 3, "nested": {"x": 1}}}))
    assert h.client.get_persona("cb1") == {"role": "guide", "age": 3}
    h.client.update_persona("cb1", {"role": "coach"})
    assert (h.requests[-1].method, h.body()) == ("PUT", {"role": "coach"})


# --- content -------------------------------------------------------


def test_add_text_bare_answer(harness: Callable[..., Harness]) -> None:
    bare = {
        "linkage_id": 4,
        "llm_source": "1",
        "chatbot_id": "cb1",
        "asset_id": 8,
        "status": "Processing",
    }
    h = harness(constant(bare))
    link = h.client.add_text("cb1", "faq.md", "hello")
    assert link[:6] == (4, 8, TEXT, "faq.md", PENDING, "Processing")
    assert h.requests[0].url.path == "/v1/ai-agent/link_content/7"
    assert h.body() == {"chatbot_id": "cb1", "content": "hello", "file_name": "faq.md"}


def test_add_file_enveloped_answer_and_streamed_multipart(
    harness: Callable[..., Harness], tmp_path: Any
) -> None:
    path = tmp_path / "guide.pdf"
    path.write_bytes(b"%PDF-1.4 binary\x00\xff")
    data = {"linkage_id": 6, "chatbot_id": "cb1", "asset_id": 2, "status": "Processing"}
    h = harness(constant({"message": "Chatbot asset linkage initiated.", "data": data}))
    link = h.client.add_file("cb1", "kbsync~guide.pdf", path)
    assert (link.linkage_id, link.asset_type, link.asset_name) == (6, FILE, "kbsync~guide.pdf")
    request = h.requests[0]
    assert request.url.path == "/v1/ai-agent/upload_file/7"
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert b'filename="kbsync~guide.pdf"' in request.content
    assert b"%PDF-1.4 binary\x00\xff" in request.content
    assert b'name="chatbot_id"' in request.content and b'{"source": "kbsync"}' in request.content


@pytest.mark.parametrize(
    "body", [{"delinked": [1, 2]}, {"message": "ok", "data": {"delinked": [1, 2]}}, None]
)
def test_delink_answers(harness: Callable[..., Harness], body: Any) -> None:
    h = harness(lambda request: httpx.Response(200) if body is None else reply(body))
    assert h.client.delink("cb1", [1, 2]) == [1, 2]
    assert h.requests[0].method == "DELETE"
    assert h.body() == {"project_id": "7", "chatbot_id": "cb1", "linkage_ids": [1, 2]}


def test_delink_batches_by_100(harness: Callable[..., Harness]) -> None:
    h = harness(lambda request: reply({"delinked": json.loads(request.content)["linkage_ids"]}))
    ids = list(range(1, 251))
    assert h.client.delink("cb1", ids) == ids
    assert [len(h.body(i)["linkage_ids"]) for i in range(3)] == [100, 100, 50]


# --- websites -------------------------------------------------------

RUN = {
    "run_id": "r1",
    "status": "crawling",
    "start_urls": ["https://ex.test/docs"],
    "pages_found": 9,
    "pages_crawled": 3,
    "pages_failed": 0,
    "started_at": "2026-01-01 00:00:00",
    "finished_at": None,
    "error": None,
}


def test_crawl_body_and_bare_answer(harness: Callable[..., Harness]) -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return reply(
                {"run_id": "r9", "status": "crawling", "started_at": "2026-01-01 00:00:01"}
            )
        return reply({"data": []})

    h = harness(serve)
    site = DesiredSite(
        "site:x", "https://ex.test/docs", max_pages=5, include=("https://ex.test/docs/*",)
    )
    run = h.client.crawl("cb1", site)
    assert (run.run_id, run.state, run.start_urls) == ("r9", PENDING, ("https://ex.test/docs",))
    post = next(r for r in h.requests if r.method == "POST")
    assert post.url.path == "/v1/ai-agent/crawl_website"
    body = json.loads(post.content)
    assert body == {
        "project_id": "7",
        "chatbot_id": "cb1",
        "start_urls": [{"url": "https://ex.test/docs"}],
        "include_urls": ["https://ex.test/docs/*"],
        "exclude_urls": [],
        "use_sitemap": "0",
        "is_main_website": False,
        "max_crawl_pages": 5,
    }


@pytest.mark.parametrize("body", [{"data": [RUN]}, [RUN], {"data": {"items": [RUN]}}])
def test_crawl_runs_variants(harness: Callable[..., Harness], body: Any) -> None:
    h = harness(constant(body))
    [run] = h.client.crawl_runs("cb1", run_id="r1")
    assert run == run._replace(run_id="r1", state=PENDING, pages_found=9, pages_crawled=3)
    assert run.start_urls == ("https://ex.test/docs",)
    assert h.requests[0].url.params["run_id"] == "r1"


# --- chat, project, limits -------------------------------------------------------


def test_chat(harness: Callable[..., Harness]) -> None:
    h = harness(constant({"answer": "42", "session_id": "s1"}))
    assert h.client.chat("cb1", "meaning?", session_id="s1") == "42"
    assert h.body()["user_context"]["session_id"] == "s1"
    assert h.body()["pid"] == "7"


def test_project_and_limits(harness: Callable[..., Harness]) -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/projects/7":
            return reply({"message": "ok", "data": {"id": 7, "name": "P", "meta": {}}})
        return reply(
            {"data": {"max_files": 100, "used_files": 3, "plan": "pro", "max_links": True}}
        )

    h = harness(serve)
    assert h.client.get_project() == {"id": 7, "name": "P"}
    assert h.client.account_limits() == {"max_files": 100, "used_files": 3}


def test_limits_unavailable_is_empty(harness: Callable[..., Harness]) -> None:
    h = harness(lambda request: reply({"message": "nope", "error": {"code": "NOT_FOUND"}}, 404))
    assert h.client.account_limits() == {}


# --- numbers JSON should not carry (NaN, Infinity, 1e400) are skipped, never a crash ------------


def raw(text: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(200, text=text)


@pytest.mark.parametrize("odd", ["Infinity", "-Infinity", "NaN", "1e400"])
def test_non_finite_limits_are_skipped(harness: Callable[..., Harness], odd: str) -> None:
    h = harness(raw(f'{{"data": {{"max_files": {odd}, "used_files": 3}}}}'))
    assert h.client.account_limits() == {"used_files": 3}


@pytest.mark.parametrize("odd", ["Infinity", "NaN", "1e400"])
def test_non_finite_settings_persona_project_and_profile_values_are_skipped(
    harness: Callable[..., Harness], odd: str
) -> None:
    h = harness(raw(f'{{"data": {{"temperature": {odd}, "chunk_size": {odd}, "tone": "x"}}}}'))
    assert h.client.get_settings("cb1").values == {"tone": "x"}
    assert h.client.get_persona("cb1") == {"tone": "x"}
    assert h.client.get_project() == {"tone": "x"}
    agents = f'{{"data": [{{"chatbot_id": "cb1", "name": "A", "language": {odd}}}]}}'
    h = harness(raw(agents))
    assert h.client.list_agents()[0].profile == {"name": "A"}


@pytest.mark.parametrize("odd", ["inf", "-Infinity", "nan"])
def test_a_non_finite_temperature_string_stays_a_string(
    harness: Callable[..., Harness], odd: str
) -> None:
    h = harness(constant({"data": {"temperature": odd}}))
    assert h.client.get_settings("cb1").values == {"temperature": odd}


@pytest.mark.parametrize("odd", ["²", "١٢", "9" * 5000])
def test_digit_strings_int_cannot_read_are_not_ids(
    harness: Callable[..., Harness], odd: str
) -> None:
    h = harness(constant({"data": {"items": [{**LINK, "linkage_id": odd}]}}))
    with pytest.raises(ShapeError, match="integer linkage_id"):
        h.client.list_linkages("cb1")


# --- unknown shapes -------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "body", "keys"),
    [
        (
            lambda c: c.list_agents(),
            {"message": "ok", "data": {"rows": [], "secret": "VALUE-LEAK"}},
            "data, message",
        ),
        (lambda c: c.list_linkages("cb1"), {"data": {"items": [{"asset_name": "x"}]}}, "data"),
        (lambda c: c.get_settings("cb1"), {"data": ["x"]}, "data"),
        (lambda c: c.add_text("cb1", "n", "c"), {"ok": True, "id": "VALUE-LEAK"}, "id, ok"),
        (lambda c: c.chat("cb1", "q"), {"reply": "VALUE-LEAK"}, "reply"),
    ],
)
def test_unknown_shape_names_endpoint_status_and_keys(
    harness: Callable[..., Harness], call: Callable[[Any], Any], body: Any, keys: str
) -> None:
    h = harness(constant(body, 200))
    with pytest.raises(ShapeError) as caught:
        call(h.client)
    message = str(caught.value)
    assert caught.value.status == 200
    method, template = caught.value.endpoint.split()
    assert method in ("GET", "POST")
    # the message names the request as sent: the ids filled in, not the template
    assert f"{method} {template.format(pid=7, cid='cb1')} (HTTP 200)" in message
    assert f"top-level keys: {keys}" in message
    assert "VALUE-LEAK" not in message and "secret" not in message


def test_top_level_array_where_an_object_is_expected(harness: Callable[..., Harness]) -> None:
    h = harness(constant([1, 2]))
    with pytest.raises(ShapeError, match=r"GET /v1/ai-agent/persona/7/cb1 \(HTTP 200\).*array"):
        h.client.get_persona("cb1")


class _ChunkCounter(httpx.BaseTransport):
    """Consumes the request body as a server would, recording each chunk's size."""

    def __init__(self) -> None:
        self.chunk_sizes: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        self.chunk_sizes.extend(len(chunk) for chunk in request.stream)
        return reply({"data": {"linkage_id": 1, "status": "Processing"}})


def test_add_file_streams_from_disk_in_chunks(tmp_path: Any) -> None:
    path = tmp_path / "big.pdf"
    path.write_bytes(b"%PDF" + b"x" * (10 * 1024 * 1024 - 4))
    transport = _ChunkCounter()
    with RobofyClient("k-123", 1, "https://r.test", transport=transport) as client:
        client.add_file("cb1", "big.pdf", path)
    assert sum(transport.chunk_sizes) > 10 * 1024 * 1024
    assert max(transport.chunk_sizes) <= 1024 * 1024  # never the whole file in one piece
