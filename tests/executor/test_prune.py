"""Prune modes against owned, foreign and out-of-scope assets, applied for real."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from kbsync import markers
from kbsync.model import DesiredSite
from tests.executor.helpers import World, agent, desired, marker, site, text

DOCS = "https://docs.acme.example/"
OTHER = "https://other.acme.example/"


class Start(NamedTuple):
    owned_gone: str  # kbsync's asset whose key left the manifest
    foreign: str  # added on the dashboard
    excluded_page: str  # a page of a declared site that its rules now exclude
    kept_pages: list[str]  # pages the declared site still covers
    other_pages: list[str]  # pages of a site the manifest does not declare
    docs: DesiredSite


def _start(world: World) -> Start:
    cid = world.api.create_agent({"name": "Agent support", "language": "en"})
    keep, gone = text("keep", "kept"), text("gone", "left the manifest")
    world.api.add_text(cid, marker(keep), "kept")
    world.api.add_text(cid, marker(gone), "left the manifest")
    world.api.add_text(cid, "notes.txt", "typed in the dashboard")
    world.api.crawl(cid, site(DOCS, max_pages=6))
    world.api.crawl(cid, site(OTHER, max_pages=2))
    world.sleep(60)
    pages = [n for n in world.linked_names() if n.startswith("https://")]
    docs_pages = sorted(p for p in pages if p.startswith(DOCS) and p != DOCS)
    excluded = docs_pages[0]
    return Start(
        owned_gone=marker(gone),
        foreign="notes.txt",
        excluded_page=excluded,
        kept_pages=[p for p in pages if p.startswith(DOCS) and p != excluded],
        other_pages=[p for p in pages if p.startswith(OTHER)],
        docs=site(DOCS, max_pages=6, exclude=(excluded,)),
    )


@pytest.mark.parametrize(
    ("mode", "delinked"),
    [
        ("managed", {"owned_gone", "excluded_page"}),
        ("all", {"owned_gone", "excluded_page", "foreign", "other_pages"}),
        ("none", set()),
    ],
)
def test_prune_modes(world: World, mode: str, delinked: set[str], dialect: str) -> None:
    start = _start(world)
    assert start.other_pages and start.kept_pages
    want = desired(agent(texts=[text("keep", "kept")], sites=[start.docs], prune=mode))

    result = world.apply(want, max_delete="100%")

    assert not result.failed, result
    linked = set(world.linked_names())
    groups = {
        "owned_gone": {start.owned_gone},
        "foreign": {start.foreign},
        "excluded_page": {start.excluded_page},
        "other_pages": set(start.other_pages),
    }
    for group, names in groups.items():
        if group in delinked:
            assert not names & linked, group
        else:
            assert names <= linked, group
    assert set(start.kept_pages) <= linked
    owned = 1 if "owned_gone" in delinked else 2
    assert sum(1 for n in linked if markers.parse(n) is not None) == owned
    assert world.plan(want, max_delete="100%").actions == ()
