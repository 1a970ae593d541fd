"""Robofy's wire contract as kbsync assumes it: routes, envelopes, shapes, names.

Every [A] (assumed) and [I] (inferred) item of ``docs/robofy-contract.md`` (CONTRACT.md)
lives here and only here, so a real account that answers differently is a
one-file fix. The rule: strict in what we send, tolerant in what we accept,
but only within a CLOSED list of variants; anything else is a ShapeError naming
the endpoint, the HTTP status and the top-level keys seen (never any value).
The vocabulary (Route, Answer, shape_error) is in ``wire``; how canonical an answer
is (for `kbsync doctor`) is judged in ``shapes``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kbsync.model import (
    FAILED,
    FILE,
    PENDING,
    PROFILE_FIELDS,
    READY,
    SECRET_FIELDS,
    TEXT,
    URL,
    CrawlRun,
    DesiredSite,
    RemoteAgent,
    RemoteLinkage,
    RemoteSettings,
    Scalar,
)
from kbsync.robofy.wire import Answer as Answer  # re-exported: c.Answer, c.Route, ...
from kbsync.robofy.wire import Route as Route
from kbsync.robofy.wire import finite, first, int_or_none, is_number, is_scalar, scalar
from kbsync.robofy.wire import seen_keys as seen_keys
from kbsync.robofy.wire import shape_error as shape_error

DEFAULT_BASE_URL = "https://agents.robofy.ai"


# --- routes -------------------------------------------------------

LIST_AGENTS = Route("GET", "/v1/ai-agent/chatbot/{pid}")  # [I]
CREATE_AGENT = Route("POST", "/v1/ai-agent/chatbot/{pid}")  # [I]
UPDATE_AGENT = Route("PUT", "/v1/ai-agent/chatbot/{pid}/{cid}")  # [I]
GET_SETTINGS = Route("GET", "/v1/ai-agent/chatbot_ai_settings/{pid}/{cid}")  # [D]
UPDATE_SETTINGS = Route("PUT", "/v1/ai-agent/chatbot_ai_settings/{pid}/{cid}")  # [A]
GET_PERSONA = Route("GET", "/v1/ai-agent/persona/{pid}/{cid}")  # [A]
UPDATE_PERSONA = Route("PUT", "/v1/ai-agent/persona/{pid}/{cid}")  # [A]
LIST_LINKAGES = Route("GET", "/v1/ai-agent/chatbot_asset_link/{pid}/{cid}")  # [I]
DELINK = Route("DELETE", "/v1/ai-agent/chatbot_asset_delink")  # [I]
ADD_TEXT = Route("POST", "/v1/ai-agent/link_content/{pid}")  # [I]
ADD_FILE = Route("POST", "/v1/ai-agent/upload_file/{pid}")  # [A]
CRAWL = Route("POST", "/v1/ai-agent/crawl_website")  # [I]
CRAWL_STATUS = Route("GET", "/v1/ai-agent/crawl_status/{pid}/{cid}")  # [I]
CHAT = Route("POST", "/v1/ai-agent/chat", safe_to_repeat=True)  # [D]
GET_PROJECT = Route("GET", "/v1/projects/{pid}")  # [I]
# the projects the key sees, for `kbsync import` without a project id; path and shape
# assumed like GET_PROJECT's (a list of project objects with id and name)
LIST_PROJECTS = Route("GET", "/v1/projects")  # [A]
ACCOUNT_LIMIT = Route("GET", "/v1/account/limit")  # [I]

# --- pagination [A] -------------------------------------------------------

PAGE_TOKEN_PARAM = "nextPageToken"
PAGE_LIMIT_PARAM = "limit"
PAGE_LIMIT = 200  # the emulator's maximum: fewest round trips
ITEM_KEYS = ("items", "list", "records", "assets", "chatbots")

# --- limits -------------------------------------------------------

MAX_FILE_BYTES = 10 * 1024 * 1024  # [D] 10 MB, [A] binary megabytes
# fmt: off
FILE_EXTENSIONS = (
    ".pdf", ".docx", ".doc", ".xls", ".xlsx", ".txt", ".html", ".htm", ".md", ".markdown", ".json",
)
# fmt: on
MAX_TEXT_CHARS = 1_000_000  # [A] characters of one text's content
DELINK_BATCH = 100  # [A] ids per delink request

# --- statuses [A] -------------------------------------------------------

# fmt: off
_STATES = {
    PENDING: (
        "uploaded", "processing", "pending", "queued", "linked", "crawling", "running",
        "in_progress",
    ),
    READY: ("active", "completed", "complete", "ready", "success", "done", "trained"),
    FAILED: ("failed", "fail", "error", "errored"),
}
# fmt: on
_STATE_OF = {raw: state for state, raws in _STATES.items() for raw in raws}


def is_known_status(raw_status: str) -> bool:
    return raw_status.strip().lower() in _STATE_OF


def state_of(raw_status: object) -> str:
    """kbsync's state for a Robofy status string; an unknown one is "not ready yet"."""
    return _STATE_OF.get(str(raw_status or "").strip().lower(), PENDING)


