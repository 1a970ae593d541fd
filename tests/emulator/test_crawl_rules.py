"""The crawl planner shared by both engines, checked as properties over generated sites."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kbsync.emulator.crawl_rules import CrawlRules, matches_pattern
from kbsync.emulator.crawl_sim import SITE_DEPTH, WORDS, plan

START = "https://site.example/help/"
slugs = st.sampled_from(WORDS)
patterns = st.builds(
    lambda parts, star: START + "".join(p + "/" for p in parts) + ("*" if star else ""),
    st.lists(slugs, min_size=0, max_size=2),
    st.booleans(),
)


def depth_of(url: str) -> int:
    return url.removeprefix(START).count("/")


@settings(max_examples=60, deadline=None)
@given(
    max_pages=st.integers(1, 200),
    max_depth=st.none() | st.integers(0, 4),
    include=st.lists(patterns, max_size=2),
    exclude=st.lists(patterns, max_size=2),
)
def test_planned_pages_obey_every_rule(
    max_pages: int, max_depth: int | None, include: list[str], exclude: list[str]
) -> None:
    rules = CrawlRules((START,), max_pages, max_depth, tuple(include), tuple(exclude))
    pages = plan(rules)
    urls = [page.url for page in pages]
    assert len(urls) == len(set(urls)) <= max_pages
    assert all(page.ok and page.url.startswith(START) for page in pages)
    for url in urls:
        assert not any(matches_pattern(url, p) for p in exclude)
        assert not include or any(matches_pattern(url, p) for p in include)
        assert depth_of(url) <= min(SITE_DEPTH, 99 if max_depth is None else max_depth)
    assert [p.url for p in plan(rules)] == urls  # deterministic
    found = [page.found for page in pages]
    assert found == sorted(found)


def test_breadth_first_order() -> None:
    urls = [page.url for page in plan(CrawlRules((START,), 500, None, (), ()))]
    depths = [depth_of(url) for url in urls]
    assert depths == sorted(depths) and depths[0] == 0 and max(depths) == SITE_DEPTH
    assert 1 + 3 + 9 + 27 <= len(urls) <= 1 + 5 + 25 + 125


def test_pattern_rule() -> None:
    assert matches_pattern("https://a/docs/x", "https://a/docs/*")
    assert matches_pattern("https://a/docs/", "https://a/docs/")
    assert not matches_pattern("https://a/docs", "https://a/docs/*")
    assert not matches_pattern("https://a/docs/x", "https://a/docs/")
