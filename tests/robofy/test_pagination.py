"""Pagination: every page is read, a repeated token or an endless server is an error."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import httpx
import pytest

from kbsync.errors import ShapeError
from tests.robofy.conftest import Harness, reply


def _link(i: int) -> dict[str, object]:
    return {"linkage_id": i, "asset_type": "text", "asset_name": f"t{i}", "status": "Active"}


def test_reads_every_page_passing_each_token(harness: Callable[..., Harness]) -> None:
    pages = {None: ([1, 2], "p2"), "p2": ([3, 4], "p3"), "p3": ([5], None)}

    def serve(request: httpx.Request) -> httpx.Response:
        ids, token = pages[request.url.params.get("nextPageToken")]
        return reply({"data": {"items": [_link(i) for i in ids], "next_page_token": token}})

    h = harness(serve)
    assert [link.linkage_id for link in h.client.list_linkages("cb1")] == [1, 2, 3, 4, 5]
    assert [r.url.params.get("nextPageToken") for r in h.requests] == [None, "p2", "p3"]
    assert all(r.url.params["limit"] == "200" for r in h.requests)


def test_repeated_token_stops_with_an_error(harness: Callable[..., Harness]) -> None:
    tokens = iter(["a", "b", "a", "c"])
    h = harness(lambda request: reply({"data": {"items": [], "next_page_token": next(tokens)}}))
    with pytest.raises(ShapeError, match=r"GET /v1/ai-agent/chatbot/\{pid\} repeated a page token"):
        h.client.list_agents()
    assert len(h.requests) == 3


def test_endless_pages_are_capped(harness: Callable[..., Harness]) -> None:
    counter = itertools.count()
    h = harness(
        lambda request: reply({"data": [], "next_page_token": f"t{next(counter)}"}),
        max_pages=25,
    )
    with pytest.raises(ShapeError, match="more than 25 pages"):
        h.client.crawl_runs("cb1")
    assert len(h.requests) == 25


def _endless_unique(size: int) -> Callable[[httpx.Request], httpx.Response]:
    """Every page has new items (so no token repeats) and ``size`` bytes of padding each."""
    counter = itertools.count()

    def serve(request: httpx.Request) -> httpx.Response:
        n = next(counter)
        items = [
            {**_link(n * 200 + i), "asset_name": f"t{n}-{i}-" + "x" * size} for i in range(200)
        ]
        return reply({"data": {"items": items, "next_page_token": f"t{n}"}})

    return serve


def test_an_endless_list_of_unique_items_stops_at_the_item_bound(
    harness: Callable[..., Harness],
) -> None:
    h = harness(_endless_unique(0), max_list_items=1_000)
    with pytest.raises(ShapeError, match=r"listed more than 1,000 items \(1,200 items so far\)"):
        h.client.list_linkages("cb1")
    assert len(h.requests) == 6  # far below the page cap


def test_an_endless_list_of_big_items_stops_at_the_byte_bound(
    harness: Callable[..., Harness],
) -> None:
    h = harness(_endless_unique(5_000), max_list_bytes=5 * 1024 * 1024)  # 1 MB a page
    with pytest.raises(ShapeError, match=r"listed more than 5 MB of answers"):
        h.client.list_linkages("cb1")
    assert len(h.requests) == 6
