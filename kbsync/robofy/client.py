"""RobofyClient: the RobofyApi protocol over httpx.

Routes and shapes come from ``contract`` (the one file that knows Robofy's JSON),
sending and retrying from ``sender``, and the resolution of POSTs whose outcome
is unknown from ``uncertain``. Thread-safe: the executor calls it from a pool.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from kbsync.errors import ConfigError, NotFoundError, ShapeError
from kbsync.model import (
    FILE,
    TEXT,
    CrawlRun,
    DesiredSite,
    RemoteAgent,
    RemoteLinkage,
    RemoteSettings,
    Scalar,
)
from kbsync.robofy import contract as c
from kbsync.robofy import uncertain
from kbsync.robofy.network import network_transports
from kbsync.robofy.sender import Pacer, Request, RetryPolicy, Sender, Upload

log = logging.getLogger("kbsync.robofy")

MAX_PAGES = 10_000  # an endless server must not hang us
_HEADER_SAFE = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces


class RobofyClient:
    """Talks to one Robofy project. Never shows its API key (not even in repr)."""

    def __init__(
        self,
        api_key: str,
        project_id: int,
        base_url: str = c.DEFAULT_BASE_URL,
        *,
        transport: httpx.BaseTransport | None = None,
        parallelism: int = 8,
        timeout: float = 30.0,
        max_retries: int = 6,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        max_pages: int = MAX_PAGES,
        env: Mapping[str, str] | None = None,
    ) -> None:
        api_key = _checked_key(api_key)
        self.project_id = project_id
        self.base_url = _checked_base_url(base_url, in_process=_in_process(transport))
        self._max_pages = max_pages
        self._seen_links = _SeenLinks()
        network = os.environ if env is None else env  # proxies and CA bundles
        self._http = _http_client(self.base_url, api_key, transport, timeout, parallelism, network)
        policy = RetryPolicy(max_retries=max_retries, answer_deadline=4 * timeout)
        pacer = Pacer(clock, sleep)
        self._sender = Sender(
            self._http,
            api_key,
            policy=policy,
            pacer=pacer,
            sleep=sleep,
            clock=clock,
            rng=rng or random.Random(),
        )

    def __repr__(self) -> str:
        return f"RobofyClient(project_id={self.project_id}, base_url={self.base_url!r})"

    # --- plumbing ---------------------------------------------------------------------

    def read(
        self, route: c.Route, cid: str = "", params: dict[str, str | int] | None = None
    ) -> c.Answer:
        """One raw GET answer (for `probe`, which describes shapes); only GET routes."""
        if route.method != "GET":
            raise ValueError(f"read() only sends GET requests, not {route.endpoint}")
        return self._send(route, cid, params=params)

    def _send(self, route: c.Route, cid: str = "", **kwargs: Any) -> c.Answer:
        return self._sender.send(Request(route, route.path(self.project_id, cid), **kwargs))

    def _pages(
        self, route: c.Route, what: str, cid: str = "", **params: str | int
    ) -> list[tuple[c.Answer, Any]]:
        """(answer, item) for every item of a paginated list; repeated tokens and endless
        lists are errors."""
        items: list[tuple[c.Answer, Any]] = []
        seen: set[str] = set()
        token: str | None = None
        for _ in range(self._max_pages):
            query: dict[str, str | int] = {c.PAGE_LIMIT_PARAM: c.PAGE_LIMIT, **params}
            if token is not None:
                query[c.PAGE_TOKEN_PARAM] = token
            answer = self._send(route, cid, params=query)
            page, token = c.page_of(answer, what)
            items.extend((answer, item) for item in page)
            if token is None:
                return items
            if token in seen:
                raise ShapeError(
                    f"{route.endpoint} repeated a page token; stopping instead of looping",
                    endpoint=route.endpoint,
                    status=answer.status,
                )
            seen.add(token)
        raise ShapeError(
            f"{route.endpoint} returned more than {self._max_pages} pages; stopping",
            endpoint=route.endpoint,
        )

    # --- agents ------------------------------------------------------------------------

    def list_agents(self) -> list[RemoteAgent]:
        return [c.parse_agent(a, item) for a, item in self._pages(c.LIST_AGENTS, "agents")]

    def create_agent(self, profile: dict[str, Scalar]) -> str:
        body = {**c.CREATE_DEFAULTS, **c.profile_to_wire(profile)}
        name = str(body.get("name", ""))
        send = lambda: c.created_agent_id(self._send(c.CREATE_AGENT, json=body))  # noqa: E731
        return uncertain.create_agent(send, name, self.list_agents)

    def update_agent(self, chatbot_id: str, profile: dict[str, Scalar]) -> None:
        self._send(c.UPDATE_AGENT, chatbot_id, json=c.profile_to_wire(profile))

    # --- prompt, settings, persona -------------------------------------------------------

    def get_settings(self, chatbot_id: str) -> RemoteSettings:
        return c.parse_settings(self._send(c.GET_SETTINGS, chatbot_id))

    def update_prompt(self, chatbot_id: str, prompt: str) -> None:
        self._send(c.UPDATE_SETTINGS, chatbot_id, json=c.prompt_to_wire(prompt))

    def update_settings(self, chatbot_id: str, values: dict[str, Scalar]) -> None:
        self._send(c.UPDATE_SETTINGS, chatbot_id, json=c.settings_to_wire(values))

    def get_persona(self, chatbot_id: str) -> dict[str, Scalar]:
        return c.flat_scalars(self._send(c.GET_PERSONA, chatbot_id), "a persona object")

    def update_persona(self, chatbot_id: str, values: dict[str, Scalar]) -> None:
        self._send(c.UPDATE_PERSONA, chatbot_id, json=dict(values))

    # --- linked assets --------------------------------------------------------------------

    def list_linkages(self, chatbot_id: str) -> list[RemoteLinkage]:
        pages = self._pages(c.LIST_LINKAGES, "linked assets", chatbot_id)
        links = [c.parse_linkage(a, item) for a, item in pages]
        self._seen_links.note(chatbot_id, [link.linkage_id for link in links])
        return links

    def add_text(self, chatbot_id: str, file_name: str, content: str) -> RemoteLinkage:
        body = c.text_body(self.project_id, chatbot_id, file_name, content)

        def post() -> RemoteLinkage:
            return c.added_linkage(self._send(c.ADD_TEXT, json=body), TEXT, file_name)

        return self._add(chatbot_id, file_name, post)

    def add_file(self, chatbot_id: str, file_name: str, path: Path) -> RemoteLinkage:
        upload = Upload(c.FILE_FIELD, file_name, path, c.file_form(chatbot_id))

        def post() -> RemoteLinkage:
            return c.added_linkage(self._send(c.ADD_FILE, upload=upload), FILE, file_name)

        return self._add(chatbot_id, file_name, post)

    def _add(
        self, chatbot_id: str, file_name: str, post: Callable[[], RemoteLinkage]
    ) -> RemoteLinkage:
        link = uncertain.add_asset(
            post,
            file_name,
            lambda: self.list_linkages(chatbot_id),
            lambda: self._seen_links.of(chatbot_id),
        )
        self._seen_links.note(chatbot_id, [link.linkage_id])
        return link

    def delink(self, chatbot_id: str, linkage_ids: list[int]) -> list[int]:
        """Delink in batches; ids already gone count as delinked (idempotent)."""
        done: list[int] = []
        for start in range(0, len(linkage_ids), c.DELINK_BATCH):
            done.extend(self._delink_batch(chatbot_id, linkage_ids[start : start + c.DELINK_BATCH]))
        return done

    def _delink_batch(self, chatbot_id: str, ids: list[int]) -> list[int]:
        wanted = list(ids)
        for _ in range(3):
            if not wanted:
                return list(ids)
            try:
                answer = self._send(
                    c.DELINK, json=c.delink_body(self.project_id, chatbot_id, wanted)
                )
            except NotFoundError as err:
                if err.code != c.ERROR_NOT_FOUND:
                    raise
                # some id is already gone (maybe by our own dropped earlier attempt): re-list
                linked = {link.linkage_id for link in self.list_linkages(chatbot_id)}
                wanted = [i for i in wanted if i in linked]
                continue
            delinked = set(c.delinked_ids(answer, wanted))
            return [i for i in ids if i in delinked or i not in wanted]
        linked = {link.linkage_id for link in self.list_linkages(chatbot_id)}
        return [i for i in ids if i not in linked]

    # --- websites ---------------------------------------------------------------------------

    def crawl(self, chatbot_id: str, site: DesiredSite) -> CrawlRun:
        body = c.crawl_body(self.project_id, chatbot_id, site)
        send = lambda: c.started_crawl(self._send(c.CRAWL, json=body), site)  # noqa: E731
        return uncertain.crawl(send, site.url, lambda: self.crawl_runs(chatbot_id))

    def crawl_runs(self, chatbot_id: str, run_id: str | None = None) -> list[CrawlRun]:
        params = {c.RUN_ID_PARAM: run_id} if run_id else {}
        return [
            c.parse_crawl_run(a, item)
            for a, item in self._pages(c.CRAWL_STATUS, "crawl runs", chatbot_id, **params)
        ]

    # --- chat, account ----------------------------------------------------------------------

    def chat(self, chatbot_id: str, query: str, session_id: str | None = None) -> str:
        body = c.chat_body(self.project_id, chatbot_id, query, session_id)
        return c.chat_answer(self._send(c.CHAT, json=body))

    def list_projects(self) -> list[tuple[int, str]]:
        """(id, name) of every project the key sees (for import without a project id)."""
        return [c.parse_project(a, item) for a, item in self._pages(c.LIST_PROJECTS, "projects")]

    def get_project(self) -> dict[str, Scalar]:
        return c.flat_scalars(self._send(c.GET_PROJECT), "a project object")

    def account_limits(self) -> dict[str, int]:
        try:
            return c.parse_limits(self._send(c.ACCOUNT_LIMIT))
        except NotFoundError:
            return {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RobofyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _SeenLinks:
    """Linkage ids this client has seen per agent: each existed before any later send."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: dict[str, set[int]] = {}

    def note(self, chatbot_id: str, ids: list[int]) -> None:
        with self._lock:
            self._ids.setdefault(chatbot_id, set()).update(ids)

    def of(self, chatbot_id: str) -> set[int]:
        with self._lock:
            return set(self._ids.get(chatbot_id, ()))


def _checked_key(api_key: str) -> str:
    api_key = api_key.strip()
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
    if transport is None:  # the network: proxies and CA bundles from the environment
        transport, mounts = network_transports(env, limits)
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
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
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


def client_from_env(
    env: Mapping[str, str],
    project_id: int,
    *,
    base_url: str | None = None,
    parallelism: int = 8,
) -> RobofyClient:
    """A client from ROBOFY_API_KEY / ROBOFY_BASE_URL; the option beats the variable."""
    key = env.get("ROBOFY_API_KEY", "").strip()
    if not key:
        raise ConfigError(
            "ROBOFY_API_KEY is not set: export your Robofy API key "
            "(or use --sandbox to run against the local emulator)"
        )
    url = base_url or env.get("ROBOFY_BASE_URL", "").strip() or c.DEFAULT_BASE_URL
    return RobofyClient(key, project_id, url, parallelism=parallelism, env=env)
