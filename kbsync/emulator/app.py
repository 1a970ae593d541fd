"""The WSGI application: faults, auth, one transaction per request, dispatch, admin routes.

Auth order (decided here, CONTRACT.md is silent): unknown route 404/405 first; then a missing
or unknown key 401; then a malformed project id 400; then a project no key knows 404
PROJECT_NOT_FOUND; then a project this key may not use 403; then the handler's own checks.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any, TypeVar

from kbsync.emulator import admin, demo, dialect
from kbsync.emulator.clock import Clock, stamp
from kbsync.emulator.config import CRAWL_MODES, EmulatorConfig
from kbsync.emulator.content import add_file, add_text, list_linkages
from kbsync.emulator.context import Ctx
from kbsync.emulator.crawl import advance_crawls
from kbsync.emulator.crawl_fetch import FetchCrawls
from kbsync.emulator.faults import Faults, FaultSettings, checked_settings
from kbsync.emulator.inbox_seed import seed_conversations
from kbsync.emulator.routes import Route, match
from kbsync.emulator.store import Store, ensure_projects, get_meta, set_meta, wipe
from kbsync.emulator.validate import path_project_id, project_id_of
from kbsync.emulator.wire import (
    ApiError,
    Request,
    Response,
    bearer_key,
    encode,
    error_response,
    ok,
    read_request,
)

T = TypeVar("T")
StartResponse = Callable[..., Any]
Matched = tuple[Route, dict[str, str]]
DROPPED = "emulator: connection dropped after commit"
LAST_MOMENT = datetime(9000, 1, 1, tzinfo=timezone.utc).timestamp()  # timestamps stay formattable


def _internal_error(exc: Exception) -> Response:
    # One line on stderr for whoever runs the emulator; never a traceback in the response.
    print(f"emulator: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
    return error_response(ApiError(500, "INTERNAL_SERVER_ERROR", "unexpected emulator error"))


def _fault_settings(config: EmulatorConfig) -> FaultSettings:
    wanted = {name: getattr(config, name) for name in FaultSettings._fields}
    try:
        return checked_settings(FaultSettings(), wanted)
    except ApiError as err:
        raise ValueError(err.detail) from None


class EmulatorApp:
    """The Robofy emulator as a WSGI callable, plus the controls tests and the sandbox use."""

    def __init__(self, config: EmulatorConfig) -> None:
        if config.crawl_mode not in CRAWL_MODES:
            raise ValueError(f"crawl_mode must be one of {CRAWL_MODES}, not {config.crawl_mode!r}")
        if config.dialect not in dialect.DIALECTS:
            raise ValueError(f"dialect must be one of {dialect.DIALECTS}, not {config.dialect!r}")
        self.config = config
        self._store = Store(config.db_path)
        with self._store.transaction() as db:
            offset = float(get_meta(db, "clock_offset", "0"))
        self._clock = Clock(config.manual_clock, offset)
        with self._store.transaction() as db:
            ensure_projects(db, self.project_ids, self._clock.now())
        self._faults = Faults(_fault_settings(config))
        self._fetch = FetchCrawls(self._store, self._clock, config)
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()

    # --- WSGI -------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", "/"))
        if path.startswith("/_emulator/"):
            response = self._guarded(lambda: self._admin(read_request(environ)))
        else:
            response = self._api(environ)
        status, headers, body = encode(response)
        start_response(status, headers)
        return body

    def _api(self, environ: dict[str, Any]) -> Response:
        try:  # read the whole body first: answering before reading it can reset the socket
            request = read_request(environ)
        except ApiError as err:
            return error_response(err)
        route = self._count(request.method, request.path)
        decision = self._faults.decide()
        if decision.latency_seconds > 0:
            time.sleep(decision.latency_seconds)  # outside any lock: parallel requests overlap
        if decision.retry_after is not None:
            limited = ApiError(429, "RATE_LIMITED", "rate limit exceeded; retry later")
            limited.headers = (("Retry-After", str(decision.retry_after)),)
            return error_response(limited)
        if decision.fail:
            return error_response(ApiError(500, "INTERNAL_SERVER_ERROR", "injected failure"))
        response = self._lagging(route, self._guarded(lambda: self._handle(request, route)))
        if decision.drop:
            raise ConnectionResetError(DROPPED)
        return response

    def _lagging(self, route: Matched | ApiError, response: Response) -> Response:
        """The listing-lag fault: note added linkages, leave lagging ones out of listings."""
        if isinstance(route, ApiError) or response.status != 200:
            return response
        handler, payload = route[0].handler, response.payload
        if handler in (add_text, add_file) and isinstance(payload, dict):
            data = payload.get("data")  # add_file answers in the envelope, add_text bare
            added = (data if isinstance(data, dict) else payload).get("linkage_id")
            self._faults.note_write(added, self._clock.now())
        elif handler is list_linkages and isinstance(payload, dict):
            now = self._clock.now()
            payload = _with_listed(payload, lambda items: self._faults.lagged(items, now))
            return response._replace(payload=payload)
        return response

    def _guarded(self, work: Callable[[], Response]) -> Response:
        try:
            return work()
        except ApiError as err:
            return error_response(dialect.not_found_code(self.config, err))
        except Exception as exc:
            return _internal_error(exc)

    def _count(self, method: str, path: str) -> Matched | ApiError:
        """Count the request under its route template; returns the match or the routing error."""
        found: Matched | ApiError
        try:
            found = match(method, path)
            key = found[0].key
        except ApiError as err:
            found, key = err, f"{method} (no route)"
        with self._counts_lock:
            self._counts[key] += 1
        return found

    def _handle(self, request: Request, matched: Matched | ApiError) -> Response:
        if isinstance(matched, ApiError):
            raise matched
        route, params = matched
        fetch_runs: list[str] = []
        with self._store.transaction() as db:
            now = self._clock.now()
            advance_crawls(db, now)
            project_id, key_projects = self._authorise(db, request, route, params)
            ctx = Ctx(
                db, now, self.config, request, params, project_id, key_projects, fetch_runs.append
            )
            response = route.handler(ctx)
        for run_id in fetch_runs:  # after the commit, so the thread sees the run
            self._fetch.start(run_id)
        return response

    def _authorise(
        self, db: Any, request: Request, route: Route, params: dict[str, str]
    ) -> tuple[int, tuple[int, ...]]:
        key = bearer_key(request)
        if key not in self.config.api_keys:
            detail = "invalid API key" if key else "missing API key (Authorization: Bearer ...)"
            raise ApiError(401, "UNAUTHORIZED", detail)
        key_projects = tuple(self.config.api_keys[key])
        if route.project_from == "none":
            return 0, key_projects
        project_id = self._project_id(request, route, params, key_projects)
        if db.execute("SELECT 1 FROM projects WHERE id = ?", (project_id,)).fetchone() is None:
            raise ApiError(404, "PROJECT_NOT_FOUND", f"project {project_id} not found")
        if project_id not in key_projects:
            raise ApiError(403, "FORBIDDEN", f"this API key has no access to project {project_id}")
        return project_id, key_projects

    def _project_id(
        self, request: Request, route: Route, params: dict[str, str], key_projects: tuple[int, ...]
    ) -> int:
        if route.project_from == "path":
            return path_project_id(params["pid"])
        name = "pid" if route.project_from == "chat" else "project_id"
        body = request.json_object()
        fallback = dialect.default_project(self.config, route.key, key_projects)
        if name not in body and fallback is not None:
            return fallback
        if name not in body:
            raise ApiError(400, "BAD_REQUEST", f"missing required field: {name}")
        return project_id_of(body[name], name)

    # --- admin --------------------------------------------------------------------------------

    def _admin(self, request: Request) -> Response:
        action = (request.method, request.path.rstrip("/"))
        if action == ("GET", "/_emulator/state"):
            return Response(200, self.state())
        if action == ("POST", "/_emulator/reset"):
            self.reset()
            return Response(200, {"message": "Emulator reset"})
        if action == ("POST", "/_emulator/faults"):
            return ok(self._faults.update(request.json_object())._asdict(), "Faults updated")
        if action == ("POST", "/_emulator/clock"):
            try:
                self.advance_clock(admin.clock_seconds(request.json_object()))
            except ValueError as exc:
                raise ApiError(400, "BAD_REQUEST", str(exc)) from None
            return ok(self._clock_info(), "Clock advanced")
        if action == ("POST", "/_emulator/seed-demo"):
            body = request.json_object() if request.body.strip() else {}
            chatbot_id = self.seed_demo(admin.demo_project(body))
            return ok({"chatbot_id": chatbot_id}, "Demo data seeded")
        if action == ("POST", "/_emulator/conversations"):
            body = request.json_object()
            project, agent = admin.demo_project(body), body.get("chatbot_id")
            count = self.seed_conversations(project, agent, body.get("conversations"))
            return ok({"exchanges": count}, "Conversations seeded")
        raise ApiError(404, "NOT_FOUND", f"no admin route for {request.method} {request.path}")

    def _clock_info(self) -> dict[str, Any]:
        now = self._clock.now()
        return {"now": stamp(now), "epoch": now, "offset_seconds": self._clock.offset}

    # --- controls -----------------------------------------------------------------------------

    @property
    def project_ids(self) -> set[int]:
        """Every project some API key maps to (they all exist, named "Project N")."""
        return {pid for pids in self.config.api_keys.values() for pid in pids}

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator clock forward (crawls and processing follow it)."""
        if seconds < 0:
            raise ValueError("the emulator clock only moves forward")
        if self._clock.now() + seconds > LAST_MOMENT:
            raise ValueError("the emulator clock cannot go past the year 9000")
        offset = self._clock.advance(seconds)
        with self._store.transaction() as db:
            set_meta(db, "clock_offset", repr(offset))

    def state(self) -> dict[str, Any]:
        """The same dict GET /_emulator/state answers."""
        with self._store.transaction() as db:
            now = self._clock.now()
            advance_crawls(db, now)
            dump = admin.state_dump(db, now)
        with self._counts_lock:
            by_route = dict(sorted(self._counts.items()))
        dump["requests"] = {"total": sum(by_route.values()), "by_route": by_route}
        dump["faults"] = self._faults.settings._asdict()
        dump["clock"] = self._clock_info()
        return dump

    def reset(self) -> None:
        """Empty the store and the request counts; keeps API keys, faults and the clock."""
        with self._store.transaction() as db:
            wipe(db)
            ensure_projects(db, self.project_ids, self._clock.now())
        with self._counts_lock:
            self._counts.clear()

    def set_faults(self, **changes: object) -> dict[str, Any]:
        """Change fault settings at run time (absent keys unchanged); raises ValueError if bad."""
        try:
            return self._faults.update(changes)._asdict()
        except ApiError as err:
            raise ValueError(err.detail) from None

    def seed_demo(self, project_id: int = 1) -> str:
        """Create the demo agent with content, as a person would in the dashboard, and a few
        weeks of its visitors' conversations (some of them unanswered)."""
        return self._as_owner(project_id, demo.seed)

    def seed_conversations(self, project_id: int, chatbot_id: object, conversations: object) -> int:
        """Record conversations of an agent (see inbox_seed); returns the exchanges recorded."""
        return self._as_owner(
            project_id, lambda ctx: seed_conversations(ctx, chatbot_id, conversations)
        )

    def _as_owner(self, project_id: int, work: Callable[[Ctx], T]) -> T:
        """Run ``work`` in one transaction as the project's owner (no HTTP request)."""
        with self._store.transaction() as db:
            if db.execute("SELECT 1 FROM projects WHERE id = ?", (project_id,)).fetchone() is None:
                raise ApiError(404, "PROJECT_NOT_FOUND", f"project {project_id} not found")
            request = Request("POST", "", {}, {}, b"")
            no_fetch: Callable[[str], None] = lambda run_id: None  # noqa: E731
            ctx = Ctx(
                db, self._clock.now(), self.config, request, {}, project_id, (project_id,), no_fetch
            )
            return work(ctx)

    def close(self) -> None:
        self._fetch.close()
        self._store.close()


def create_app(config: EmulatorConfig | None = None) -> EmulatorApp:
    return EmulatorApp(config or EmulatorConfig())


def _with_listed(payload: dict[str, Any], keep: Callable[[list[Any]], list[Any]]) -> dict[str, Any]:
    """The list answer with ``keep`` applied to its items, in either dialect's envelope
    (``data.items`` or ``data.report.rows``)."""
    data = payload["data"]
    if "items" in data:
        return {**payload, "data": {**data, "items": keep(data["items"])}}
    report = data["report"]
    return {**payload, "data": {**data, "report": {**report, "rows": keep(report["rows"])}}}
