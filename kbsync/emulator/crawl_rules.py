"""The breadth-first crawl both engines share: depth, page limit and include/exclude rules.

Decisions where the contract is silent: start URLs are depth 0 and a page is visited when its
depth <= max_crawl_depth; an excluded page is neither stored nor followed; a page that fails
``include_urls`` is still visited to follow its links but is not stored (so a start URL at a
site's root with ``include_urls: [https://site/docs/*]`` finds the docs); ``max_crawl_pages``
caps the stored pages.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import NamedTuple


class CrawlRules(NamedTuple):
    start_urls: tuple[str, ...]
    max_pages: int
    max_depth: int | None  # None: no limit
    include: tuple[str, ...]
    exclude: tuple[str, ...]


class Visit(NamedTuple):
    """What visiting one page gave: its links, its readable text, its bytes, or a failure."""

    ok: bool
    links: tuple[str, ...] = ()
    text: str = ""
    data: bytes = b""


class CrawledPage(NamedTuple):
    url: str
    ok: bool
    text: str
    data: bytes
    found: int  # distinct pages discovered so far


def matches_pattern(url: str, pattern: str) -> bool:
    """The contract: equal, or for a trailing ``*``, starts with the part before it."""
    if pattern.endswith("*"):
        return url.startswith(pattern[:-1])
    return url == pattern


def _excluded(url: str, rules: CrawlRules) -> bool:
    return any(matches_pattern(url, p) for p in rules.exclude)


def _included(url: str, rules: CrawlRules) -> bool:
    return not rules.include or any(matches_pattern(url, p) for p in rules.include)


def crawl(rules: CrawlRules, visit: Callable[[str, int], Visit]) -> Iterator[CrawledPage]:
    """Yield every page to store (and every failed page), breadth first, until the limits."""
    queue = deque((url, 0) for url in dict.fromkeys(rules.start_urls))
    seen = set(rules.start_urls)
    stored = 0
    while queue and stored < rules.max_pages:
        url, depth = queue.popleft()
        if _excluded(url, rules):
            continue
        result = visit(url, depth)
        if rules.max_depth is None or depth < rules.max_depth:
            for link in result.links:
                if link not in seen:
                    seen.add(link)
                    queue.append((link, depth + 1))
        if not result.ok:
            yield CrawledPage(url, False, "", b"", len(seen))
        elif _included(url, rules):
            stored += 1
            yield CrawledPage(url, True, result.text, result.data, len(seen))
