"""Which response shapes a live account answers with: the read-only core of `kbsync doctor`.

Each read endpoint kbsync uses is asked once (lists: first page only) and described in
words: the envelope, where the items and the page token were, which field aliases and
which unknown status strings turned up. A shape outside the contract's closed list is
reported with the ShapeError text (endpoint, status, top-level keys; never values).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from kbsync.errors import RobofyError, ShapeError
from kbsync.robofy import contract as c
from kbsync.robofy.client import RobofyClient
from kbsync.robofy.contract import readers as r
from kbsync.robofy.shapes import shape_verdict


class ShapeReport(NamedTuple):
    endpoint: str  # "GET /v1/ai-agent/chatbot/{pid}"
    ok: bool
    status: int | None
    shape: str  # what was seen, in words; or the error
    unknown_statuses: tuple[str, ...] = ()
    verdict: str = ""  # c.CANONICAL / c.VARIANT / c.UNKNOWN_SHAPE; "" = no answer to judge
    keys: str = ""  # c.seen_keys of the answer: its top-level keys (never values)
    problem: str = ""  # an item kbsync cannot read with confidence (apply would refuse)
    answer: c.Answer | None = None  # the first page / object answered (for doctor --report)


def probe(client: RobofyClient) -> list[ShapeReport]:
    """Read-only: one request per endpoint; agent endpoints use the first agent listed."""
    reports = [
        _report(client, c.GET_PROJECT, "", _describe_object),
        _report(client, c.ACCOUNT_LIMIT, "", _describe_object),
        _report(client, c.LIST_AGENTS, "", _describe_list),
    ]
    cid = _first_agent(client)
    if cid is None:
        return reports
    for route in (c.GET_SETTINGS, c.GET_PERSONA):
        reports.append(_report(client, route, cid, _describe_object))
    for route in (c.LIST_LINKAGES, c.CRAWL_STATUS):
        reports.append(_report(client, route, cid, _describe_list))
    return reports + _inbox_reports(client, cid)


def _inbox_reports(client: RobofyClient, cid: str) -> list[ShapeReport]:
    """List Sessions of the first agent; List Session Messages of its first session, if any."""
    reports = [_report(client, c.LIST_SESSIONS, cid, _describe_list)]
    session_id = _first_session(client, cid)
    if session_id is not None:
        params: dict[str, str | int] = {c.SESSION_ID_PARAM: session_id}
        reports.append(_report(client, c.LIST_SESSION_MESSAGES, cid, _describe_list, params))
    return reports


def _first_session(client: RobofyClient, cid: str) -> str | None:
    try:
        answer = _read(client, c.LIST_SESSIONS, cid)
        items, _ = c.page_of(answer, "sessions")
        return r.parse_session(answer, items[0]).session_id if items else None
    except RobofyError:
        return None


def _first_agent(client: RobofyClient) -> str | None:
    try:
        answer = _read(client, c.LIST_AGENTS, "")
        items, _ = c.page_of(answer, "agents")
        return r.parse_agent(answer, items[0]).chatbot_id if items else None
    except RobofyError:
        return None


Describe = Callable[[c.Answer], tuple[str, tuple[str, ...]]]


def _report(
    client: RobofyClient,
    route: c.Route,
    cid: str,
    describe: Describe,
    params: dict[str, str | int] | None = None,
) -> ShapeReport:
    try:
        answer = _read(client, route, cid, params)
    except RobofyError as err:
        return ShapeReport(route.endpoint, False, err.status, str(err))
    keys = c.seen_keys(answer)
    try:
        shape, unknown = describe(answer)
    except ShapeError as err:
        verdict, problem = c.UNKNOWN_SHAPE, _item_problem(answer, str(err))
        return ShapeReport(
            route.endpoint, False, answer.status, str(err), (), verdict, keys, problem, answer
        )
    verdict = shape_verdict(answer)
    return ShapeReport(
        route.endpoint, True, answer.status, shape, unknown, verdict, keys, answer=answer
    )


_LISTS = (c.LIST_AGENTS, c.LIST_LINKAGES, c.CRAWL_STATUS, c.LIST_SESSIONS, c.LIST_SESSION_MESSAGES)


def _read(
    client: RobofyClient, route: c.Route, cid: str, extra: dict[str, str | int] | None = None
) -> c.Answer:
    """One read as the client lists: `limit` on lists, dropped once if the server rejects
    it (E1); ``client.limit_rejected`` then tells doctor."""
    params = dict(extra or {})
    if route not in _LISTS or client.limit_rejected:
        return client.read(route, cid, params=params or None)
    try:
        return client.read(route, cid, params={c.PAGE_LIMIT_PARAM: c.PAGE_LIMIT, **params})
    except RobofyError as err:
        if err.status != 400:
            raise
        client.limit_rejected = True
        return client.read(route, cid, params=params or None)


_UNNAMED = "agent item(s) without a name"


def _item_problem(answer: c.Answer, error: str) -> str:
    """What apply would refuse, when the list parsed but an item did not."""
    if not error.startswith(_UNNAMED) and "with an item kbsync cannot read" not in error:
        return ""
    return error.split(" Nothing was written.")[0]


def _envelope(answer: c.Answer) -> str:
    body = answer.body
    if isinstance(body, dict) and "data" in body:
        return "envelope {message, data}"
    return "bare " + ("array" if isinstance(body, list) else "object")


def _describe_object(answer: c.Answer) -> tuple[str, tuple[str, ...]]:
    data = c.payload(answer)
    if not isinstance(data, dict):
        raise c.shape_error(answer, "an object")
    return f"{_envelope(answer)}; {len(data)} fields", ()


def _describe_list(answer: c.Answer) -> tuple[str, tuple[str, ...]]:
    items, token = c.page_of(answer, "a list")  # raises for shapes outside the contract
    _parse_all(answer, items)  # raises for an item apply could not read with confidence
    parts = [_envelope(answer), _items_place(answer), _token_place(answer, token)]
    aliases = _aliases(answer.endpoint, items)
    if aliases:
        parts.append("aliases: " + ", ".join(aliases))
    return "; ".join(parts), _unknown_statuses(items)


def _parse_all(answer: c.Answer, items: list[Any]) -> None:
    """The same judgement as apply: every item parses; every agent's name is readable."""
    if answer.endpoint == c.LIST_LINKAGES.endpoint:
        for item in items:
            r.parse_linkage(answer, item)
    elif answer.endpoint == c.CRAWL_STATUS.endpoint:
        for item in items:
            r.parse_crawl_run(answer, item)
    elif answer.endpoint == c.LIST_AGENTS.endpoint:
        unread = [a.unreadable for a in (r.parse_agent(answer, i) for i in items) if a.unreadable]
        if unread:
            raise ShapeError(
                f"{_UNNAMED}: {unread[0]}; apply would refuse to match or "
                "create agents by name (it cannot tell them from declared ones)",
                endpoint=answer.endpoint,
                status=answer.status,
            )


