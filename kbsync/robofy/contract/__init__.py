"""Robofy's wire contract as kbsync assumes it: routes, envelopes, shapes, names.

Every [A] (assumed) and [I] (inferred) item of ``docs/robofy-contract.md``
lives here and only here, so a real account that answers differently is a
one-file fix. The rule: strict in what we send, tolerant in what we accept,
but only within a CLOSED list of variants; anything else is a ShapeError naming
the endpoint, the HTTP status and the top-level keys seen (never any value).
The vocabulary (Route, Answer, shape_error) is in ``wire``; how canonical an answer
is (for `kbsync doctor`) is judged in ``shapes``; the parsers that read answers with
these names are in ``readers``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from kbsync.conversations import BOT, USER
from kbsync.model import (
    FAILED,
    FILE,
    PENDING,
    PROFILE_FIELDS,
    READY,
    SECRET_FIELDS,
    TEXT,
    URL,
    AssetState,
    DesiredSite,
    Scalar,
)
from kbsync.robofy.wire import Answer as Answer  # re-exported: c.Answer, c.Route, ...
from kbsync.robofy.wire import Route as Route
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
LIST_SESSIONS = Route("GET", "/v1/inbox/sessions/{pid}/{cid}")  # [A] Inbox: List Sessions
LIST_SESSION_MESSAGES = Route("GET", "/v1/inbox/session_messages/{pid}/{cid}")  # [A]

# --- pagination [A] -------------------------------------------------------

PAGE_TOKEN_PARAM = "nextPageToken"
PAGE_LIMIT_PARAM = "limit"
PAGE_LIMIT = 200  # the emulator's maximum: fewest round trips
# [D] E1: a server may reject `limit` (400 on the first page): retried once without it
ITEM_KEYS = ("items", "list", "records", "assets", "chatbots", "sessions", "messages")
REPORT_KEY, REPORT_ROWS = "report", "rows"  # [D] E1: List Leads' data.report.rows

# --- limits -------------------------------------------------------

MAX_FILE_BYTES = 10 * 1024 * 1024  # [D] 10 MB, [A] binary megabytes
# fmt: off
FILE_EXTENSIONS = (
    ".pdf", ".docx", ".doc", ".xls", ".xlsx", ".txt", ".html", ".htm", ".md", ".markdown", ".json",
)
# fmt: on
MAX_TEXT_CHARS = 1_000_000  # [A] characters of one text's content
MAX_NAME_CHARS = 255  # [A] an agent's name and language; a persona key
MAX_PROFILE_TEXT_CHARS = 2_000  # [A] an agent's description and avatar_url
MAX_PROMPT_CHARS = 100_000  # [A] the system prompt
MAX_CRAWL_PAGES = 10_000  # [A] max_crawl_pages
MAX_CRAWL_DEPTH = 100  # [A] max_crawl_depth
MAX_QUERY_CHARS = 10_000  # [A] one chat question
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
# [D] E4: documented status examples whose meaning (final or not) the docs leave open;
# read as pending (safe for make-before-break) unless the manifest's `api:` says otherwise
AMBIGUOUS_STATUSES = ("linked", "uploaded")

StatusMap = Mapping[str, str]  # lower-case raw status -> PENDING / READY / FAILED (`api:`)


def is_known_status(raw_status: str, overrides: StatusMap | None = None) -> bool:
    raw = raw_status.strip().lower()
    return raw in (overrides or {}) or raw in _STATE_OF


def state_of(raw_status: object, overrides: StatusMap | None = None) -> AssetState:
    """kbsync's state for a Robofy status string; an unknown one is "not ready yet".

    ``overrides`` (the manifest's `api:` section) beats the built-in mapping."""
    raw = str(raw_status or "").strip().lower()
    override = (overrides or {}).get(raw)
    return AssetState(override) if override else _STATE_OF.get(raw, PENDING)


def is_ambiguous_status(raw_status: str, overrides: StatusMap | None = None) -> bool:
    """A status the docs leave open that the manifest's `api:` section does not settle."""
    raw = raw_status.strip().lower()
    return raw not in (overrides or {}) and (raw in AMBIGUOUS_STATUSES or raw not in _STATE_OF)


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
        report = data.get(REPORT_KEY)
        if isinstance(report, dict) and isinstance(report.get(REPORT_ROWS), list):
            return report[REPORT_ROWS], _token_in(data)
    raise shape_error(
        answer,
        f"a list of {what} (data as a list, data.{'/'.join(ITEM_KEYS)} or data.report.rows)",
    )


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


AGENT_ID_KEYS = ("chatbot_id", "id")
AGENT_NAME_KEYS = ("name", "agent_name")  # [D] E2: Handshake's data.chatbots[].agent_name
# [D] E2: profile fields under another name; agent_type ("Public") is a display string
# whose integer `type` is unknown, so it is not read as `type`
PROFILE_ALIASES = {"avatar_url": ("avatar_image_path",)}


def profile_to_wire(profile: Mapping[str, Scalar]) -> dict[str, Scalar]:
    """Only the known profile fields, as Robofy names them (the same names)."""
    return {k: v for k, v in profile.items() if k in PROFILE_FIELDS}


CREATE_DEFAULTS: dict[str, Scalar] = {"language": "en"}  # [D] language is required on create


# --- settings -------------------------------------------------------

PROMPT_FIELD = "system_prompt_text"


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


LIMIT_KEYS = tuple(
    f"{usage}_{thing}"
    for usage in ("max", "used")
    for thing in ("chatbots", "files", "links", "storage_mb")
)


# --- linked assets -------------------------------------------------------

_ASSET_TYPES = {"file": FILE, "text": TEXT, "url": URL}
# [A] aliases, in order of preference; [D] E3: llm_source may be the only one, as a string
NAME_KEYS = ("asset_name", "name", "file_name", "url", "llm_source")
NAME_PREFIX = "document/"  # [D] E3: Add Text answers llm_source "document/<file_name>"
TYPE_KEYS = ("asset_type", "type")


def text_body(pid: int, chatbot_id: str, file_name: str, content: str) -> dict[str, Any]:
    del pid  # the project travels in the path for this endpoint
    return {"chatbot_id": chatbot_id, "content": content, "file_name": file_name}


FILE_FIELD = "file"
FILE_METADATA = json.dumps({"source": "kbsync"})


def file_form(chatbot_id: str) -> dict[str, str]:
    return {"chatbot_id": chatbot_id, "metadata": FILE_METADATA}


def delink_body(pid: int, chatbot_id: str, linkage_ids: list[int]) -> dict[str, Any]:
    return {"project_id": str(pid), "chatbot_id": chatbot_id, "linkage_ids": linkage_ids}


# [D] E5: 404 codes are resource-specific (PROJECT_NOT_FOUND), so on a delink any 404 is
# "some id may be gone already": confirmed by re-listing, never trusted or raised at once


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


RUN_ID_PARAM = "run_id"  # [A]


# --- chat -------------------------------------------------------


# [D] fair-use policy: chat messages per account; [A] how the limit is signalled (429 +
# Retry-After, like any rate limit) and that a re-sent request counts as a message
CHAT_PER_MINUTE = 30
CHAT_PER_DAY = 5_000
CHAT_PLATFORM = "web"  # [D] E6: user_context.platform is required; documented: web, whatsapp
# [A] Robofy keeps a session id the client gives: kbsync's own chats (golden questions) get
# ids with this prefix, so `kbsync gaps` can leave them out (the platform must stay "web")
OWN_SESSION_PREFIX = "kbsync-check-"


def chat_body(pid: int, chatbot_id: str, query: str, session_id: str | None) -> dict[str, Any]:
    context: dict[str, str] = {"platform": CHAT_PLATFORM}
    context["session_id"] = session_id or OWN_SESSION_PREFIX + uuid.uuid4().hex
    return {"query": query, "pid": str(pid), "chatbot_id": chatbot_id, "user_context": context}


# --- inbox [A: the List Sessions / List Session Messages pages were not recovered] ----------

SESSION_ID_PARAM = "session_id"  # [A] List Session Messages names its session in the query
SINCE_PARAM = "since"  # [A] sessions active at or after this time; kbsync also filters itself
SESSION_TIME_KEYS = ("updated_at", "last_message_at", "created_at")  # [A] last activity first
MESSAGE_TEXT_KEYS = ("content", "message", "text")  # [A] aliases, in order of preference
INLINE_MESSAGES_KEY = "messages"  # [A] a session item's first messages
MESSAGE_COUNT_KEY = "message_count"  # [A] how many messages the session has in all
_ROLES = {  # [A] who wrote a message, case-insensitive
    **dict.fromkeys(("user", "customer", "visitor", "human"), USER),
    **dict.fromkeys(("assistant", "bot", "ai", "agent", "chatbot"), BOT),
}
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def since_param(epoch: float) -> dict[str, str | int]:
    return {SINCE_PARAM: datetime.fromtimestamp(epoch, tz=timezone.utc).strftime(_TIME_FORMAT)}


# --- shape verdicts (kbsync.robofy.shapes judges; `kbsync doctor` shows them) ----------------

CANONICAL = "canonical"  # exactly the shape this file calls canonical (the emulator's)
VARIANT = "variant"  # another shape of the closed list above
UNKNOWN_SHAPE = "unknown"  # nothing kbsync knows
