"""Small helpers for the emulator's own tests (plain functions over an httpx.Client)."""

from __future__ import annotations

from typing import Any

import httpx

A = "/v1/ai-agent"


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The error envelope with this status and code; returns the body."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"message", "error"}
    assert isinstance(body["message"], str) and body["message"]
    assert set(body["error"]) == {"code", "detail"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["detail"], str) and body["error"]["detail"]
    assert "Traceback" not in response.text
    return body


def data_of(response: httpx.Response, message: str = "Success") -> Any:
    """The ``data`` of a 200 success envelope."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"message", "data"}
    assert body["message"] == message
    return body["data"]


def create_agent(client: httpx.Client, name: str = "Bot", pid: int = 1) -> str:
    response = client.post(f"{A}/chatbot/{pid}", json={"name": name, "language": "en"})
    cid = data_of(response, "Chatbot created successfully")
    assert isinstance(cid, str)
    return cid


def add_text(client: httpx.Client, cid: str, content: str, name: str = "text") -> dict[str, Any]:
    body = {"chatbot_id": cid, "content": content, "file_name": name}
    response = client.post(f"{A}/link_content/1", json=body)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


def all_pages(
    client: httpx.Client, path: str, limit: int | None = None, **query: Any
) -> list[dict[str, Any]]:
    """Every item of a paginated list, following nextPageToken (``query`` kept on each page)."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {**query, **({"limit": limit} if limit else {})}
    while True:
        page = data_of(client.get(path, params=params))
        assert set(page) == {"items", "next_page_token"}
        items.extend(page["items"])
        if page["next_page_token"] is None:
            return items
        params["nextPageToken"] = page["next_page_token"]


def linkages(client: httpx.Client, cid: str) -> list[dict[str, Any]]:
    return all_pages(client, f"{A}/chatbot_asset_link/1/{cid}")