def _items_place(answer: c.Answer) -> str:
    data = c.payload(answer)
    if isinstance(data, list):
        return "items: data is the list" if data is not answer.body else "items: the body"
    key = next((k for k in c.ITEM_KEYS if isinstance(data.get(k), list)), None)
    return f"items under data.{key}" if key else "items under data.report.rows"


def _token_place(answer: c.Answer, token: str | None) -> str:
    if token is None:
        return "no next page token"
    data = c.payload(answer)
    report = data.get("report") if isinstance(data, dict) else None
    if isinstance(report, dict) and report.get("next_page_token"):
        return "token at data.report.next_page_token"
    if isinstance(data, dict) and data.get("next_page_token"):
        return "token at data.next_page_token"
    return "token at top-level next_page_token"


# per list: (canonical field, the aliases the contract accepts for it)
_ALIASED = {
    c.LIST_AGENTS.endpoint: (
        ("chatbot_id", ("id",)),
        ("name", ("agent_name",)),
        ("avatar_url", ("avatar_image_path",)),
    ),
    c.LIST_LINKAGES.endpoint: (("asset_name", c.NAME_KEYS[1:]), ("asset_type", c.TYPE_KEYS[1:])),
}


def _aliases(endpoint: str, items: list[Any]) -> list[str]:
    seen: set[str] = set()
    for item in (i for i in items if isinstance(i, dict)):
        for field, aliases in _ALIASED.get(endpoint, ()):
            used = next((a for a in aliases if a in item), None)
            if field not in item and used:
                seen.add(f"{used} for {field}")
        if endpoint == c.LIST_LINKAGES.endpoint and _prefixed(item):
            seen.add(f"names with the {c.NAME_PREFIX} prefix")
    return sorted(seen)


def _prefixed(item: dict[str, Any]) -> bool:
    value = next((item[k] for k in c.NAME_KEYS if isinstance(item.get(k), str)), "")
    return str(value).startswith(c.NAME_PREFIX)


def _unknown_statuses(items: list[Any]) -> tuple[str, ...]:
    raws = {str(item.get("status")) for item in items if isinstance(item, dict)}
    return tuple(sorted(r for r in raws if r and r != "None" and not c.is_known_status(r)))
