"""A loopback Robofy stand-in (threaded http.server) answering fixed bodies per read route.

``bodies`` maps a route name (``project``, ``limits``, ``agents``, ``settings``,
``persona``, ``links``, ``crawls``, ``sessions``, ``messages``) to the JSON body to
answer; CANONICAL holds the contract's canonical answers. Every request is recorded as
``(method, path)``; anything but GET is answered 405 (doctor must never send one).
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kbsync.robofy.contract import LIMIT_KEYS

ROUTES = (
    ("project", r"/v1/projects/1"),
    ("limits", r"/v1/account/limit"),
    ("agents", r"/v1/ai-agent/chatbot/1"),
    ("settings", r"/v1/ai-agent/chatbot_ai_settings/1/c1"),
    ("persona", r"/v1/ai-agent/persona/1/c1"),
    ("links", r"/v1/ai-agent/chatbot_asset_link/1/c1"),
    ("crawls", r"/v1/ai-agent/crawl_status/1/c1"),
    ("sessions", r"/v1/inbox/sessions/1/c1"),
    ("messages", r"/v1/inbox/session_messages/1/c1"),
)
AGENT = {"chatbot_id": "c1", "name": "Secret Agent Name"}
LINK = {"linkage_id": 1, "asset_type": "text", "asset_name": "private.txt", "status": "Active"}
RUN = {"run_id": "r1", "status": "completed"}
STAMP = "2026-01-01 10:00:00"
SESSION = {"session_id": "s1", "platform": "web", "created_at": STAMP, "updated_at": STAMP}
MESSAGE = {"role": "user", "content": "PRIVATE QUESTION", "created_at": STAMP}


def ok(data: Any) -> dict[str, Any]:
    return {"message": "Success", "data": data}


CANONICAL: dict[str, Any] = {
    "project": ok({"id": 1, "name": "Private project"}),
    "limits": ok(dict.fromkeys(LIMIT_KEYS, 1)),
    "agents": ok({"items": [AGENT], "next_page_token": None}),
    "settings": ok({"system_prompt_text": "PRIVATE PROMPT", "llm_api_key": "sk-PRIVATE"}),
    "persona": ok({"name": "Ava"}),
    "links": ok({"items": [LINK], "next_page_token": None}),
    "crawls": ok([RUN]),
    "sessions": ok({"items": [SESSION], "next_page_token": None}),
    "messages": ok({"items": [MESSAGE], "next_page_token": None}),
}


class VariantServer:
    def __init__(self, bodies: dict[str, Any] | None = None, status: int = 200) -> None:
        self.bodies = {**CANONICAL, **(bodies or {})}
        self.status = status
        self.requests: list[tuple[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                owner.requests.append(("GET", path))
                name = next((n for n, p in ROUTES if re.fullmatch(p, path)), None)
                if name is None:
                    body = {"message": "no", "error": {"code": "NOT_FOUND", "detail": path}}
                    return self._send(404, body)
                return self._send(owner.status, owner.bodies[name])

            def do_POST(self) -> None:
                owner.requests.append(("POST", self.path))
                self._send(405, {"message": "read-only"})

            do_PUT = do_DELETE = do_POST

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
