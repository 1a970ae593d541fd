"""Reading Robofy's answers into kbsync's nouns: agents, settings, projects, limits,
linkages, crawl runs, chat answers and Inbox sessions and messages.

These parsers only use what ``contract`` assumes (field names, aliases, statuses): every
wire detail stays there, so a real account that answers differently is still a one-file
fix. They fail closed like the rest of the contract: anything outside the closed list of
variants is a ShapeError naming the endpoint, the status and the keys seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kbsync.conversations import InboxMessage, InboxSession
from kbsync.model import (
    PROFILE_FIELDS,
    SECRET_FIELDS,
    CrawlRun,
    DesiredSite,
    RemoteAgent,
    RemoteLinkage,
    RemoteSettings,
    Scalar,
)
from kbsync.robofy.contract import (
    _ASSET_TYPES,
    _ROLES,
    AGENT_ID_KEYS,
    AGENT_NAME_KEYS,
    INLINE_MESSAGES_KEY,
    LIMIT_KEYS,
    MESSAGE_COUNT_KEY,
    MESSAGE_TEXT_KEYS,
    NAME_KEYS,
    NAME_PREFIX,
    PROFILE_ALIASES,
    PROMPT_FIELD,
    SESSION_TIME_KEYS,
    TYPE_KEYS,
    StatusMap,
    payload,
    state_of,
)
from kbsync.robofy.wire import (
    Answer,
    finite,
    first,
    int_or_none,
    is_number,
    is_scalar,
    item_error,
    item_keys,
    scalar,
    shape_error,
)

_NAIVE_EPOCH = datetime(1970, 1, 1)


def parse_agent(answer: Answer, item: Any) -> RemoteAgent:
    """Fail closed: no id is a ShapeError; no name key marks the agent ``unreadable``."""
    if not isinstance(item, dict):
        raise item_error(answer, "agent objects", item)
    chatbot_id = first(item, AGENT_ID_KEYS)
    if not isinstance(chatbot_id, (str, int)) or isinstance(chatbot_id, bool):
        raise item_error(answer, f"agent objects with one of {', '.join(AGENT_ID_KEYS)}", item)
    name, unreadable = _agent_name(answer, item)
    status = str(item.get("status") or "")
    return RemoteAgent(str(chatbot_id), name, _agent_profile(item), status, unreadable)


def _agent_name(answer: Answer, item: dict[str, Any]) -> tuple[str, str]:
    """(name, "") from the first name field holding a string; ("", "") when the name
    fields there are all null or empty (a dashboard agent may have none); ("", what was
    seen) when there is no name field or one holds something else: kbsync then cannot
    tell the agent from a declared one."""
    named = first(item, AGENT_NAME_KEYS)
    if isinstance(named, str):
        return named, ""
    present = [k for k in AGENT_NAME_KEYS if k in item]
    if present and named is None:
        return "", ""
    expected = f"a string name in {' or '.join(AGENT_NAME_KEYS)}"
    return "", f"{answer.shown} (HTTP {answer.status}): expected {expected}; {item_keys(item)}"


def _agent_profile(item: dict[str, Any]) -> dict[str, Scalar]:
    profile: dict[str, Scalar] = {}
    for field in PROFILE_FIELDS:
        key = next((k for k in (field, *PROFILE_ALIASES.get(field, ())) if k in item), None)
        if key is not None and finite(item[key]):
            profile[field] = scalar(item[key])
    if "name" not in profile and isinstance(first(item, AGENT_NAME_KEYS), str):
        profile["name"] = first(item, AGENT_NAME_KEYS)
    return profile


def created_agent_id(answer: Answer) -> str:
    """[D] data is the new chatbot id; [A] also an object carrying chatbot_id / id."""
    data = payload(answer)
    if isinstance(data, dict):
        data = data.get("chatbot_id", data.get("id"))
    if isinstance(data, (str, int)) and not isinstance(data, bool) and str(data):
        return str(data)
    raise shape_error(answer, "the new chatbot id as data")


def parse_settings(answer: Answer) -> RemoteSettings:
    data = payload(answer)
    if not isinstance(data, dict):
        raise shape_error(answer, "a settings object")
    values = {
        k: _setting_from_wire(k, v)
        for k, v in data.items()
        if k != PROMPT_FIELD and k not in SECRET_FIELDS and is_scalar(v)
    }
    return RemoteSettings(str(data.get(PROMPT_FIELD) or ""), values)


def _setting_from_wire(key: str, value: Scalar) -> Scalar:
    if key == "temperature" and isinstance(value, (str, int)) and not isinstance(value, bool):
        try:
            number = float(value)
        except ValueError:
            return value  # shown as-is; the plan will offer to fix it
        return number if finite(number) else value
    if key == "thinking_mode" and value is not None:
        return str(int(value)) if isinstance(value, bool) else str(value)
    return value


def parse_project(answer: Answer, item: Any) -> tuple[int, str]:
    """(id, name) of one listed project."""
    pid = item.get("id", item.get("project_id")) if isinstance(item, dict) else None
    if isinstance(pid, str) and pid.isdigit():
        pid = int(pid)
    if not isinstance(pid, int) or isinstance(pid, bool) or pid < 1:
        raise shape_error(answer, "project objects with an integer id")
    name = item.get("name")
    return pid, name if isinstance(name, str) else ""


def flat_scalars(answer: Answer, expected: str) -> dict[str, Scalar]:
    """An open map of flat scalar fields; nested values are left out."""
    data = payload(answer)
    if not isinstance(data, dict):
        raise shape_error(answer, expected)
    return {str(k): v for k, v in data.items() if is_scalar(v)}


def parse_limits(answer: Answer) -> dict[str, int]:
    """The limits kbsync recognises; anything else is ignored."""
    data = payload(answer)
    if not isinstance(data, dict):
        return {}
    return {k: int(data[k]) for k in LIMIT_KEYS if is_number(data.get(k))}


def parse_linkage(answer: Answer, item: Any, statuses: StatusMap | None = None) -> RemoteLinkage:
    """Fail closed: a linkage without an id, a name or a type is a ShapeError."""
    if not isinstance(item, dict):
        raise item_error(answer, "linkage objects", item)
    linkage_id = int_or_none(item.get("linkage_id"))
    raw_type = first(item, TYPE_KEYS)
    name = asset_name_of(item)
    if linkage_id is None or not isinstance(raw_type, str) or name is None:
        expected = (
            f"linkage objects with an integer linkage_id, a string type ({'/'.join(TYPE_KEYS)})"
            f" and a string name ({'/'.join(NAME_KEYS)})"
        )
        raise item_error(answer, expected, item)
    raw_status = str(item.get("status") or "")
    kind = raw_type.strip().lower()
    return RemoteLinkage(
        linkage_id=linkage_id,
        asset_id=int_or_none(item.get("asset_id")),
        asset_type=_ASSET_TYPES.get(kind, kind),
        asset_name=name,
        state=state_of(raw_status, statuses),
        raw_status=raw_status,
        created_at=str(item.get("created_at") or ""),
    )


def asset_name_of(item: Mapping[str, Any]) -> str | None:
    """The first string name field, without the `document/` prefix; None when there is none."""
    value = first(item, NAME_KEYS)
    if not isinstance(value, str):
        return None
    return value[len(NAME_PREFIX) :] if value.startswith(NAME_PREFIX) else value


def added_linkage(
    answer: Answer, asset_type: str, asset_name: str, statuses: StatusMap | None = None
) -> RemoteLinkage:
    """Add Text answers a bare object [D], Add File an envelope [D]: both carry linkage_id."""
    data = payload(answer)
    linkage_id = int_or_none(data.get("linkage_id")) if isinstance(data, dict) else None
    if linkage_id is None:
        raise shape_error(answer, "an object with an integer linkage_id")
    raw_status = str(data.get("status") or "")
    return RemoteLinkage(
        linkage_id=linkage_id,
        asset_id=int_or_none(data.get("asset_id")),
        asset_type=asset_type,
        asset_name=asset_name,
        state=state_of(raw_status, statuses),
        raw_status=raw_status,
        created_at=str(data.get("created_at") or ""),
    )


def delinked_ids(answer: Answer, sent: list[int]) -> list[int]:
    """[A] {"delinked": [...]}, maybe in the envelope; a bare success means all of them."""
    data = payload(answer)
    if data is None or (isinstance(data, dict) and "delinked" not in data):
        return list(sent)
    found = data.get("delinked") if isinstance(data, dict) else data
    if isinstance(found, list):
        ids = [int_or_none(i) for i in found]
        return [i for i in ids if i is not None]
    raise shape_error(answer, "delinked ids")


def started_crawl(answer: Answer, site: DesiredSite) -> CrawlRun:
    data = payload(answer)
    if not isinstance(data, dict) or data.get("run_id") in (None, ""):
        raise shape_error(answer, "an object with run_id")
    run = parse_crawl_run(answer, data)
    return run if run.start_urls else run._replace(start_urls=(site.url,))


def parse_crawl_run(answer: Answer, item: Any, statuses: StatusMap | None = None) -> CrawlRun:
    if not isinstance(item, dict) or item.get("run_id") in (None, ""):
        raise item_error(answer, "crawl run objects with run_id", item)
    return CrawlRun(
        run_id=str(item["run_id"]),
        state=state_of(item.get("status"), statuses),
        start_urls=_start_urls(item.get("start_urls")),
        pages_found=int_or_none(item.get("pages_found")) or 0,
        pages_crawled=int_or_none(item.get("pages_crawled")) or 0,
        started_at=str(item.get("started_at") or ""),
        finished_at=None if item.get("finished_at") is None else str(item["finished_at"]),
        error=None if item.get("error") is None else str(item["error"]),
    )


def _start_urls(value: object) -> tuple[str, ...]:
    """[A] a list of strings; also tolerate the request's [{"url": ...}] form."""
    if not isinstance(value, list):
        return ()
    urls = [u.get("url") if isinstance(u, dict) else u for u in value]
    return tuple(str(u) for u in urls if isinstance(u, str) and u)


