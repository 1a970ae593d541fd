"""How the emulator answers: ``canonical`` (CONTRACT.md as assumed) or ``documented``.

``documented`` answers the way EVIDENCE.md says a real account may (E1-E7): agents named
``agent_name`` with ``agent_type`` as a string and ``avatar_image_path``; every list in
``data.report.rows`` with ``data.report.next_page_token`` (``list_answer``, the one helper
every list endpoint goes through); the ``limit`` query parameter rejected with 400;
linkage names only in ``llm_source`` as ``document/<name>``; files settle at ``Linked``;
resource-specific 404 codes; chat requires ``user_context.platform`` in ``web`` /
``whatsapp``; Add Text answers ``llm_source`` as that string; Add Website needs only
``start_urls``. Every difference between the two dialects lives in this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kbsync.emulator.config import EmulatorConfig
from kbsync.emulator.context import Ctx
from kbsync.emulator.wire import ApiError, Response, bad_request, ok

CANONICAL = "canonical"
DOCUMENTED = "documented"
DIALECTS = (CANONICAL, DOCUMENTED)

CHAT_PLATFORMS = ("web", "whatsapp")
NAME_PREFIX = "document/"
READY_STATUSES = ("Active", "Linked")  # what chat answers from, in either dialect
_ACCESS_WORDS = {0: "Private", 1: "Public"}


def documented(config: EmulatorConfig) -> bool:
    return config.dialect == DOCUMENTED


def list_answer(ctx: Ctx, items: list[Any], token: str | None, *, paged: bool = True) -> Response:
    """Every list endpoint answers through here: canonical ``data.items`` (or ``data`` as
    the list when not ``paged``), documented ``data.report.rows``."""
    if documented(ctx.config):
        return ok({"report": {"rows": items, "next_page_token": token}})
    if not paged:
        return ok(items)
    return ok({"items": items, "next_page_token": token})


def check_page_query(ctx: Ctx) -> None:
    """E1: the documented list has no page-size parameter; an unknown one is rejected."""
    if documented(ctx.config) and "limit" in ctx.request.query:
        raise bad_request("unknown query parameter: limit")


def agent_answer(config: EmulatorConfig, agent: dict[str, Any]) -> dict[str, Any]:
    """E2: Handshake's names for an agent (agent_name, agent_type, avatar_image_path)."""
    if not documented(config):
        return agent
    renamed = {k: v for k, v in agent.items() if k not in ("name", "type", "avatar_url")}
    renamed["agent_name"] = agent["name"]
    renamed["agent_type"] = _ACCESS_WORDS.get(agent["access_type"], "Public")
    renamed["avatar_image_path"] = agent["avatar_url"]
    del renamed["access_type"]
    return renamed


def linkage_answer(config: EmulatorConfig, linkage: dict[str, Any]) -> dict[str, Any]:
    """E3: the name only in llm_source, as ``document/<name>``."""
    if not documented(config):
        return linkage
    named = {k: v for k, v in linkage.items() if k != "asset_name"}
    named["llm_source"] = NAME_PREFIX + str(linkage["asset_name"])
    return named


def text_llm_source(config: EmulatorConfig, file_name: str, llm_source: int) -> object:
    """E3: Add Text's documented answer carries ``document/<file_name>``."""
    return NAME_PREFIX + file_name if documented(config) else llm_source


def file_ready_status(config: EmulatorConfig) -> str:
    """E4: documented files settle at ``Linked`` (texts and pages at ``Active``)."""
    return "Linked" if documented(config) else "Active"


def not_found_code(config: EmulatorConfig, err: ApiError) -> ApiError:
    """E5: the documented 404 codes name the resource (CHATBOT_NOT_FOUND, ...)."""
    if not documented(config) or err.code != "NOT_FOUND" or not err.resource:
        return err
    specific = ApiError(err.status, f"{err.resource}_NOT_FOUND", err.detail, err.headers)
    return specific


def check_chat_context(config: EmulatorConfig, context: Mapping[str, Any]) -> None:
    """E6: user_context.platform is required; the documented values are web and whatsapp."""
    if documented(config) and context.get("platform") not in CHAT_PLATFORMS:
        raise bad_request("user_context.platform must be one of: " + ", ".join(CHAT_PLATFORMS))


def crawl_required(config: EmulatorConfig) -> tuple[str, ...]:
    """E7: the docs require only start_urls; canonical also wants project and chatbot."""
    return ("start_urls",) if documented(config) else ("project_id", "chatbot_id", "start_urls")


CRAWL_ROUTE = "POST /v1/ai-agent/crawl_website"


def default_project(
    config: EmulatorConfig, route: str, key_projects: tuple[int, ...]
) -> int | None:
    """E7: documented Add Website without project_id: the key's (lowest) project."""
    if documented(config) and route == CRAWL_ROUTE and key_projects:
        return min(key_projects)
    return None
