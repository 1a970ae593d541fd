"""The /v1 route table: method + path template -> handler, and where its project id comes from."""

from __future__ import annotations

import re
from typing import NamedTuple

from kbsync.emulator import account, agents, chat, content, crawl, inbox
from kbsync.emulator.context import Handler
from kbsync.emulator.wire import ApiError, not_found


class Route(NamedTuple):
    method: str
    template: str  # also the key of the per-route request counts
    handler: Handler
    project_from: str  # "path" ({pid}), "body" (project_id), "chat" (pid) or "none"

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


A = "/v1/ai-agent"
ROUTES = (
    Route("GET", A + "/chatbot/{pid}", agents.list_agents, "path"),
    Route("POST", A + "/chatbot/{pid}", agents.create_agent, "path"),
    Route("GET", A + "/chatbot/{pid}/{cid}", agents.get_agent, "path"),
    Route("PUT", A + "/chatbot/{pid}/{cid}", agents.update_agent, "path"),
    Route("DELETE", A + "/chatbot/{pid}/{cid}", agents.delete_agent, "path"),
    Route("GET", A + "/chatbot_ai_settings/{pid}/{cid}", agents.get_settings, "path"),
    Route("PUT", A + "/chatbot_ai_settings/{pid}/{cid}", agents.update_settings, "path"),
    Route("GET", A + "/persona/{pid}/{cid}", agents.get_persona, "path"),
    Route("PUT", A + "/persona/{pid}/{cid}", agents.update_persona, "path"),
    Route("GET", A + "/chatbot_asset_link/{pid}/{cid}", content.list_linkages, "path"),
    Route("DELETE", A + "/chatbot_asset_delink", content.delink, "body"),
    Route("POST", A + "/link_content/{pid}", content.add_text, "path"),
    Route("POST", A + "/upload_file/{pid}", content.add_file, "path"),
    Route("POST", A + "/crawl_website", crawl.crawl_website, "body"),
    Route("GET", A + "/crawl_status/{pid}/{cid}", crawl.crawl_status, "path"),
    Route("POST", A + "/chat", chat.chat, "chat"),
    Route("GET", "/v1/inbox/sessions/{pid}/{cid}", inbox.list_sessions, "path"),
    Route("GET", "/v1/inbox/session_messages/{pid}/{cid}", inbox.list_messages, "path"),
    Route("GET", "/v1/projects/{pid}", account.get_project, "path"),
    Route("GET", "/v1/account/limit", account.account_limit, "none"),
)


def _compile(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(pattern + "/?")


_PATTERNS = tuple((route, _compile(route.template)) for route in ROUTES)


def match(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route and its path parameters; 404 NOT_FOUND or 405 METHOD_NOT_ALLOWED otherwise."""
    allowed = []
    for route, pattern in _PATTERNS:
        found = pattern.fullmatch(path)
        if found and route.method == method:
            return route, found.groupdict()
        if found:
            allowed.append(route.method)
    if allowed:
        detail = f"{method} not allowed on {path}; allowed: {', '.join(allowed)}"
        raise ApiError(405, "METHOD_NOT_ALLOWED", detail, (("Allow", ", ".join(allowed)),))
    raise not_found(f"no route for {method} {path}")
