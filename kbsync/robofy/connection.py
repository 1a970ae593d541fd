"""The httpx client a RobofyClient sends through, and the checks before it is built.

An API key fit for a header, a base URL a request can go to (plain http only to this
machine or an in-process app), and one httpx client with the key, no redirects and the
network's proxies and CA bundles. Nothing here knows Robofy's JSON.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from urllib.parse import SplitResult, urlsplit

import httpx

from kbsync.apikey import normalise_key
from kbsync.errors import ConfigError
from kbsync.robofy import contract as c
from kbsync.robofy.network import network_transports

_HEADER_SAFE = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces
_UNSAFE_IN_URL = re.compile(r"[\s\x00-\x1f\x7f]")


def _checked_key(api_key: str) -> str:
    api_key = normalise_key(api_key)
    if not _HEADER_SAFE.match(api_key):
        raise ConfigError("ROBOFY_API_KEY is empty or contains spaces or non-ASCII characters")
    return api_key


def _http_client(
    base_url: str,
    api_key: str,
    transport: httpx.BaseTransport | None,
    timeout: float,
    parallelism: int,
    env: Mapping[str, str],
) -> httpx.Client:
    pool = max(1, parallelism)
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
    mounts: dict[str, httpx.BaseTransport | None] = {}
    if transport is None:  # the network: proxies and CA bundles from the environment;
        # one connection per worker, not one shared pool the workers contend for
        transport, mounts = network_transports(env, pool, base_url)
    return httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
        transport=transport,
        mounts=mounts,
        timeout=timeout,
        follow_redirects=False,  # a redirect is an error (sender), never followed
        limits=limits,
    )


def _checked_base_url(base_url: str, *, in_process: bool) -> str:
    parts = _url_parts(base_url.strip())
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"The Robofy base URL must be an http(s) URL such as {c.DEFAULT_BASE_URL}, "
            f"not {base_url!r} (from --base-url or ROBOFY_BASE_URL)"
        )
    if parts.scheme == "http" and not (in_process or _is_loopback(parts.hostname)):
        raise ConfigError(
            f"refusing to send the API key over plain http to {parts.hostname}; use https "
            "(the base URL comes from --base-url or ROBOFY_BASE_URL)"
        )
    return base_url.strip().rstrip("/")


def _url_parts(url: str) -> SplitResult | None:
    """The parts of a base URL, or None for one no request could be sent to: a space or a
    control character, a bad port or IPv6 literal, a host name IDNA cannot encode."""
    if _UNSAFE_IN_URL.search(url):
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port  # ValueError for a port out of range
        (parts.hostname or "").encode("idna")  # UnicodeError for a label over 63 characters
        httpx.URL(url)  # InvalidURL for what httpx itself refuses
    except (ValueError, UnicodeError, httpx.InvalidURL):
        return None
    return parts


def _in_process(transport: httpx.BaseTransport | None) -> bool:
    """A transport the caller built that is not httpx's network one (the sandbox's
    WSGITransport, a test's MockTransport): the request never leaves the process."""
    return transport is not None and not isinstance(transport, httpx.HTTPTransport)


def _is_loopback(host: str) -> bool:
    """This machine: localhost, 127.0.0.0/8, ::1. Plain http there crosses no network."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
