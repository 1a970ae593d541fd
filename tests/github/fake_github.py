"""A small fake of GitHub's issue-comment endpoints, served over loopback HTTP.

Just the routes the sticky comment uses, answered the way GitHub does:

    GET   /user                                            403 for the Actions token (as
                                                           GitHub answers it), else the login
    GET   /repos/{owner}/{repo}/issues/{number}/comments   ?per_page=&page=, Link headers
    POST  /repos/{owner}/{repo}/issues/{number}/comments   201 + the comment, by the bot
    PATCH /repos/{owner}/{repo}/issues/comments/{id}       200 + the comment
    POST  /graphql                                         ``nodes(ids:)``: isMinimized

Bearer-token auth (401 "Bad credentials" otherwise); every request is recorded.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "ghs_fake_token_123"
BOT = "github-actions[bot]"  # who the Actions token's comments are by
_LIST = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
_ONE = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")


class FakeGitHub:
    def __init__(self, max_page_size: int = 100) -> None:
        self.max_page_size = max_page_size
        self.comments: list[dict[str, Any]] = []  # each: id, repo, issue, body, user
        self.requests: list[tuple[str, str]] = []  # (method, path with query)
        self.url = ""
        self.login: str | None = None  # None: the Actions token (GET /user is 403)
        self._lock = threading.Lock()

    def add(
        self, repo: str, issue: int, body: str, user: str = BOT, minimized: bool = False
    ) -> int:
        with self._lock:
            comment = {
                "id": 1_000 + len(self.comments),
                "repo": repo,
                "issue": issue,
                "body": body,
                "user": {"login": user},
                "minimized": minimized,
            }
            self.comments.append(comment)
            return int(comment["id"])

    def on(self, repo: str, issue: int) -> list[dict[str, Any]]:
        return [c for c in self.comments if c["repo"] == repo and c["issue"] == issue]

    def count(self, method: str) -> int:
        """Requests of the comment routes (not /user, not /graphql)."""
        asides = ("/user", "/graphql")
        return sum(1 for m, path in self.requests if m == method and path not in asides)


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PATCH(self) -> None:
            self._route("PATCH")

        def _route(self, method: str) -> None:
            fake.requests.append((method, self.path))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(401, {"message": "Bad credentials"})
            parts = urlsplit(self.path)
            if parts.path == "/user" and method == "GET":
                return self._user()
            if parts.path == "/graphql" and method == "POST":
                return self._graphql()
            listing, one = _LIST.match(parts.path), _ONE.match(parts.path)
            if listing and method == "GET":
                return self._list(listing[1], int(listing[2]), parse_qs(parts.query))
            if listing and method == "POST":
                body = self._body()["body"]
                comment_id = fake.add(listing[1], int(listing[2]), body, user=fake.login or BOT)
                return self._send(201, self._public(comment_id))
            if one and method == "PATCH":
                return self._patch(one[1], int(one[2]))
            return self._send(404, {"message": "Not Found"})

        def _list(self, repo: str, issue: int, query: dict[str, list[str]]) -> None:
            per_page = min(int(query.get("per_page", ["30"])[0]), fake.max_page_size)
            page = int(query.get("page", ["1"])[0])
            items = fake.on(repo, issue)
            chunk = items[(page - 1) * per_page : page * per_page]
            last = max(1, -(-len(items) // per_page))
            links = []
            base = f"{fake.url}/repos/{repo}/issues/{issue}/comments?per_page={per_page}"
            if page < last:
                links.append(f'<{base}&page={page + 1}>; rel="next"')
                links.append(f'<{base}&page={last}>; rel="last"')
            headers = {"Link": ", ".join(links)} if links else {}
            self._send(200, [self._public(c["id"]) for c in chunk], headers)

        def _patch(self, repo: str, comment_id: int) -> None:
            for comment in fake.comments:
                if comment["id"] == comment_id and comment["repo"] == repo:
                    comment["body"] = self._body()["body"]
                    return self._send(200, self._public(comment_id))
            return self._send(404, {"message": "Not Found"})

        def _user(self) -> None:
            if fake.login is None:
                return self._send(403, {"message": "Resource not accessible by integration"})
            return self._send(200, {"login": fake.login})

        def _graphql(self) -> None:
            ids = self._body()["variables"]["ids"]
            by_node = {f"IC_{c['id']}": c for c in fake.comments}
            nodes = [
                {"id": node, "isMinimized": by_node[node]["minimized"]} if node in by_node else None
                for node in ids
            ]
            return self._send(200, {"data": {"nodes": nodes}})

        def _public(self, comment_id: int) -> dict[str, Any]:
            comment = next(c for c in fake.comments if c["id"] == comment_id)
            return {
                "id": comment_id,
                "node_id": f"IC_{comment_id}",
                "body": comment["body"],
                "user": comment["user"],
            }

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length", "0"))
            data: dict[str, Any] = json.loads(self.rfile.read(length))
            return data

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def serve(fake: FakeGitHub) -> Iterator[FakeGitHub]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
