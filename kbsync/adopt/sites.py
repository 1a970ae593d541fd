"""Group crawled page URLs into manifest websites for `kbsync import`. Pure.

Pages are grouped by origin (scheme + host + port). A group's start URL is the
folder all its pages share (or a crawl's start URL when that one covers them all),
so every page is in the site's scope; its ``include`` rules name, per child of that
folder, either the sub-folder (``.../guide/*``) or the exact page, which reproduces
the current set of pages. ``max_pages`` is the number of pages linked now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

from kbsync.manifest.urls import normalize_url

# more include rules than this say less than the start URL's scope alone
MAX_INCLUDE_RULES = 25


class ImportedSite(NamedTuple):
    url: str  # normalized start URL
    include: tuple[str, ...]  # () = the whole scope of the start URL
    pages: int  # pages linked now


def group_sites(page_urls: Iterable[str], start_urls: Sequence[str] = ()) -> list[ImportedSite]:
    """One site per origin, sorted by URL; URLs that are not http(s) are left out."""
    by_origin: dict[str, list[str]] = {}
    for url in sorted(set(_normalized(page_urls))):
        by_origin.setdefault(_origin(url), []).append(url)
    starts = list(_normalized(start_urls))
    return [_site(pages, starts) for _, pages in sorted(by_origin.items())]


def _site(pages: list[str], starts: list[str]) -> ImportedSite:
    scope = _common_folder(pages)
    start = next((s for s in starts if _covers(s, pages)), scope)
    rules = _include_rules(scope_of(start), pages)
    include = tuple(rules) if len(rules) <= MAX_INCLUDE_RULES else ()
    return ImportedSite(start, include, len(pages))


def scope_of(start_url: str) -> str:
    """The folder of a start URL (what kbsync.manifest.urls calls a site's scope)."""
    parts = urlsplit(start_url)
    folder = parts.path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, folder, "", ""))


def _covers(start_url: str, pages: Sequence[str]) -> bool:
    scope = scope_of(start_url)
    return all(p.startswith(scope) for p in pages)


def _common_folder(pages: Sequence[str]) -> str:
    folders = [scope_of(p) for p in pages]
    common = folders[0]
    for folder in folders[1:]:
        while not folder.startswith(common):
            common = scope_of(common[:-1])  # one folder up
    return common


def _include_rules(scope: str, pages: Sequence[str]) -> list[str]:
    """Per direct child of the scope: its folder as ``prefix*``, or the page itself."""
    rules: list[str] = []
    for page in pages:
        rest = page[len(scope) :]
        head, slash, _ = rest.partition("/")
        rule = f"{scope}{head}/*" if slash and "?" not in head else page
        if rule not in rules:
            rules.append(rule)
    return sorted(rules)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


def _normalized(urls: Iterable[str]) -> Iterable[str]:
    for url in urls:
        try:
            yield normalize_url(url)
        except ValueError:
            continue
