"""`kbsync import` without --project or ROBOFY_PROJECT_ID asks Robofy which projects the
key sees (List Projects), against a small loopback fake of that one route."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import run_kbsync


class _Fake(BaseHTTPRequestHandler):
    projects: Any = []
    asked: list[str] = []

    def do_GET(self) -> None:
        type(self).asked.append(self.path.split("?")[0])
        if self.path.split("?")[0] == "/v1/projects":
            self._send(200, {"message": "OK", "data": self.projects})
        else:
            self._send(404, {"message": "Not found", "error": {"code": "NOT_FOUND"}})

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def robofy() -> Iterator[str]:
    _Fake.asked = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _import(tmp_path: Path, base_url: str) -> Any:
    env = {"ROBOFY_API_KEY": "k-123", "ROBOFY_BASE_URL": base_url}
    return run_kbsync("import", cwd=tmp_path, env=env)


def test_the_only_project_the_key_sees_is_used(tmp_path: Path, robofy: str) -> None:
    _Fake.projects = [{"id": 12, "name": "Acme"}]
    done = _import(tmp_path, robofy)
    assert _Fake.asked[0] == "/v1/projects"
    assert "/v1/ai-agent/chatbot/12" in _Fake.asked  # then it reads project 12's agents
    assert "which project?" not in done.err


def test_several_projects_are_listed_in_the_error(tmp_path: Path, robofy: str) -> None:
    _Fake.projects = [{"id": 12, "name": "Acme"}, {"id": 15, "name": "Beta"}]
    done = _import(tmp_path, robofy)
    assert done.code == 1
    assert "which project? pass --project ID or set ROBOFY_PROJECT_ID: the API key sees 2 " in (
        done.err
    )
    assert "12 (Acme), 15 (Beta)" in done.err
    assert _Fake.asked == ["/v1/projects"]


def test_without_a_listing_the_error_says_what_to_pass(tmp_path: Path, robofy: str) -> None:
    _Fake.projects = {"unexpected": True}
    done = _import(tmp_path, robofy)
    assert done.code == 1 and "pass --project ID or set ROBOFY_PROJECT_ID" in done.err
