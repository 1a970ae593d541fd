"""What import writes for odd remote values: converted, left out with a reason, escaped."""

from __future__ import annotations

import yaml

from kbsync.adopt.manifest_text import agent_keys, build_manifest
from kbsync.adopt.snapshots import AgentSnapshot
from kbsync.model import PENDING, TEXT, CrawlRun, RemoteAgent, RemoteLinkage, RemoteSettings


def snapshot(**changes) -> AgentSnapshot:
    base = AgentSnapshot(
        agent=RemoteAgent("cb_1", "Bot", {"name": "Bot", "language": "en", "avatar_url": ""}),
        settings=RemoteSettings("Be nice.", {}),
        persona={},
        linkages=(),
    )
    return base._replace(**changes)


def test_string_typed_numbers_are_converted_and_unfit_values_left_out():
    settings = {
        "chunk_size": "1000",
        "enable_chatbot_memory": "true",
        "temperature": "hot",
        "unknown_setting": 1,
        "llm_api_key": "sk-should-never-appear-0123456789abcdef",
    }
    built = build_manifest(1, [snapshot(settings=RemoteSettings("", settings))])
    agent = yaml.safe_load(built.text)["agents"]["bot"]
    assert agent["settings"] == {"chunk_size": 1000, "enable_chatbot_memory": True}
    assert "# Not imported: temperature: Robofy's value does not fit" in built.text
    assert "llm_api_key" not in built.text and "sk-should" not in built.text
    assert "unknown_setting" not in built.text
    assert "prompt" not in agent and built.files == {}  # an empty prompt is not declared


def test_secret_looking_persona_values_are_left_out_and_dollars_escaped():
    persona = {"name": "Ava ${NOT_A_VAR}", "api_token": "abcdef0123456789abcdef", "n": 3}
    built = build_manifest(1, [snapshot(persona=persona)])
    agent = yaml.safe_load(built.text)["agents"]["bot"]
    assert agent["persona"] == {"name": "Ava $${NOT_A_VAR}", "n": 3}
    assert "# Not imported: persona.api_token: looks like a secret" in built.text
    assert "abcdef0123456789" not in built.text
    assert "avatar_url" not in agent  # blank profile values are not declared


def test_missing_persona_endpoint_and_running_crawl_are_said_in_comments():
    running = CrawlRun("r1", PENDING, ("https://a.example/",))
    built = build_manifest(1, [snapshot(persona=None, crawls=(running,))])
    assert "# The persona could not be read" in built.text
    assert "# A crawl was running during the import" in built.text
    assert "persona:" not in built.text


def test_listed_assets_keep_odd_names_on_one_comment_line():
    link = RemoteLinkage(7, 7, TEXT, 'line one\nline "two"', "ready", "Active")
    built = build_manifest(1, [snapshot(linkages=(link,))])
    assert '#   text "line one\\nline \\"two\\"" (linkage 7, Active)' in built.text
    assert yaml.safe_load(built.text)["agents"]["bot"]["prune"] == "none"


def test_agent_keys_are_valid_and_unique():
    assert agent_keys(["Demo Bot", "demo bot!", "Ünïcode only", "---"]) == [
        "demo-bot",
        "demo-bot-2",
        "unicode-only",
        "agent",
    ]
