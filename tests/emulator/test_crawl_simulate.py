"""Simulated crawls over the manual emulator clock (pace EMULATOR_TEST_PACE pages/second)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kbsync.emulator import EmulatorApp
from tests.conftest import EMULATOR_TEST_PACE
from tests.emulator.helpers import A, assert_error, create_agent, data_of, linkages

SITE = "https://docs.example.com/guide/"
Http = tuple[httpx.Client, EmulatorApp]


def start(client: httpx.Client, cid: str, **options: Any) -> dict[str, Any]:
    body = {"project_id": "1", "chatbot_id": cid, "start_urls": [{"url": SITE}], **options}
    response = client.post(f"{A}/crawl_website", json=body)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


def runs(client: httpx.Client, cid: str, **params: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = data_of(client.get(f"{A}/crawl_status/1/{cid}", params=params))
    return listed


def page_urls(client: httpx.Client, cid: str) -> list[str]:
    return [x["asset_name"] for x in linkages(client, cid) if x["asset_type"] == "url"]


def seconds_for(pages: int) -> float:
    return pages / EMULATOR_TEST_PACE


def test_crawl_progresses_with_the_clock(
    emulator_client: httpx.Client, emulator_app: EmulatorApp
) -> None:
    cid = create_agent(emulator_client)
    started = start(emulator_client, cid, max_crawl_pages=10)
    assert set(started) == {"run_id", "status", "started_at"}
    assert (started["status"], started["started_at"]) == ("crawling", "2026-01-01 00:00:00")
    (run,) = runs(emulator_client, cid)
    assert (run["status"], run["pages_crawled"], run["finished_at"]) == ("crawling", 0, None)
    emulator_app.advance_clock(seconds_for(4))
    (run,) = runs(emulator_client, cid)
    assert (run["status"], run["pages_crawled"]) == ("crawling", 4)
    assert len(page_urls(emulator_client, cid)) == 4
    emulator_app.advance_clock(seconds_for(100))
    (run,) = runs(emulator_client, cid)
    assert (run["status"], run["pages_crawled"], run["pages_failed"]) == ("completed", 10, 0)
    assert run["pages_found"] >= 10 and run["finished_at"] is not None
    assert run["start_urls"] == [SITE]
    urls = page_urls(emulator_client, cid)
    assert urls[0] == SITE and len(set(urls)) == 10
    assert all(url.startswith(SITE) for url in urls)
    assert all(x["status"] == "Active" for x in linkages(emulator_client, cid))


def test_same_url_gives_the_same_site(
    emulator_client: httpx.Client, emulator_app: EmulatorApp
) -> None:
    first, second = create_agent(emulator_client, "A"), create_agent(emulator_client, "B")
    start(emulator_client, first, max_crawl_pages=30)
    start(emulator_client, second, max_crawl_pages=30)
    emulator_app.advance_clock(seconds_for(30))
    assert page_urls(emulator_client, first) == page_urls(emulator_client, second)


def test_max_depth_zero_crawls_only_the_start_page(
    emulator_client: httpx.Client, emulator_app: EmulatorApp
) -> None:
    cid = create_agent(emulator_client)
    start(emulator_client, cid, max_crawl_depth=0)
    emulator_app.advance_clock(10)
    assert page_urls(emulator_client, cid) == [SITE]


def test_max_depth_one_stops_at_the_children(
    emulator_client: httpx.Client, emulator_app: EmulatorApp
) -> None:
    cid = create_agent(emulator_client)
    start(emulator_client, cid, max_crawl_depth=1, max_crawl_pages=500)
    emulator_app.advance_clock(100)
    urls = page_urls(emulator_client, cid)
    assert 4 <= len(urls) <= 6  # the start page and its 3 to 5 children
    assert all(url.removeprefix(SITE).count("/") <= 1 for url in urls)


def test_include_and_exclude_patterns(
    emulator_client: httpx.Client, emulator_app: EmulatorApp
) -> None:
    cid = create_agent(emulator_client)
    start(emulator_client, cid, max_crawl_pages=500)
    emulator_app.advance_clock(100)
    everything = page_urls(emulator_client, cid)
    section = everything[1]  # the first child folder, e.g. .../guide/pricing/
    other = create_agent(emulator_client, "Filtered")
    start(emulator_client, other, max_crawl_pages=500, include_urls=[section + "*"],
          exclude_urls=[everything[-1], SITE + "nothing*"])  # fmt: skip
    emulator_app.advance_clock(100)
    filtered = page_urls(emulator_client, other)
    expected = [u for u in everything if u.startswith(section) and u != everything[-1]]
    assert filtered == expected and len(filtered) > 1


def test_excluded_page_is_not_followed(
    emulator_client: httpx.Client, emulator_app: EmulatorApp
) -> None:
    cid = create_agent(emulator_client)
    start(emulator_client, cid, max_crawl_pages=500)
    emulator_app.advance_clock(100)
    section = page_urls(emulator_client, cid)[1]
    other = create_agent(emulator_client, "Excluding")
    start(emulator_client, other, max_crawl_pages=500, exclude_urls=[section])
    emulator_app.advance_clock(100)
    assert not any(url.startswith(section) for url in page_urls(emulator_client, other))


def test_recrawl_replaces_page_linkages(
    emulator_client: httpx.Client, emulator_app: EmulatorApp
) -> None:
    cid = create_agent(emulator_client)
    start(emulator_client, cid, max_crawl_pages=6)
    emulator_app.advance_clock(10)
    before = linkages(emulator_client, cid)
    emulator_app.advance_clock(60)
    start(emulator_client, cid, max_crawl_pages=8)
    emulator_app.advance_clock(10)
    after = linkages(emulator_client, cid)
    urls = [x["asset_name"] for x in after]
    assert len(urls) == len(set(urls)) == 8
    assert not {x["linkage_id"] for x in before} & {x["linkage_id"] for x in after}
    state = emulator_app.state()
    assert sum(not x["linked"] for x in state["linkages"]) == 6
    newest, oldest = runs(emulator_client, cid)
    assert (newest["pages_crawled"], oldest["pages_crawled"]) == (8, 6)
    assert newest["started_at"] == "2026-01-01 00:01:10"


def test_crawl_status_by_run_id(emulator_client: httpx.Client, emulator_app: EmulatorApp) -> None:
    cid = create_agent(emulator_client)
    first = start(emulator_client, cid, max_crawl_pages=2)["run_id"]
    second = start(emulator_client, cid, max_crawl_pages=3)["run_id"]
    assert [run["run_id"] for run in runs(emulator_client, cid)] == [second, first]
    assert [run["run_id"] for run in runs(emulator_client, cid, run_id=first)] == [first]
    missing = emulator_client.get(f"{A}/crawl_status/1/{cid}", params={"run_id": "run_nope"})
    assert_error(missing, 404, "NOT_FOUND")


def test_crawl_of_a_deleted_agent_fails(
    emulator_client: httpx.Client, emulator_app: EmulatorApp
) -> None:
    cid = create_agent(emulator_client)
    start(emulator_client, cid, max_crawl_pages=5)
    emulator_client.delete(f"{A}/chatbot/1/{cid}")
    emulator_app.advance_clock(10)
    (run,) = emulator_app.state()["crawl_runs"]
    assert run["status"] == "failed" and run["error"]


@pytest.mark.parametrize(
    "change",
    [
        {"start_urls": []},
        {"start_urls": [{"url": "ftp://x/"}]},
        {"start_urls": ["https://x/"]},
        {"start_urls": "https://x/"},
        {"max_crawl_pages": 0},
        {"max_crawl_pages": "5"},
        {"max_crawl_depth": -1},
        {"include_urls": "https://x/*"},
        {"exclude_urls": [1]},
        {"use_sitemap": "yes"},
        {"is_main_website": "true"},
        {"surprise": 1},
    ],
)
def test_bad_crawl_requests_are_400(emulator_http: Http, change: dict[str, Any]) -> None:
    client, app = emulator_http
    cid = create_agent(client)
    body = {"project_id": "1", "chatbot_id": cid, "start_urls": [{"url": SITE}], **change}
    assert_error(client.post(f"{A}/crawl_website", json=body), 400, "BAD_REQUEST")
    assert app.state()["crawl_runs"] == []


def test_crawl_contract_over_both_transports(emulator_http: Http) -> None:
    client, app = emulator_http
    cid = create_agent(client)
    run_id = start(client, cid, max_crawl_pages=3, use_sitemap="0", is_main_website=True)["run_id"]
    app.advance_clock(1)
    (run,) = runs(client, cid)
    assert run["run_id"] == run_id and run["status"] == "completed"
    assert set(run) >= {
        "run_id", "status", "start_urls", "pages_found", "pages_crawled", "pages_failed",
        "started_at", "finished_at", "error",
    }  # fmt: skip
    body = {"project_id": "1", "chatbot_id": "cb_nope", "start_urls": [{"url": SITE}]}
    assert_error(client.post(f"{A}/crawl_website", json=body), 404, "NOT_FOUND")
    assert_error(client.get(f"{A}/crawl_status/1/cb_nope"), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("start_url", "folder"),
    [
        ("https://bare.example", "https://bare.example/"),
        ("https://a.example/docs/index.html?lang=en", "https://a.example/docs/"),
        ("http://a.example:8080/help/", "http://a.example:8080/help/"),
    ],
)
def test_generated_pages_live_under_the_start_urls_folder(
    emulator_client: httpx.Client, emulator_app: EmulatorApp, start_url: str, folder: str
) -> None:
    cid = create_agent(emulator_client)
    body = {"project_id": "1", "chatbot_id": cid, "start_urls": [{"url": start_url}]}
    emulator_client.post(f"{A}/crawl_website", json={**body, "max_crawl_pages": 12})
    emulator_app.advance_clock(10)
    urls = page_urls(emulator_client, cid)
    assert urls[0] == start_url and len(urls) == 12
    assert all(url.startswith(folder) and url.endswith("/") for url in urls[1:])


def test_several_start_urls_share_one_run(
    emulator_client: httpx.Client, emulator_app: EmulatorApp
) -> None:
    cid = create_agent(emulator_client)
    sites = ["https://one.example/", "https://two.example/"]
    body = {"project_id": "1", "chatbot_id": cid, "start_urls": [{"url": u} for u in sites]}
    emulator_client.post(f"{A}/crawl_website", json={**body, "max_crawl_depth": 1})
    emulator_app.advance_clock(10)
    urls = page_urls(emulator_client, cid)
    assert urls[:2] == sites
    assert {url.split("/")[2] for url in urls} == {"one.example", "two.example"}
    (run,) = runs(emulator_client, cid)
    assert run["start_urls"] == sites and run["pages_crawled"] == len(urls)
