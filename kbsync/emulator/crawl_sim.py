"""``simulate`` mode: a deterministic generated site per start URL (seeded from the URL).

Each page links to 3 to 5 children (and back to the site's root) down to ``SITE_DEPTH``
levels below the start page, so a site has at most 1 + 5 + 25 + 125 pages. Page URLs are
folders under the start URL's folder, e.g. https://example.com/docs/ -> .../docs/pricing/.
"""

from __future__ import annotations

import hashlib
import random
from urllib.parse import urlsplit, urlunsplit

from kbsync.emulator.crawl_rules import CrawledPage, CrawlRules, Visit, crawl

SITE_DEPTH = 3
WORDS = [
    "getting-started",
    "guides",
    "pricing",
    "faq",
    "blog",
    "api",
    "install",
    "billing",
    "security",
    "support",
    "account",
    "integrations",
    "changelog",
    "tutorials",
    "reference",
    "shipping",
    "returns",
    "contact",
    "about",
    "careers",
    "privacy",
    "terms",
    "features",
    "teams",
    "enterprise",
    "webhooks",
    "limits",
    "errors",
]


def _folder(url: str) -> str:
    """https://a.example/docs/index.html?x=1 -> https://a.example/docs/ (children go there)."""
    parts = urlsplit(url)
    folder = (parts.path or "/").rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, folder, "", ""))


def _title(url: str) -> str:
    slug = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or "home"
    return slug.replace("-", " ").capitalize()


def page_text(url: str) -> str:
    """The generated page's readable text (what chat could answer from)."""
    title = _title(url)
    host = urlsplit(url).hostname or "the site"
    return (
        f"{title}. This page of {host} explains {title.lower()} in detail. "
        f"Read it to learn everything about {title.lower()}."
    )


class SimSite:
    """Generated pages, remembering each page's level in its site."""

    def __init__(self, start_urls: tuple[str, ...]) -> None:
        self._level = {url: 0 for url in start_urls}
        self._root = {url: url for url in start_urls}

    def visit(self, url: str, depth: int) -> Visit:
        level = self._level.get(url, 0)
        root = self._root.get(url, url)
        children: tuple[str, ...] = ()
        if level < SITE_DEPTH:
            rng = random.Random(hashlib.sha256(url.encode()).digest())
            slugs = rng.sample(WORDS, rng.randint(3, 5))
            children = tuple(_folder(url) + slug + "/" for slug in slugs)
        for child in children:
            self._level.setdefault(child, level + 1)
            self._root.setdefault(child, root)
        text = page_text(url)
        return Visit(True, (*children, root), text, text.encode())


def plan(rules: CrawlRules) -> list[CrawledPage]:
    """Every page a simulated crawl stores, in crawl order."""
    return list(crawl(rules, SimSite(rules.start_urls).visit))
