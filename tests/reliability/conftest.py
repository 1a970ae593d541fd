"""Fixtures for the reliability tests (the processes themselves are in processes.py).

- ``start_emulator``: start ``EmulatorProcess``es; all are stopped (cleanly) afterwards.
- ``Project``: a manifest in a temp folder with one agent whose knowledge is N small docs
  files plus M texts; ``mutate()`` changes, adds and removes some of them.
- ``linked_by_key`` / ``assert_converged``: the agent's linked assets, read from the
  emulator's state, and the check that every declared item is linked exactly once.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kbsync import markers
from kbsync.sources import load_desired_state
from tests.reliability.processes import PROJECT, EmulatorProcess

AGENT_NAME = "Reliability Agent"


@pytest.fixture
def start_emulator() -> Iterator[Callable[..., EmulatorProcess]]:
    """Start emulators (``start_emulator(db_path, *options)``); all are stopped afterwards."""
    started: list[EmulatorProcess] = []

    def start(db: Path, *options: str) -> EmulatorProcess:
        emulator = EmulatorProcess(db, *options)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        err = emulator.stop()
        assert "Traceback" not in err, err


# --- the project -----------------------------------------------------------------------------

MANIFEST = """\
version: 1
project: {project}
agents:
  main:
    name: {name}
    knowledge:
{texts}{files}"""
FILES_ENTRY = "      files:\n        - path: docs/\n"


class Project:
    """A manifest with docs files and inline texts, all small (``create`` / ``open``)."""

    def __init__(
        self, root: Path, files: dict[str, str], texts: dict[str, str], api: str = ""
    ) -> None:
        self.root = root
        self.api = api  # the manifest's `api:` section, as text (tests/conftest.py)
        self.files = files  # docs/NAME -> content
        self.texts = texts  # text name -> content
        self.generation = 0  # how many times mutate() ran

    @classmethod
    def create(cls, root: Path, files: int, texts: int, api: str = "") -> Project:
        project = cls(
            root,
            {f"doc-{i:04d}.md": f"# Doc {i}\n\nVersion 1 of doc {i}.\n" for i in range(files)},
            {f"note-{i:04d}": f"Note {i}, version 1." for i in range(texts)},
            api,
        )
        project.write()
        return project

    @property
    def manifest(self) -> Path:
        return self.root / "kbsync.yaml"

    def write(self) -> None:
        docs = self.root / "docs"
        docs.mkdir(parents=True, exist_ok=True)
        for old in docs.iterdir():
            if old.name not in self.files:
                old.unlink()
        for name, content in self.files.items():
            path = docs / name
            if not path.exists() or path.read_text() != content:
                path.write_text(content)
        texts = ""
        if self.texts:
            texts = "      texts:\n" + "".join(
                f"        - name: {name}\n          content: {content!r}\n"
                for name, content in self.texts.items()
            )
        files = FILES_ENTRY if self.files else ""
        self.manifest.write_text(
            MANIFEST.format(project=PROJECT, name=AGENT_NAME, texts=texts, files=files) + self.api
        )

    def mutate(self, rng: random.Random, share: float = 0.15) -> None:
        """Replace, add and remove about ``share`` of the files each, and change some texts."""
        self.generation += 1
        count = max(1, int(len(self.files) * share))
        names = sorted(self.files)
        rng.shuffle(names)
        for name in names[:count]:
            self.files[name] += f"Revision {self.generation}.\n"
        for name in names[count : 2 * count]:
            del self.files[name]
        for i in range(count):
            self.files[f"new-{self.generation}-{i:04d}.md"] = f"# New {i}\n\nAdded later.\n"
        text_names = sorted(self.texts)
        rng.shuffle(text_names)
        for name in text_names[: max(1, len(text_names) // 7)]:
            self.texts[name] += f" Revision {self.generation}."
        self.write()

    def desired_markers(self) -> dict[str, str]:
        """source key -> the marker (asset name) its current content must be linked under."""
        desired = load_desired_state(self.manifest, {})
        (agent,) = desired.agents
        return {a.source_key: markers.encode(a.source_key, a.fingerprint) for a in agent.assets}


def linked_by_key(state: dict[str, Any]) -> dict[str, list[str]]:
    """source key -> asset names of the LINKED owned texts/files of the agent."""
    agents = [a for a in state["agents"] if a["name"] == AGENT_NAME]
    assert len(agents) == 1, f"expected one agent, found {len(agents)}"
    chatbot_id = agents[0]["chatbot_id"]
    names = {a["asset_id"]: a["name"] for a in state["assets"]}
    found: dict[str, list[str]] = {}
    for link in state["linkages"]:
        if not link["linked"] or link["chatbot_id"] != chatbot_id:
            continue
        name = names.get(link["asset_id"], "")
        marker = markers.parse(name)
        assert marker is not None, f"a linked asset kbsync does not own: {name!r}"
        found.setdefault(marker.key_id, []).append(name)
    return found


def assert_converged(state: dict[str, Any], project: Project) -> None:
    """Every declared item linked exactly once, in its current version; nothing else."""
    wanted = project.desired_markers()
    by_key = {markers.parse(name).key_id: name for name in wanted.values()}  # type: ignore[union-attr]
    linked = linked_by_key(state)
    duplicates = {k: v for k, v in linked.items() if len(v) > 1}
    assert not duplicates, f"{len(duplicates)} key(s) linked more than once: {duplicates}"
    missing = sorted(set(by_key) - set(linked))
    assert not missing, f"{len(missing)} declared item(s) not linked: {missing[:5]}"
    stale = {k: v for k, v in linked.items() if k in by_key and v != [by_key[k]]}
    assert not stale, f"{len(stale)} item(s) linked in an old version: {stale}"
    extra = sorted(set(linked) - set(by_key))
    assert not extra, f"{len(extra)} undeclared item(s) still linked: {extra[:5]}"