def chat_answer(answer: Answer) -> str:
    data = payload(answer)
    if isinstance(data, dict) and isinstance(data.get("answer"), str):
        return str(data["answer"])
    raise shape_error(answer, "an object with answer")


def parse_time(value: object) -> float | None:
    """[D] "YYYY-MM-DD HH:MM:SS" UTC; [A] also ISO 8601 (T, Z, an offset) and epoch seconds."""
    if is_number(value):
        return float(value)  # type: ignore[arg-type]
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:  # [D] UTC; subtracting is faster than attaching a zone
        return (moment - _NAIVE_EPOCH).total_seconds()
    return moment.timestamp()


def parse_session(answer: Answer, item: Any) -> InboxSession:
    if not isinstance(item, dict):
        raise shape_error(answer, "session objects")
    session_id = item.get("session_id", item.get("id"))
    times = {k: parse_time(item.get(k)) for k in SESSION_TIME_KEYS if k in item}
    known = [t for t in times.values() if t is not None]
    if session_id in (None, "") or not known:
        raise shape_error(answer, "session objects with session_id (or id) and a timestamp")
    created = times.get("created_at")
    platform = str(item.get("platform", item.get("source")) or "")
    messages, complete = _inline_messages(answer, item)
    return InboxSession(
        str(session_id), platform, created or known[0], known[0], messages, complete
    )


def _inline_messages(answer: Answer, item: dict[str, Any]) -> tuple[tuple[InboxMessage, ...], bool]:
    """[A] a session may carry its first ``messages`` and a ``message_count``; only when the
    count says they are all of them is the session read without List Session Messages."""
    inline = item.get(INLINE_MESSAGES_KEY)
    if not isinstance(inline, list):
        return (), False
    messages = tuple(parse_message(answer, m) for m in inline)
    count = int_or_none(item.get(MESSAGE_COUNT_KEY))
    return messages, count is not None and count <= len(messages)


def parse_message(answer: Answer, item: Any) -> InboxMessage:
    if not isinstance(item, dict):
        raise shape_error(answer, "message objects")
    text = first(item, MESSAGE_TEXT_KEYS)
    if text is None and any(k in item for k in MESSAGE_TEXT_KEYS):
        text = ""  # an empty message (an attachment, a button) is still a message
    moment = parse_time(item.get("created_at"))
    if not isinstance(text, str) or moment is None:
        raise shape_error(answer, "message objects with content (or message, text) and created_at")
    raw_role = str(item.get("role", item.get("sender")) or "").strip().lower()
    return InboxMessage(_ROLES.get(raw_role, ""), text, moment)
