"""Website URL rules shared by sources (normalizing) and the planner (page ownership). Pure."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from kbsync.model import DesiredSite

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNSAFE_IN_URL = re.compile(r"[\s\x00-\x1f\x7f]")


def normalize_written_url(url: str) -> str:
    """``normalize_url`` for a URL someone wrote: whitespace or a control character
    anywhere in it is refused, since a crawler would take the URL as given."""
    found = _UNSAFE_IN_URL.search(url)
    if found:
        what = "a space" if found.group() == " " else f"the character {found.group()!r}"
        raise ValueError(
            f"{url!r} contains {what} at position {found.start() + 1}; "
            "percent-encode it (%20 for a space)"
        )
    return normalize_url(url)


def normalize_url(url: str) -> str:
    """Scheme and host lowercased, default port and fragment dropped.

    Raises ValueError for anything that is not an absolute http(s) URL with a host.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port  # raises ValueError on a bad port
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username or parts.password:
        raise ValueError(f"URL must not carry credentials: {url!r}")
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def matches_pattern(url: str, pattern: str) -> bool:
    """CONTRACT.md: equal, or for a trailing ``*``, starts with the part before it."""
    if pattern.endswith("*"):
        return url.startswith(pattern[:-1])
    return url == pattern


def page_belongs(site: DesiredSite, page_url: str) -> bool:
    """A crawled page belongs to a site when it is under the start URL and passes its rules."""
    try:
        url = normalize_url(page_url)
    except ValueError:
        return False
    if not url.startswith(_scope_prefix(site.url)):
        return False
    if site.include and not any(matches_pattern(url, p) for p in site.include):
        return False
    return not any(matches_pattern(url, p) for p in site.exclude)


def page_in_scope(site: DesiredSite, page_url: str) -> bool:
    """Under the site's start URL, whatever its include/exclude rules say."""
    try:
        return normalize_url(page_url).startswith(_scope_prefix(site.url))
    except ValueError:
        return False


def _scope_prefix(start_url: str) -> str:
    """The folder of the start URL: https://a.example/docs/index.html -> https://a.example/docs/"""
    parts = urlsplit(start_url)
    folder = parts.path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, folder, "", ""))