# --- envelopes -------------------------------------------------------


def payload(answer: Answer) -> Any:
    """Success envelope: {"message", "data"} -> data; a bare object is its own payload."""
    body = answer.body
    if isinstance(body, dict) and "data" in body:
        return body["data"]
    return body


def error_fields(body: Any) -> tuple[str, str, str]:
    """(message, code, detail) of an error envelope; blanks when absent or odd."""
    if not isinstance(body, dict):
        return "", "", ""
    error = body.get("error")
    message = _short(body.get("message"))
    if isinstance(error, dict):
        return message, _short(error.get("code")), _short(error.get("detail"))
    return message, _short(error), ""


def _short(value: object) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value)[:500]


# --- pagination -------------------------------------------------------


def page_of(answer: Answer, what: str) -> tuple[list[Any], str | None]:
    """(items, next token) from one page, in any accepted variant."""
    data = payload(answer)
    if isinstance(data, list):
        return data, _top_level_token(answer)
    if isinstance(data, dict):
        for key in ITEM_KEYS:
            if isinstance(data.get(key), list):
                return data[key], _token_in(data) or _top_level_token(answer)
    raise shape_error(answer, f"a list of {what} (data as a list or data.{'/'.join(ITEM_KEYS)})")


def _token_in(data: Mapping[str, Any]) -> str | None:
    report = data.get("report")
    if isinstance(report, dict) and report.get("next_page_token"):
        return _token(report["next_page_token"])
    return _token(data.get("next_page_token"))


def _top_level_token(answer: Answer) -> str | None:
    body = answer.body
    return _token(body.get("next_page_token")) if isinstance(body, dict) else None


def _token(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


# --- agents -------------------------------------------------------


def parse_agent(answer: Answer, item: Any) -> RemoteAgent:
    if not isinstance(item, dict):
        raise shape_error(answer, "agent objects")
    chatbot_id = item.get("chatbot_id", item.get("id"))
    name = item.get("name") or ""  # a dashboard agent may have none
    if chatbot_id in (None, "") or not isinstance(name, str):
        raise shape_error(answer, "agent objects with chatbot_id (or id) and a string name")
    profile = {f: scalar(item[f]) for f in PROFILE_FIELDS if f in item and finite(item[f])}
    return RemoteAgent(str(chatbot_id), name, profile, str(item.get("status") or ""))


def profile_to_wire(profile: Mapping[str, Scalar]) -> dict[str, Scalar]:
    """Only the known profile fields, as Robofy names them (the same names)."""
    return {k: v for k, v in profile.items() if k in PROFILE_FIELDS}


CREATE_DEFAULTS: dict[str, Scalar] = {"language": "en"}  # [D] language is required on create


def created_agent_id(answer: Answer) -> str:
    """[D] data is the new chatbot id; [A] also an object carrying chatbot_id / id."""
    data = payload(answer)
    if isinstance(data, dict):
        data = data.get("chatbot_id", data.get("id"))
    if isinstance(data, (str, int)) and not isinstance(data, bool) and str(data):
        return str(data)
    raise shape_error(answer, "the new chatbot id as data")


# --- settings -------------------------------------------------------

PROMPT_FIELD = "system_prompt_text"


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


def settings_to_wire(values: Mapping[str, Scalar]) -> dict[str, Scalar]:
    """Native settings -> wire types: temperature 0.5 -> "0.5", thinking_mode -> str."""
    wire: dict[str, Scalar] = {}
    for key, value in values.items():
        if key in SECRET_FIELDS or key == PROMPT_FIELD:  # secrets: never sent
            continue
        wire[key] = _setting_to_wire(key, value)
    return wire


def _setting_to_wire(key: str, value: Scalar) -> Scalar:
    if key == "temperature" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(float(value))
    if key == "thinking_mode" and value is not None:
        return str(int(value)) if isinstance(value, bool) else str(value)
    return value


def prompt_to_wire(prompt: str) -> dict[str, Scalar]:
    return {PROMPT_FIELD: prompt}


# --- persona, project, limits -------------------------------------------------------


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


LIMIT_KEYS = tuple(
    f"{usage}_{thing}"
    for usage in ("max", "used")
    for thing in ("chatbots", "files", "links", "storage_mb")
)


def parse_limits(answer: Answer) -> dict[str, int]:
    """The limits kbsync recognises; anything else is ignored."""
    data = payload(answer)
    if not isinstance(data, dict):
        return {}
    return {k: int(data[k]) for k in LIMIT_KEYS if is_number(data.get(k))}


# --- linked assets -------------------------------------------------------

_ASSET_TYPES = {"file": FILE, "text": TEXT, "url": URL}
NAME_KEYS = ("asset_name", "name", "file_name", "url")  # [A] aliases, in order of preference
TYPE_KEYS = ("asset_type", "type")


def parse_linkage(answer: Answer, item: Any) -> RemoteLinkage:
    if not isinstance(item, dict):
        raise shape_error(answer, "linkage objects")
    linkage_id = int_or_none(item.get("linkage_id"))
    if linkage_id is None:
        raise shape_error(answer, "linkage objects with an integer linkage_id")
    raw_type = str(first(item, TYPE_KEYS) or "").strip().lower()
    raw_status = str(item.get("status") or "")
    return RemoteLinkage(
        linkage_id=linkage_id,
        asset_id=int_or_none(item.get("asset_id")),
        asset_type=_ASSET_TYPES.get(raw_type, raw_type),
        asset_name=str(first(item, NAME_KEYS) or ""),
        state=state_of(raw_status),
        raw_status=raw_status,
        created_at=str(item.get("created_at") or ""),
    )


def text_body(pid: int, chatbot_id: str, file_name: str, content: str) -> dict[str, Any]:
    del pid  # the project travels in the path for this endpoint
    return {"chatbot_id": chatbot_id, "content": content, "file_name": file_name}


FILE_FIELD = "file"
FILE_METADATA = json.dumps({"source": "kbsync"})


def file_form(chatbot_id: str) -> dict[str, str]:
    return {"chatbot_id": chatbot_id, "metadata": FILE_METADATA}


def added_linkage(answer: Answer, asset_type: str, asset_name: str) -> RemoteLinkage:
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
        state=state_of(raw_status),
        raw_status=raw_status,
        created_at=str(data.get("created_at") or ""),
    )


