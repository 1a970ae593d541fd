"""`kbsync import`: a dashboard-made bot and a kbsync-applied bot both import to a
manifest whose first plan shows no changes."""

from __future__ import annotations

import pytest
import yaml

from kbsync.commands.importcmd import project_id
from kbsync.emulator import EmulatorApp
from kbsync.errors import ConfigError
from tests.adoption.conftest import World, write

SOURCE_MANIFEST = """\
version: 1
project: 1
agents:
  support:
    name: Acme Support
    description: Answers product questions
    language: en
    prompt: {file: prompts/support.md}
    settings:
      tone: Professional And Friendly
      temperature: 0.3
      enable_chatbot_memory: true
    persona:
      name: Ava
      price: "$$5 a month"
    knowledge:
      websites:
        - url: https://docs.acme.example/guide/
          max_pages: 5
      texts:
        - name: support-hours
          content: "We answer Monday to Friday, 9:00-18:00 CET."
      files:
        - path: docs/
"""


def test_dashboard_bot_imports_to_a_no_change_plan(
    world: World, emulator_app: EmulatorApp, tmp_path
):
    chatbot_id = emulator_app.seed_demo(1)
    manifest = tmp_path / "kbsync.yaml"

    imported = world.import_to(manifest)

    assert world.plan(manifest).actions == ()
    data = yaml.safe_load(manifest.read_text())
    agent = data["agents"]["demo-support-bot"]
    assert agent["id"] == chatbot_id and agent["prune"] == "none"
    assert agent["persona"] == {
        "name": "Ava",
        "role": "Customer support",
        "greeting": "Hi! How can I help?",
    }
    assert "llm_api_key" not in manifest.read_text()
    prompt = (tmp_path / agent["prompt"]["file"]).read_text()
    assert prompt.startswith("You are the friendly support assistant of Demo Shop.")
    assert [s.pages for s in imported.agents[0].sites] == [8]
    listed = [lk.asset_name for lk in imported.agents[0].listed]
    assert listed == ["Opening hours", "Shipping policy", "Returns", "faq.md", "warranty.txt"]
    for name in listed:
        assert f'"{name}"' in manifest.read_text()  # listed in the comment block


def test_first_apply_after_import_sends_no_write(world: World, emulator_app: EmulatorApp, tmp_path):
    emulator_app.seed_demo(1)
    manifest = tmp_path / "kbsync.yaml"
    world.import_to(manifest)
    before = world.writes()

    result = world.apply(manifest)

    assert result.outcomes == () and world.writes() == before


def test_kbsync_applied_state_round_trips(world: World, tmp_path, dialect):
    source = write(tmp_path / "src" / "kbsync.yaml", SOURCE_MANIFEST)
    write(tmp_path / "src" / "prompts" / "support.md", "You help Acme customers. Prices in $.\n")
    write(
        tmp_path / "src" / "docs" / "faq.md", "# FAQ\nReset your password from the sign-in page.\n"
    )
    assert not world.apply(source).failed
    assert world.plan(source).actions == ()
    imported_path = tmp_path / "imported" / "kbsync.yaml"

    imported = world.import_to(imported_path)

    assert world.plan(imported_path).actions == ()
    agent = yaml.safe_load(imported_path.read_text())["agents"]["acme-support"]
    assert agent["persona"]["price"] == "$$5 a month"  # a literal $, escaped for interpolation
    assert agent["knowledge"]["websites"][0]["url"] == "https://docs.acme.example/guide/"
    assert agent["settings"]["tone"] == "Professional And Friendly"
    owned = sorted(lk.asset_name for lk in imported.agents[0].listed)
    text = imported_path.read_text()
    assert len(owned) == 2 and "kbsync's text:support-hours" in text
    assert "kbsync's file:docs/faq.md" in text
    prompt = (imported_path.parent / "prompts" / "acme-support.md").read_text()
    assert prompt == "You help Acme customers. Prices in $.\n"


def test_agent_option_picks_by_name_or_id(world: World, emulator_app: EmulatorApp, tmp_path):
    emulator_app.seed_demo(1)
    second = emulator_app.seed_demo(1)  # a second agent with the same name
    with pytest.raises(ConfigError, match="2 agents are named 'Demo Support Bot'"):
        world.import_to(tmp_path / "both" / "kbsync.yaml")
    assert not (tmp_path / "both").exists()

    by_id = world.import_to(tmp_path / "one" / "kbsync.yaml", [second])

    assert [(a.key, a.name) for a in by_id.agents] == [("demo-support-bot", "Demo Support Bot")]
    assert f"id: {second}" in (tmp_path / "one" / "kbsync.yaml").read_text()
    assert world.plan(tmp_path / "one" / "kbsync.yaml").actions == ()


def test_unknown_agent_is_named_with_the_choices(world: World, emulator_app: EmulatorApp, tmp_path):
    emulator_app.seed_demo(1)
    with pytest.raises(ConfigError, match=r"--agent 'Nobody': no agent .*'Demo Support Bot'"):
        world.import_to(tmp_path / "kbsync.yaml", ["Nobody"])


def test_empty_project_is_an_error(world: World, tmp_path):
    with pytest.raises(ConfigError, match="no agents to import"):
        world.import_to(tmp_path / "kbsync.yaml")


def test_long_agent_names_import_to_short_unique_keys(
    world: World, emulator_app: EmulatorApp, tmp_path
):
    """255-character names (Robofy's limit) made prompt file names too long to write."""
    long_name = "Customer Support " + "x" * 238
    for name in (long_name, long_name[:-1] + "y", "é" * 255):
        cid = world.api.create_agent({"name": name, "language": "en"})
        world.api.update_prompt(cid, f"You are {name[:20]}.")
    manifest = tmp_path / "kbsync.yaml"

    imported = world.import_to(manifest)

    keys = [a.key for a in imported.agents]
    assert len(set(keys)) == 3 and all(len(k) <= 64 for k in keys), keys
    assert keys[:2] == ["customer-support-" + "x" * 47, "customer-support-" + "x" * 45 + "-2"]
    for agent in imported.agents:
        assert agent.prompt_file and (tmp_path / agent.prompt_file).is_file()
    assert world.plan(manifest).actions == ()


@pytest.mark.parametrize("raw", ["9" * 5000, "²", "0", "-1", "1e3"])
def test_a_bad_project_id_in_the_environment_is_a_clear_error(raw: str) -> None:
    with pytest.raises(ConfigError, match="ROBOFY_PROJECT_ID must be a positive integer"):
        project_id(None, {"ROBOFY_PROJECT_ID": raw}, sandbox=False)
