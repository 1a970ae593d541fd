"""POSTs whose outcome is unknown are resolved by re-reading, never blindly re-sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from kbsync.errors import NotFoundError, UncertainWriteError
from kbsync.model import DesiredSite
from kbsync.robofy.uncertain import ABSENCE_GRACE, ABSENCE_READS
from tests.robofy.conftest import Harness, error, reply

ABSENT = ["GET"] * ABSENCE_READS  # the reads that prove a write absent before a re-send
PAUSES = [ABSENCE_GRACE / (ABSENCE_READS - 1)] * (ABSENCE_READS - 1)


class FakeLinks:
    """A tiny server side for add_text/add_file: POST failures scripted, linkages listed."""

    def __init__(self, failures: list[str]) -> None:
        self.failures = failures  # per POST: "drop" (commit, then fail), "500", "lost", "ok"
        self.links: list[dict[str, Any]] = [
            {"linkage_id": 1, "asset_type": "text", "asset_name": "other.md", "status": "Active"}
        ]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return reply({"data": {"items": self.links, "next_page_token": None}})
        mode = self.failures.pop(0) if self.failures else "ok"
        if mode == "500":
            return error(500, "INTERNAL_SERVER_ERROR", "try later")  # nothing stored
        if mode == "lost":
            raise httpx.ReadTimeout("timed out")  # nothing stored
        link = self._store(request)
        if mode == "drop":
            raise ConnectionResetError("dropped after commit")
        return reply({"linkage_id": link["linkage_id"], "asset_id": 99, "status": "Processing"})

    def _store(self, request: httpx.Request) -> dict[str, Any]:
        if request.headers["content-type"].startswith("multipart/"):
            name = request.content.split(b'filename="')[1].split(b'"')[0].decode()
        else:
            name = json.loads(request.content)["file_name"]
        link = {
            "linkage_id": len(self.links) + 1,
            "asset_type": "text",
            "asset_name": name,
            "status": "Processing",
            "created_at": "2026-01-01 00:00:00",
        }
        self.links.append(link)
        return link


def test_dropped_after_commit_is_found_not_resent(harness: Callable[..., Harness]) -> None:
    server = FakeLinks(["drop"])
    h = harness(server)
    link = h.client.add_text("cb1", "kb~faq.md", "hello")
    assert (link.linkage_id, link.asset_name) == (2, "kb~faq.md")
    assert [r.method for r in h.requests] == ["POST", "GET"]
    assert [x["asset_name"] for x in server.links].count("kb~faq.md") == 1


@pytest.mark.parametrize("mode", ["500", "lost"])
def test_failed_post_is_resent_only_after_proving_absence(
    harness: Callable[..., Harness], mode: str
) -> None:
    server = FakeLinks([mode])
    h = harness(server)
    link = h.client.add_text("cb1", "kb~faq.md", "hello")
    assert link.linkage_id == 2
    assert [r.method for r in h.requests] == ["POST", *ABSENT, "POST"]
    assert h.sleeps == PAUSES  # only the patient re-reads wait: no blind backoff-and-resend


def test_post_500_that_did_commit_is_found(harness: Callable[..., Harness]) -> None:
    """A 5xx after the write committed: the re-read finds it."""
    server = FakeLinks([])

    def serve(request: httpx.Request) -> httpx.Response:
        answer = server(request)
        return error(502, "BAD_GATEWAY") if request.method == "POST" else answer

    h = harness(serve)
    assert h.client.add_text("cb1", "kb~a.md", "x").linkage_id == 2
    assert [r.method for r in h.requests] == ["POST", "GET"]


def test_gives_up_after_three_sends(harness: Callable[..., Harness]) -> None:
    h = harness(FakeLinks(["500", "500", "500", "500"]))
    with pytest.raises(UncertainWriteError) as caught:
        h.client.add_text("cb1", "kb~faq.md", "hello")
    assert [r.method for r in h.requests] == ["POST", *ABSENT] * 3
    assert caught.value.endpoint == "POST /v1/ai-agent/link_content/{pid}"
    assert caught.value.status == 500


def test_newest_of_several_same_named_linkages_is_returned(harness: Callable[..., Harness]) -> None:
    server = FakeLinks(["drop"])
    server.links.append(
        {
            "linkage_id": 50,
            "asset_type": "text",
            "asset_name": "kb~faq.md",
            "created_at": "2025-01-01 00:00:00",
        }
    )
    h = harness(server)
    assert h.client.add_text("cb1", "kb~faq.md", "hello").linkage_id == 3


def _with_an_older_failed_copy() -> FakeLinks:
    """The server already holds a failed upload of kb~faq.md, dated later than new ones."""
    server = FakeLinks([])
    old = {"linkage_id": 50, "asset_type": "text", "asset_name": "kb~faq.md", "status": "Failed"}
    server.links.append({**old, "created_at": "2030-01-01 00:00:00"})
    return server


def test_an_older_copy_of_the_name_is_not_taken_for_a_lost_send(
    harness: Callable[..., Harness],
) -> None:
    """The re-read after a 500 that stored nothing must not mistake the old copy for ours."""
    server = _with_an_older_failed_copy()
    server.failures = ["500"]
    h = harness(server)
    h.client.list_linkages("cb1")  # what the inventory does before any apply
    link = h.client.add_text("cb1", "kb~faq.md", "hello")
    assert link.linkage_id == 3 and link.linkage_id != 50
    assert [r.method for r in h.requests] == ["GET", "POST", *ABSENT, "POST"]  # re-uploaded


def test_an_older_copy_of_the_name_is_not_taken_for_a_dropped_send(
    harness: Callable[..., Harness],
) -> None:
    server = _with_an_older_failed_copy()
    server.failures = ["drop"]
    h = harness(server)
    h.client.list_linkages("cb1")
    assert h.client.add_text("cb1", "kb~faq.md", "hello").linkage_id == 3
    assert [r.method for r in h.requests] == ["GET", "POST", "GET"]  # found, not re-sent


def test_a_copy_this_client_added_earlier_is_not_taken_for_a_lost_send(
    harness: Callable[..., Harness],
) -> None:
    server = FakeLinks(["ok", "500"])
    h = harness(server)
    first = h.client.add_text("cb1", "kb~faq.md", "v1")
    second = h.client.add_text("cb1", "kb~faq.md", "v2")
    assert (first.linkage_id, second.linkage_id) == (2, 3)
    assert [r.method for r in h.requests] == ["POST", "POST", *ABSENT, "POST"]


def test_the_no_fault_path_after_an_inventory_is_one_post(harness: Callable[..., Harness]) -> None:
    h = harness(_with_an_older_failed_copy())
    h.client.list_linkages("cb1")
    h.client.add_text("cb1", "kb~faq.md", "hello")
    assert [r.method for r in h.requests] == ["GET", "POST"]


def test_add_file_drop_resolved_and_file_reopened_on_resend(
    harness: Callable[..., Harness], tmp_path: Path
) -> None:
    path = tmp_path / "doc.md"
    path.write_bytes(b"# doc\n" * 1000)
    server = FakeLinks(["lost"])
    h = harness(server)
    link = h.client.add_file("cb1", "kb~doc.md", path)
    assert link.linkage_id == 2
    posts = [r for r in h.requests if r.method == "POST"]
    assert len(posts) == 2 and all(b"# doc\n" * 1000 in r.content for r in posts)


def test_re_read_failing_keeps_the_write_uncertain(harness: Callable[..., Harness]) -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            raise ConnectionResetError("dropped")
        return error(403, "FORBIDDEN", "no")

    h = harness(serve)
    with pytest.raises(UncertainWriteError, match="re-reading to check failed too"):
        h.client.add_text("cb1", "kb~x.md", "x")
    assert [r.method for r in h.requests] == ["POST", "GET"]


# --- crawls ----------------------------------------------------------------------------


def _run(run_id: str, url: str, status: str = "crawling") -> dict[str, Any]:
    return {"run_id": run_id, "status": status, "start_urls": [url], "started_at": "x"}


def _crawl_server(runs: list[dict[str, Any]], modes: list[str]) -> Callable[..., httpx.Response]:
    def serve(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return reply({"data": list(reversed(runs))})
        mode = modes.pop(0) if modes else "ok"
        if mode == "500":
            return error(500, "INTERNAL_SERVER_ERROR")
        runs.append(_run(f"r{len(runs) + 1}", "https://ex.test/docs"))
        if mode == "drop":
            raise ConnectionResetError("dropped after commit")
        return reply({"run_id": runs[-1]["run_id"], "status": "crawling"})

    return serve


SITE = DesiredSite("site:https://ex.test/docs", "https://ex.test/docs")


def test_crawl_drop_finds_the_new_run(harness: Callable[..., Harness]) -> None:
    # an older, finished run of the same site must not be mistaken for ours
    runs = [_run("r1", "https://ex.test/docs", "completed"), _run("r2", "https://other.test")]
    h = harness(_crawl_server(runs, ["drop"]))
    assert h.client.crawl("cb1", SITE).run_id == "r3"
    assert [r.method for r in h.requests] == ["GET", "POST", "GET"]
    assert len(runs) == 3


def test_crawl_500_resends_once_when_no_new_run(harness: Callable[..., Harness]) -> None:
    runs = [_run("r1", "https://ex.test/docs", "completed")]
    h = harness(_crawl_server(runs, ["500"]))
    assert h.client.crawl("cb1", SITE).run_id == "r2"
    assert [r.method for r in h.requests] == ["GET", "POST", *ABSENT, "POST"]


def test_crawl_gives_up_after_two_sends(harness: Callable[..., Harness]) -> None:
    h = harness(_crawl_server([], ["500", "500"]))
    with pytest.raises(UncertainWriteError):
        h.client.crawl("cb1", SITE)
    assert [r.method for r in h.requests] == ["GET", "POST", *ABSENT, "POST", *ABSENT]


# --- agents -------------------------------------------------------------------------------


def _agent_server(agents: list[dict[str, Any]], modes: list[str], copies: int = 1) -> Any:
    def serve(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return reply({"data": {"chatbots": agents}})
        mode = modes.pop(0) if modes else "ok"
        if mode == "500":
            return error(500, "INTERNAL_SERVER_ERROR")
        for _ in range(copies):
            agents.append({"chatbot_id": f"cb{len(agents) + 1}", "name": "Sales"})
        if mode == "drop":
            raise ConnectionResetError("dropped after commit")
        return reply({"message": "Chatbot created successfully", "data": agents[-1]["chatbot_id"]})

    return serve


def test_create_agent_drop_finds_the_one_new_agent(harness: Callable[..., Harness]) -> None:
    agents = [{"chatbot_id": "cb1", "name": "Support"}]
    h = harness(_agent_server(agents, ["drop"]))
    assert h.client.create_agent({"name": "Sales", "language": "en"}) == "cb2"
    assert [r.method for r in h.requests] == ["GET", "POST", "GET"]


def test_create_agent_500_resends_once(harness: Callable[..., Harness]) -> None:
    h = harness(_agent_server([], ["500"]))
    assert h.client.create_agent({"name": "Sales"}) == "cb1"
    assert [r.method for r in h.requests] == ["GET", "POST", *ABSENT, "POST"]


def test_create_agent_ambiguous_new_agents_is_an_error(harness: Callable[..., Harness]) -> None:
    h = harness(_agent_server([], ["drop"], copies=2))
    with pytest.raises(UncertainWriteError, match="2 new agents of that name"):
        h.client.create_agent({"name": "Sales"})
    assert [r.method for r in h.requests] == ["GET", "POST", "GET"]


# --- delink is idempotent ------------------------------------------------------------------


def test_delink_404_relists_and_retries_with_ids_still_linked(
    harness: Callable[..., Harness],
) -> None:
    linked = {1, 2, 3}

    def serve(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            items = [
                {"linkage_id": i, "asset_type": "text", "asset_name": "x"} for i in sorted(linked)
            ]
            return reply({"data": {"items": items}})
        ids = json.loads(request.content)["linkage_ids"]
        if not set(ids) <= linked:
            return error(404, "NOT_FOUND", "linkage 9 is not linked")
        linked.difference_update(ids)
        return reply({"delinked": ids})

    h = harness(serve)
    assert h.client.delink("cb1", [1, 9, 3]) == [1, 9, 3]  # 9 was already gone
    assert linked == {2}
    assert [r.method for r in h.requests] == ["DELETE", "GET", "DELETE"]
    assert h.body(-1)["linkage_ids"] == [1, 3]


def test_delink_of_agent_not_found_is_not_swallowed(harness: Callable[..., Harness]) -> None:
    h = harness(lambda request: error(404, "PROJECT_NOT_FOUND", "no such project"))
    with pytest.raises(NotFoundError, match="PROJECT_NOT_FOUND"):
        h.client.delink("cb1", [1])