def delink_body(pid: int, chatbot_id: str, linkage_ids: list[int]) -> dict[str, Any]:
    return {"project_id": str(pid), "chatbot_id": chatbot_id, "linkage_ids": linkage_ids}


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


ERROR_NOT_FOUND = "NOT_FOUND"  # [A] the code for "those linkage ids are not linked"


# --- websites -------------------------------------------------------


def crawl_body(pid: int, chatbot_id: str, site: DesiredSite) -> dict[str, Any]:
    body: dict[str, Any] = {
        "project_id": str(pid),
        "chatbot_id": chatbot_id,
        "start_urls": [{"url": site.url}],
        "include_urls": list(site.include),
        "exclude_urls": list(site.exclude),
        "use_sitemap": "1" if site.use_sitemap else "0",
        "is_main_website": site.main,
    }
    if site.max_pages is not None:
        body["max_crawl_pages"] = site.max_pages
    if site.max_depth is not None:
        body["max_crawl_depth"] = site.max_depth
    return body


def started_crawl(answer: Answer, site: DesiredSite) -> CrawlRun:
    data = payload(answer)
    if not isinstance(data, dict) or data.get("run_id") in (None, ""):
        raise shape_error(answer, "an object with run_id")
    run = parse_crawl_run(answer, data)
    return run if run.start_urls else run._replace(start_urls=(site.url,))


def parse_crawl_run(answer: Answer, item: Any) -> CrawlRun:
    if not isinstance(item, dict) or item.get("run_id") in (None, ""):
        raise shape_error(answer, "crawl run objects with run_id")
    return CrawlRun(
        run_id=str(item["run_id"]),
        state=state_of(item.get("status")),
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


RUN_ID_PARAM = "run_id"  # [A]


# --- chat -------------------------------------------------------


def chat_body(pid: int, chatbot_id: str, query: str, session_id: str | None) -> dict[str, Any]:
    context: dict[str, str] = {"platform": "kbsync"}
    if session_id:
        context["session_id"] = session_id
    return {"query": query, "pid": str(pid), "chatbot_id": chatbot_id, "user_context": context}


def chat_answer(answer: Answer) -> str:
    data = payload(answer)
    if isinstance(data, dict) and isinstance(data.get("answer"), str):
        return str(data["answer"])
    raise shape_error(answer, "an object with answer")


# --- shape verdicts (kbsync.robofy.shapes judges; `kbsync doctor` shows them) ----------------

CANONICAL = "canonical"  # exactly the shape this file calls canonical (the emulator's)
VARIANT = "variant"  # another shape of the closed list above
UNKNOWN_SHAPE = "unknown"  # nothing kbsync knows
