"""How canonical a successful read answer is: the verdicts `kbsync doctor` shows.

CANONICAL: exactly the shape contract.py calls canonical (the emulator's); VARIANT:
another shape of the contract's closed list; UNKNOWN_SHAPE: nothing kbsync knows.
The verdict names live in contract.py (doctor reads them from there).
"""

from __future__ import annotations

from kbsync.errors import ShapeError
from kbsync.robofy import contract as c
from kbsync.robofy.contract import readers as r
from kbsync.robofy.wire import Answer, shape_error

# fields a canonical answer carries (absent: the parsers fall back to an alias or a default)
_CANONICAL_FIELDS = {
    c.LIST_AGENTS.endpoint: ("chatbot_id", "name"),
    c.LIST_LINKAGES.endpoint: ("linkage_id", "asset_type", "asset_name", "status"),
    c.CRAWL_STATUS.endpoint: ("run_id", "status"),
    c.GET_SETTINGS.endpoint: (c.PROMPT_FIELD,),
    c.GET_PROJECT.endpoint: ("id", "name"),
    c.ACCOUNT_LIMIT.endpoint: c.LIMIT_KEYS,
    c.LIST_SESSIONS.endpoint: ("session_id", "platform", "created_at", "updated_at"),
    c.LIST_SESSION_MESSAGES.endpoint: ("role", "content", "created_at"),
}
_PAGED = (
    c.LIST_AGENTS.endpoint,
    c.LIST_LINKAGES.endpoint,
    c.LIST_SESSIONS.endpoint,
    c.LIST_SESSION_MESSAGES.endpoint,
)
_LISTS = (*_PAGED, c.CRAWL_STATUS.endpoint)  # crawl status: data is the list


def shape_verdict(answer: Answer) -> str:
    """CANONICAL, VARIANT or UNKNOWN_SHAPE for a successful answer of a read route."""
    try:
        found = _canonical_parts(answer)
    except ShapeError:
        return c.UNKNOWN_SHAPE
    return c.CANONICAL if found else c.VARIANT


def _canonical_parts(answer: Answer) -> bool:
    """Raises ShapeError outside the closed list; True when every part is canonical."""
    if answer.endpoint in _LISTS:
        return _canonical_list(answer)
    data = c.payload(answer)
    if not isinstance(data, dict):
        raise shape_error(answer, "an object")
    if answer.endpoint == c.ACCOUNT_LIMIT.endpoint and not r.parse_limits(answer):
        raise shape_error(answer, "account limits")
    return _enveloped(answer) and all(f in data for f in _CANONICAL_FIELDS.get(answer.endpoint, ()))


def _canonical_list(answer: Answer) -> bool:
    items, _ = c.page_of(answer, "a list")
    data = c.payload(answer)
    if answer.endpoint in _PAGED:
        paged = isinstance(data, dict) and "items" in data and "next_page_token" in data
    else:
        paged = isinstance(data, list)
    fields = _CANONICAL_FIELDS.get(answer.endpoint, ())
    full = all(isinstance(i, dict) and all(f in i for f in fields) for i in items)
    return _enveloped(answer) and paged and full


def _enveloped(answer: Answer) -> bool:
    body = answer.body
    return isinstance(body, dict) and "message" in body and "data" in body
