"""RobofyClient against the real emulator, in-process and over loopback HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbsync.errors import AuthError, NotFoundError, RobofyError
from kbsync.model import FILE, PENDING, READY, TEXT, URL, DesiredSite
from kbsync.robofy.client import RobofyClient

Robofy = tuple[RobofyClient, Any]


def _counts(app: Any) -> dict[str, int]:
    return dict(app.state()["requests"]["by_route"])


def _linked(app: Any) -> list[dict[str, Any]]:
    return [link for link in app.state()["linkages"] if link["linked"]]


def test_agents_profile_prompt_settings_persona(robofy: Robofy) -> None:
    client, app = robofy
    cid = client.create_agent({"name": "Support", "language": "en", "description": "help"})
    [agent] = client.list_agents()
    assert (agent.chatbot_id, agent.name, agent.profile["description"]) == (cid, "Support", "help")
    client.update_agent(cid, {"description": "better help"})
    assert client.list_agents()[0].profile["description"] == "better help"

    client.update_prompt(cid, "You are kind.")
    client.update_settings(cid, {"temperature": 0.2, "thinking_mode": "0", "chunk_size": 700})
    settings = client.get_settings(cid)
    assert settings.prompt == "You are kind."
    assert {k: settings.values[k] for k in ("temperature", "thinking_mode", "chunk_size")} == {
        "temperature": 0.2,
        "thinking_mode": "0",
        "chunk_size": 700,
    }
    assert "llm_api_key" not in settings.values
    assert app.state()["settings"][cid]["temperature"] == "0.2"  # the wire type, server side

    client.update_persona(cid, {"role": "guide", "formal": True})
    assert client.get_persona(cid) == {"role": "guide", "formal": True}


def test_texts_files_delink(robofy: Robofy, tmp_path: Path) -> None:
    client, app = robofy
    cid = client.create_agent({"name": "Docs", "language": "en"})
    text = client.add_text(cid, "kb~faq.md", "Q: why?\nA: because.")
    path = tmp_path / "guide.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 100)
    file = client.add_file(cid, "kb~guide.pdf", path)
    assert (text.asset_type, file.asset_type) == (TEXT, FILE)

    links = {link.asset_name: link for link in client.list_linkages(cid)}
    assert set(links) == {"kb~faq.md", "kb~guide.pdf"}
    assert links["kb~guide.pdf"].linkage_id == file.linkage_id
    assert all(link.state in (PENDING, READY) for link in links.values())

    assert client.delink(cid, [text.linkage_id]) == [text.linkage_id]
    assert [link.asset_name for link in client.list_linkages(cid)] == ["kb~guide.pdf"]
    assert [link["asset_name"] for link in _linked(app)] == ["kb~guide.pdf"]
    # delinking again is a no-op, not an error
    assert client.delink(cid, [text.linkage_id]) == [text.linkage_id]


def test_crawl_and_runs(robofy: Robofy) -> None:
    client, app = robofy
    cid = client.create_agent({"name": "Web", "language": "en"})
    site = DesiredSite("site:https://docs.example.test/", "https://docs.example.test/", max_pages=4)
    run = client.crawl(cid, site)
    assert run.state == PENDING and run.start_urls == ("https://docs.example.test/",)
    app.advance_clock(60)
    [done] = client.crawl_runs(cid, run.run_id)
    assert (done.run_id, done.state, done.pages_crawled) == (run.run_id, READY, 4)
    pages = [link for link in client.list_linkages(cid) if link.asset_type == URL]
    assert len(pages) == 4 and all(
        p.asset_name.startswith("https://docs.example.test") for p in pages
    )


def test_chat_project_limits(robofy: Robofy) -> None:
    client, _ = robofy
    cid = client.create_agent({"name": "Chat", "language": "en"})
    assert isinstance(client.chat(cid, "hello?"), str)
    assert client.get_project()["id"] == 1
    limits = client.account_limits()
    assert limits["used_chatbots"] == 1 and "max_files" in limits


def test_lists_read_200_per_page(robofy: Robofy) -> None:
    client, app = robofy
    cid = client.create_agent({"name": "Many", "language": "en"})
    for i in range(201):  # one more than a page
        client.add_text(cid, f"t{i}.md", f"text {i}")
    before = _counts(app)
    links = client.list_linkages(cid)
    after = _counts(app)
    assert sorted(link.asset_name for link in links) == sorted(f"t{i}.md" for i in range(201))
    route = "GET /v1/ai-agent/chatbot_asset_link/{pid}/{cid}"
    assert after[route] - before.get(route, 0) == 2


# --- errors the emulator answers --------------------------------------------------------------


def test_wrong_key_and_foreign_project(emulator_app: Any) -> None:
    import httpx

    transport = httpx.WSGITransport(app=emulator_app)
    with RobofyClient("wrong-key", 1, "http://e.local", transport=transport) as client:
        with pytest.raises(AuthError) as caught:
            client.list_agents()
        assert caught.value.status == 401
    with RobofyClient("other-key", 1, "http://e.local", transport=transport) as client:
        with pytest.raises(AuthError) as caught:
            client.list_agents()
        assert caught.value.status == 403


def test_unknown_agent_is_not_found(robofy: Robofy) -> None:
    client, _ = robofy
    with pytest.raises(NotFoundError) as caught:
        client.get_settings("cb_missing")
    assert caught.value.endpoint == "GET /v1/ai-agent/chatbot_ai_settings/{pid}/{cid}"
    assert caught.value.code


def test_file_limits_are_enforced_by_the_emulator(robofy: Robofy, tmp_path: Path) -> None:
    client, _ = robofy
    cid = client.create_agent({"name": "Limits", "language": "en"})
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (10 * 1024 * 1024 + 1))
    with pytest.raises(RobofyError) as caught:
        client.add_file(cid, "big.txt", big)
    assert caught.value.status == 413
    odd = tmp_path / "tool.exe"
    odd.write_bytes(b"MZ")
    with pytest.raises(RobofyError) as caught:
        client.add_file(cid, "tool.exe", odd)
    assert caught.value.status == 415
