"""The loopback server itself: concurrency, chunked bodies, streamed uploads."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from kbsync.emulator import EmulatorApp
from kbsync.emulator.server import BackgroundServer
from tests.conftest import emulator_http_client
from tests.emulator.helpers import A, create_agent, data_of, linkages


def chunks() -> Iterator[bytes]:
    yield b'{"name": "Chunky",'
    yield b' "language": "en"}'


def test_concurrent_requests_with_latency_all_succeed(
    emulator_app: EmulatorApp, emulator_server: BackgroundServer
) -> None:
    emulator_app.set_faults(latency_ms=50)
    with emulator_http_client(emulator_app, emulator_server.base_url) as client:

        def create(index: int) -> int:
            body = {"name": f"Bot {index}", "language": "en"}
            return client.post(f"{A}/chatbot/1", json=body).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(create, range(16)))
    assert codes == [200] * 16
    state = emulator_app.state()
    assert len({agent["chatbot_id"] for agent in state["agents"]}) == 16
    assert state["requests"]["by_route"] == {"POST /v1/ai-agent/chatbot/{pid}": 16}


def test_in_process_app_is_thread_safe(
    emulator_app: EmulatorApp, emulator_client: httpx.Client
) -> None:
    cid = create_agent(emulator_client)

    def add(index: int) -> int:
        body = {"chatbot_id": cid, "content": f"text {index}", "file_name": f"t{index}"}
        return emulator_client.post(f"{A}/link_content/1", json=body).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(add, range(40))) == {200}
    assert len(linkages(emulator_client, cid)) == 40


def test_chunked_request_bodies(
    emulator_app: EmulatorApp, emulator_server: BackgroundServer, emulator_client: httpx.Client
) -> None:
    headers = {"Content-Type": "application/json"}
    with emulator_http_client(emulator_app, emulator_server.base_url) as client:
        response = client.post(f"{A}/chatbot/1", content=chunks(), headers=headers)
        assert response.request.headers["Transfer-Encoding"] == "chunked"
        data_of(response, "Chatbot created successfully")
    response = emulator_client.post(f"{A}/chatbot/1", content=chunks(), headers=headers)
    data_of(response, "Chatbot created successfully")
    assert [a["name"] for a in emulator_app.state()["agents"]] == ["Chunky", "Chunky"]


def test_file_streamed_from_disk(
    emulator_app: EmulatorApp, emulator_server: BackgroundServer, tmp_path: Path
) -> None:
    path = tmp_path / "manual.md"
    path.write_bytes(b"# Manual\n" + b"line\n" * 50_000)
    with emulator_http_client(emulator_app, emulator_server.base_url) as client:
        cid = create_agent(client)
        with path.open("rb") as handle:
            form = {"chatbot_id": cid}
            response = client.post(f"{A}/upload_file/1", files={"file": handle}, data=form)
        data_of(response, "Chatbot asset linkage initiated.")
        (link,) = linkages(client, cid)
    assert link["asset_name"] == "manual.md"
    assert emulator_app.state()["assets"][0]["size"] == path.stat().st_size
