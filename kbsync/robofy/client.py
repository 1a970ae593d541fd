"""RobofyClient: the RobofyApi protocol over httpx.

Routes and shapes come from ``contract`` (the one file that knows Robofy's JSON),
sending and retrying from ``sender``, and the resolution of POSTs whose outcome
is unknown from ``uncertain``. Thread-safe: the executor calls it from a pool.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Generator, Mapping
from pathlib import Path
from typing import Any

import httpx

from kbsync.apikey import robofy_api_key
from kbsync.conversations import InboxMessage, InboxSession, SessionPage
from kbsync.errors import ConfigError, NotFoundError, RobofyError, ShapeError
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
from kbsync.robofy.connection import _checked_base_url, _checked_key, _http_client, _in_process
from kbsync.robofy.contract import readers as r
from kbsync.robofy.retries import DEFAULT_RATE_LIMIT_BUDGET, Pacer, RetryPolicy
from kbsync.robofy.sender import Request, Sender, Upload
from kbsync.robofy.tallies import _ChatCounter, _ListBounds, _SeenLinks

log = logging.getLogger("kbsync.robofy")

MAX_PAGES = 10_000  # an endless server must not hang us
# ...nor fill memory: a listing stops at this many items or bytes of answers, whichever
# comes first (an agent with 10,000 documents lists well under both)
MAX_LIST_ITEMS = 100_000
MAX_LIST_BYTES = 100 * 1024 * 1024


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
        max_list_items: int = MAX_LIST_ITEMS,
        max_list_bytes: int = MAX_LIST_BYTES,
        rate_limit_budget: float = DEFAULT_RATE_LIMIT_BUDGET,
        absence_grace: float = uncertain.ABSENCE_GRACE,
        statuses: c.StatusMap | None = None,
    ) -> None:
        api_key = _checked_key(api_key)
        self.project_id = project_id
        self.base_url = _checked_base_url(base_url, in_process=_in_process(transport))
        self._max_pages = max_pages
        self._list_bounds = _ListBounds(max_list_items, max_list_bytes)
        self._statuses = dict(statuses or {})  # the manifest's `api:` status vocabulary
        self.limit_rejected = False  # set when the server refused `limit` (E1): not sent again
        self._seen_links = _SeenLinks()
        self._patience = uncertain.Patience(sleep, grace=absence_grace)
        network = os.environ if env is None else env  # proxies and CA bundles
        self._http = _http_client(self.base_url, api_key, transport, timeout, parallelism, network)
        self._chats = _ChatCounter(c.CHAT.path(project_id))
        self._http.event_hooks["request"].append(self._chats.saw)
        policy = RetryPolicy(max_retries=max_retries, answer_deadline=4 * timeout)
        pacer = Pacer(clock, sleep, rate_limit_budget)
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
        return [pair for page in self._page_iter(route, what, cid, **params) for pair in page]

    def _page_iter(
        self, route: c.Route, what: str, cid: str = "", **params: str | int
    ) -> Generator[list[tuple[c.Answer, Any]], None, None]:
        """One page at a time, so a reader that has enough can stop asking for more."""
        seen: set[str] = set()
        token: str | None = None
        received = 0  # bytes of every page so far
        count = 0  # items of every page so far
        for _ in range(self._max_pages):
            query: dict[str, str | int] = {**params}
            if token is not None:
                query[c.PAGE_TOKEN_PARAM] = token
            answer = (
                self._first_page(route, cid, query) if not seen else self._page(route, cid, query)
            )
            page, token = c.page_of(answer, what)
            received += answer.size
            count += len(page)
            self._list_bounds.check(route, count, received)
            yield [(answer, item) for item in page]
            if token is None:
                return
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

    def _page(self, route: c.Route, cid: str, query: dict[str, str | int]) -> c.Answer:
        if not self.limit_rejected:
            query = {c.PAGE_LIMIT_PARAM: c.PAGE_LIMIT, **query}
        return self._send(route, cid, params=query)

    def _first_page(self, route: c.Route, cid: str, query: dict[str, str | int]) -> c.Answer:
        """A 400 to the first page with `limit` is retried once without it, and `limit`
        is left out for the rest of the run (E1: no documented page-size parameter)."""
        try:
            return self._page(route, cid, query)
        except RobofyError as err:
            if err.status != 400 or self.limit_rejected:
                raise
            log.info(
                "%s refused the %s parameter; listing without it",
                route.endpoint,
                c.PAGE_LIMIT_PARAM,
            )
            self.limit_rejected = True
            return self._send(route, cid, params=query)

    # --- agents ------------------------------------------------------------------------

    def list_agents(self) -> list[RemoteAgent]:
        return [r.parse_agent(a, item) for a, item in self._pages(c.LIST_AGENTS, "agents")]

    def create_agent(self, profile: dict[str, Scalar]) -> str:
        body = {**c.CREATE_DEFAULTS, **c.profile_to_wire(profile)}
        name = str(body.get("name", ""))
        send = lambda: r.created_agent_id(self._send(c.CREATE_AGENT, json=body))  # noqa: E731
        return uncertain.create_agent(send, name, self.list_agents, self._patience)

    def update_agent(self, chatbot_id: str, profile: dict[str, Scalar]) -> None:
        self._send(c.UPDATE_AGENT, chatbot_id, json=c.profile_to_wire(profile))

    # --- prompt, settings, persona -------------------------------------------------------

    def get_settings(self, chatbot_id: str) -> RemoteSettings:
        return r.parse_settings(self._send(c.GET_SETTINGS, chatbot_id))

    def update_prompt(self, chatbot_id: str, prompt: str) -> None:
        self._send(c.UPDATE_SETTINGS, chatbot_id, json=c.prompt_to_wire(prompt))

    def update_settings(self, chatbot_id: str, values: dict[str, Scalar]) -> None:
        self._send(c.UPDATE_SETTINGS, chatbot_id, json=c.settings_to_wire(values))

    def get_persona(self, chatbot_id: str) -> dict[str, Scalar]:
        return r.flat_scalars(self._send(c.GET_PERSONA, chatbot_id), "a persona object")

    def update_persona(self, chatbot_id: str, values: dict[str, Scalar]) -> None:
        self._send(c.UPDATE_PERSONA, chatbot_id, json=dict(values))

    # --- linked assets --------------------------------------------------------------------

    def list_linkages(self, chatbot_id: str) -> list[RemoteLinkage]:
        pages = self._pages(c.LIST_LINKAGES, "linked assets", chatbot_id)
        links = [r.parse_linkage(a, item, self._statuses) for a, item in pages]
        self._seen_links.note(chatbot_id, [link.linkage_id for link in links])
        return links

    def add_text(self, chatbot_id: str, file_name: str, content: str) -> RemoteLinkage:
        body = c.text_body(self.project_id, chatbot_id, file_name, content)

        def post() -> RemoteLinkage:
            answer = self._send(c.ADD_TEXT, json=body)
            return r.added_linkage(answer, TEXT, file_name, self._statuses)

        return self._add(chatbot_id, file_name, post)

    def add_file(self, chatbot_id: str, file_name: str, path: Path) -> RemoteLinkage:
        upload = Upload(c.FILE_FIELD, file_name, path, c.file_form(chatbot_id))

        def post() -> RemoteLinkage:
            answer = self._send(c.ADD_FILE, upload=upload)
            return r.added_linkage(answer, FILE, file_name, self._statuses)

        return self._add(chatbot_id, file_name, post)

    def _add(
        self, chatbot_id: str, file_name: str, post: Callable[[], RemoteLinkage]
    ) -> RemoteLinkage:
        link = uncertain.add_asset(
            post,
            file_name,
            lambda: self.list_linkages(chatbot_id),
            lambda: self._seen_links.of(chatbot_id),
            self._patience,
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
            except NotFoundError:
                # some id is already gone (maybe by our own dropped earlier attempt), whatever
                # the 404's code (E5): re-list; a gone agent makes the re-list raise
                linked = {link.linkage_id for link in self.list_linkages(chatbot_id)}
                wanted = [i for i in wanted if i in linked]
                continue
            delinked = set(r.delinked_ids(answer, wanted))
            return [i for i in ids if i in delinked or i not in wanted]
        linked = {link.linkage_id for link in self.list_linkages(chatbot_id)}
        return [i for i in ids if i not in linked]

    # --- websites ---------------------------------------------------------------------------

    def crawl(self, chatbot_id: str, site: DesiredSite) -> CrawlRun:
        body = c.crawl_body(self.project_id, chatbot_id, site)
        send = lambda: r.started_crawl(self._send(c.CRAWL, json=body), site)  # noqa: E731
        return uncertain.crawl(send, site.url, lambda: self.crawl_runs(chatbot_id), self._patience)

    def crawl_runs(self, chatbot_id: str, run_id: str | None = None) -> list[CrawlRun]:
        params = {c.RUN_ID_PARAM: run_id} if run_id else {}
        return [
            r.parse_crawl_run(a, item, self._statuses)
            for a, item in self._pages(c.CRAWL_STATUS, "crawl runs", chatbot_id, **params)
        ]

    # --- inbox ------------------------------------------------------------------------------

    def list_sessions(self, chatbot_id: str, since: float, max_sessions: int) -> SessionPage:
        """Sessions active at or after ``since``; stops reading once ``max_sessions`` are in.
        kbsync's own chats (``kbsync check``'s golden questions) are left out."""
        found: list[InboxSession] = []
        pages = self._page_iter(c.LIST_SESSIONS, "sessions", chatbot_id, **c.since_param(since))
        for page in pages:
            sessions = (r.parse_session(a, item) for a, item in page)
            # the server may not filter by since: filter here too
            found += [s for s in sessions if s.updated_at >= since and not _own(s)]
            if len(found) >= max_sessions:
                pages.close()
                return SessionPage(tuple(found[:max_sessions]), capped=True)
        return SessionPage(tuple(found), capped=False)

    def list_messages(self, chatbot_id: str, session_id: str) -> list[InboxMessage]:
        params = {c.SESSION_ID_PARAM: session_id}
        pages = self._pages(c.LIST_SESSION_MESSAGES, "messages", chatbot_id, **params)
        return [r.parse_message(a, item) for a, item in pages]

    # --- chat, account ----------------------------------------------------------------------

    def chat(self, chatbot_id: str, query: str, session_id: str | None = None) -> str:
        body = c.chat_body(self.project_id, chatbot_id, query, session_id)
        return r.chat_answer(self._send(c.CHAT, json=body))

    def list_projects(self) -> list[tuple[int, str]]:
        """(id, name) of every project the key sees (for import without a project id)."""
        return [r.parse_project(a, item) for a, item in self._pages(c.LIST_PROJECTS, "projects")]

    def chat_messages_sent(self) -> int:
        return self._chats.count

    def get_project(self) -> dict[str, Scalar]:
        return r.flat_scalars(self._send(c.GET_PROJECT), "a project object")

    def account_limits(self) -> dict[str, int]:
        try:
            return r.parse_limits(self._send(c.ACCOUNT_LIMIT))
        except NotFoundError:
            return {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RobofyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def client_from_env(
    env: Mapping[str, str],
    project_id: int,
    *,
    base_url: str | None = None,
    parallelism: int = 8,
    rate_limit_budget: float = DEFAULT_RATE_LIMIT_BUDGET,
    statuses: c.StatusMap | None = None,
) -> RobofyClient:
    """A client from ROBOFY_API_KEY / ROBOFY_BASE_URL; the option beats the variable."""
    key = robofy_api_key(env)
    if not key:
        raise ConfigError(
            "ROBOFY_API_KEY is not set: export your Robofy API key "
            "(or use --sandbox to run against the local emulator)"
        )
    url = base_url or env.get("ROBOFY_BASE_URL", "").strip() or c.DEFAULT_BASE_URL
    return RobofyClient(
        key,
        project_id,
        url,
        parallelism=parallelism,
        rate_limit_budget=rate_limit_budget,
        statuses=statuses,
        env=env,
    )


def _own(session: InboxSession) -> bool:
    """A session of kbsync's own golden questions (see contract.OWN_SESSION_PREFIX)."""
    return session.session_id.startswith(c.OWN_SESSION_PREFIX)
