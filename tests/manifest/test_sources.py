"""Expansion of a valid manifest into DesiredState: agents, texts, files, sites, fingerprints."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from kbsync.desired.expand import load_desired_state
from kbsync.errors import ConfigError
from kbsync.manifest.load import load_manifest, resolve_manifest_path
from kbsync.model import FILE, TEXT, DesiredSite, GoldenCheck
from tests.manifest.conftest import write

HEAD = "version: 1\nproject: 42\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def agent_with_files(entries: str) -> str:
    return HEAD + "agents:\n  a:\n    name: A\n    knowledge:\n      files:\n" + entries


def file_keys(root: Path, entries: str, files: dict[str, str | bytes]) -> list[str]:
    write(root, {"kbsync.yaml": agent_with_files(entries), **files})
    state = load_desired_state(root / "kbsync.yaml", {})
    return [f.source_key for f in state.agents[0].files]


def test_full_agent(tmp_path: Path) -> None:
    manifest = HEAD + (
        "defaults:\n  language: en\n  prune: all\n"
        "  settings: {temperature: 1, tone: Calm, chunk_size: 500}\n"
        "  persona: {style: concise, name: Default}\n"
        "agents:\n  support:\n    name: Acme Support\n    id: 1234\n"
        "    description: Helps\n    type: 2\n"
        "    prompt: {file: prompts/p.md}\n"
        "    settings:\n      tone: Friendly\n      thinking_mode: 1\n"
        "      question_pre_processing: false\n      chunk_overlap: null\n"
        "    persona: {name: Ava, age: 3}\n"
        "    checks:\n      - ask: When?\n        expect: Monday\n"
        "      - {ask: 'Price?', expect: [EUR, '10'], expect_not: [USD]}\n"
    )
    write(tmp_path, {"kbsync.yaml": manifest, "prompts/p.md": "Be kind.\n"})
    state = load_desired_state(tmp_path / "kbsync.yaml", {})
    assert state.project == 42
    assert state.manifest_path == tmp_path / "kbsync.yaml"
    assert state.manifest_fingerprint == sha((tmp_path / "kbsync.yaml").read_bytes())
    (agent,) = state.agents
    assert (agent.key, agent.name, agent.id) == ("support", "Acme Support", "1234")
    assert agent.profile == {
        "name": "Acme Support",
        "description": "Helps",
        "language": "en",
        "type": 2,
    }
    assert agent.prompt == "Be kind.\n"
    assert agent.settings == {
        "temperature": 1.0,
        "tone": "Friendly",
        "chunk_size": 500,
        "thinking_mode": "1",
        "question_pre_processing": False,
        "chunk_overlap": None,
    }
    assert isinstance(agent.settings["temperature"], float)
    assert agent.persona == {"style": "concise", "name": "Ava", "age": 3}
    assert agent.prune == "all"
    assert not agent.declares_knowledge
    assert agent.checks == (
        GoldenCheck("When?", ("Monday",)),
        GoldenCheck("Price?", ("EUR", "10"), ("USD",)),
    )
    assert state.file_fingerprints == {"prompts/p.md": sha(b"Be kind.\n")}


def test_undeclared_fields_stay_undeclared(tmp_path: Path) -> None:
    write(tmp_path, {"kbsync.yaml": HEAD + "agents:\n  a:\n    name: A\n"})
    (agent,) = load_desired_state(tmp_path / "kbsync.yaml", {}).agents
    assert agent.profile == {"name": "A"}
    assert (agent.prompt, agent.persona, agent.settings, agent.prune) == (None, None, {}, "managed")
    assert agent.id is None


def test_texts_inline_and_from_file(tmp_path: Path) -> None:
    manifest = HEAD + (
        "agents:\n  a:\n    name: A\n    prompt: Inline prompt\n    knowledge:\n      texts:\n"
        "        - {name: hours, content: 'Mon-Fri 9–18'}\n"
        "        - {name: refund, file: texts/refund.txt}\n"
    )
    body = "Refunds within 30 days — ça va.\n"
    write(tmp_path, {"kbsync.yaml": manifest, "texts/refund.txt": "\ufeff" + body})
    state = load_desired_state(tmp_path / "kbsync.yaml", {})
    hours, refund = state.agents[0].texts
    assert state.agents[0].prompt == "Inline prompt"
    assert hours.source_key == "text:hours" and hours.kind == TEXT
    assert hours.content == "Mon-Fri 9–18"
    assert hours.fingerprint == sha(b"hours\0" + "Mon-Fri 9–18".encode())
    assert hours.size == len("Mon-Fri 9–18".encode())
    assert refund.content == body  # the BOM is not part of the text
    assert refund.fingerprint == sha(b"refund\0" + body.encode())
    assert (refund.display_name, refund.path) == ("refund", None)
    raw = (tmp_path / "texts/refund.txt").read_bytes()
    assert state.file_fingerprints == {"texts/refund.txt": sha(raw)}
    assert state.agents[0].declares_knowledge


def test_files_fingerprints_and_order(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "docs/b.md": "# b",
        "docs/a.pdf": b"%PDF-1.4 \x00\xff",
        "docs/sub/c.JSON": '{"c": 1}',
    }
    write(tmp_path, {"kbsync.yaml": agent_with_files("        - path: docs/\n"), **files})
    state = load_desired_state(tmp_path / "kbsync.yaml", {})
    assets = state.agents[0].files
    assert [a.source_key for a in assets] == [
        "file:docs/a.pdf",
        "file:docs/b.md",
        "file:docs/sub/c.JSON",
    ]
    for asset in assets:
        data = files[asset.display_name]
        raw = data if isinstance(data, bytes) else data.encode()
        assert asset.kind == FILE
        assert asset.fingerprint == sha(raw) == state.file_fingerprints[asset.display_name]
        assert asset.size == len(raw)
        assert asset.path == str(tmp_path / asset.display_name)
        assert asset.content is None


def test_single_file_entry(tmp_path: Path) -> None:
    keys = file_keys(tmp_path, "        - path: ./guide/intro.md\n", {"guide/intro.md": "# hi"})
    assert keys == ["file:guide/intro.md"]


def test_default_include_takes_supported_types_only(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "docs/a.md": "a",
        "docs/b.MARKDOWN": "b",
        "docs/c.htm": "c",
        "docs/logo.png": b"\x89PNG",
        "docs/setup.exe": b"MZ",
        "docs/noext": "x",
    }
    keys = file_keys(tmp_path, "        - path: docs\n", files)
    assert keys == ["file:docs/a.md", "file:docs/b.MARKDOWN", "file:docs/c.htm"]


def test_hidden_and_temp_files_are_ignored(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "docs/keep.md": "k",
        "docs/.hidden.md": "h",
        "docs/.git/config.json": "{}",
        "docs/.obsidian/notes.md": "n",
        "docs/keep.md~": "t",
        "docs/.keep.md.swp": "t",
        "docs/.#keep.md": "t",
        "docs/#keep.md#": "t",
        "docs/draft.tmp": "t",
        "docs/.DS_Store": "t",
    }
    keys = file_keys(tmp_path, '        - path: docs\n          include: ["**/*"]\n', files)
    assert keys == ["file:docs/keep.md"]


def test_include_exclude_and_kbsyncignore(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "docs/guide/a.md": "a",
        "docs/guide/b.pdf": "b",
        "docs/guide/c.txt": "c",
        "docs/drafts/d.md": "d",
        "docs/internal/e.md": "e",
        "docs/top.md": "t",
        "docs/.kbsyncignore": "# comment\ninternal/\n*.pdf\n!guide/keep.pdf\n",
        "docs/guide/keep.pdf": "k",
    }
    entry = (
        "        - path: docs\n"
        '          include: ["**/*.md", "*.pdf"]\n'
        "          exclude: [drafts/]\n"
    )
    keys = file_keys(tmp_path, entry, files)
    assert keys == ["file:docs/guide/a.md", "file:docs/guide/keep.pdf", "file:docs/top.md"]


def test_symlinks_inside_the_manifest_folder_are_followed(tmp_path: Path) -> None:
    write(tmp_path, {"kbsync.yaml": "", "shared/faq.md": "# faq", "docs/a.md": "a"})
    (tmp_path / "docs/shared").symlink_to(tmp_path / "shared", target_is_directory=True)
    (tmp_path / "docs/loop").symlink_to(tmp_path / "docs", target_is_directory=True)
    keys = file_keys(tmp_path, "        - path: docs\n", {})
    assert keys == ["file:docs/a.md", "file:docs/shared/faq.md"]


def test_sites(tmp_path: Path) -> None:
    manifest = HEAD + (
        "agents:\n  a:\n    name: A\n    knowledge:\n      websites:\n"
        "        - url: HTTPS://Docs.Acme.Example:443/Guide/?q=1#frag\n"
        "          max_pages: 10\n          max_depth: 2\n          use_sitemap: true\n"
        "          main: true\n          recrawl: 1d12h\n"
        "          include: 'HTTPS://DOCS.acme.example/Guide/*'\n"
        "          exclude: [https://docs.acme.example:443/Guide/old/*]\n"
        "        - url: http://www.acme.example:8080\n"
    )
    write(tmp_path, {"kbsync.yaml": manifest})
    sites = load_desired_state(tmp_path / "kbsync.yaml", {}).agents[0].sites
    assert sites == (
        DesiredSite(
            source_key="site:https://docs.acme.example/Guide/?q=1",
            url="https://docs.acme.example/Guide/?q=1",
            max_pages=10,
            max_depth=2,
            include=("https://docs.acme.example/Guide/*",),
            exclude=("https://docs.acme.example/Guide/old/*",),
            use_sitemap=True,
            main=True,
            recrawl_seconds=36 * 3600.0,
        ),
        DesiredSite(
            source_key="site:http://www.acme.example:8080/", url="http://www.acme.example:8080/"
        ),
    )


def test_interpolation(tmp_path: Path) -> None:
    manifest = (
        "version: 1\nproject: ${PID}\nagents:\n  a:\n"
        "    name: ${NAME:-Default Name}\n"
        "    description: '${EMPTY:-fallback} costs $$5'\n"
        '    id: "${PID}"\n'
        "    settings:\n      temperature: ${TEMP}\n      chunk_size: '${SIZE:-300}'\n"
        "      enable_chatbot_memory: ${MEMORY}\n"
    )
    write(tmp_path, {"kbsync.yaml": manifest})
    env = {"PID": "77", "TEMP": "0.5", "EMPTY": "", "NAME": "", "MEMORY": "TRUE"}
    (agent,) = load_desired_state(tmp_path / "kbsync.yaml", env).agents
    assert load_manifest(tmp_path / "kbsync.yaml", env).project == 77
    assert agent.name == "Default Name"
    assert agent.profile["description"] == "fallback costs $5"
    assert agent.id == "77"  # quoted: stays a string
    assert agent.settings == {"temperature": 0.5, "chunk_size": 300, "enable_chatbot_memory": True}


def test_anchors_and_merge_keys(tmp_path: Path) -> None:
    manifest = HEAD + (
        "defaults:\n  settings: &common\n    tone: Calm\n    temperature: 0.1\n"
        "agents:\n  a:\n    name: A\n    settings:\n      <<: *common\n      tone: Loud\n"
    )
    write(tmp_path, {"kbsync.yaml": manifest})
    (agent,) = load_desired_state(tmp_path / "kbsync.yaml", {}).agents
    assert agent.settings == {"tone": "Loud", "temperature": 0.1}


def test_resolve_manifest_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"kbsync.yaml": "", "other.yaml": "", "env.yaml": ""})
    assert resolve_manifest_path(None, {}) == Path("kbsync.yaml")
    assert resolve_manifest_path("other.yaml", {"KBSYNC_FILE": "env.yaml"}) == Path("other.yaml")
    assert resolve_manifest_path(None, {"KBSYNC_FILE": "env.yaml"}) == Path("env.yaml")
    with pytest.raises(ConfigError, match=r"manifest not found: nope\.yaml"):
        resolve_manifest_path("nope.yaml", {})
    with pytest.raises(ConfigError, match="not a file"):
        resolve_manifest_path(".", {})


def test_paths_with_unicode_and_spaces(tmp_path: Path) -> None:
    keys = file_keys(tmp_path, "        - path: 'Docs Été'\n", {"Docs Été/Über uns.md": "x"})
    assert keys == ["file:Docs Été/Über uns.md"]


def test_pipes_and_sockets_are_skipped(tmp_path: Path) -> None:
    """Reading a named pipe would block forever: only regular files are taken."""
    write(tmp_path, {"docs/a.md": "a"})
    os.mkfifo(tmp_path / "docs/pipe.md")
    assert file_keys(tmp_path, "        - path: docs\n", {}) == ["file:docs/a.md"]
