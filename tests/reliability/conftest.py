"""Fixtures for the reliability tests: a real emulator process and real `kbsync` processes.

- ``EmulatorProcess``: ``python -m kbsync.emulator`` on a free loopback port with a SQLite
  file store (so a store can be copied or survive the client being killed); ``.state()`` reads
  ``GET /_emulator/state``.
- ``Project``: a manifest in a temp folder with one agent whose knowledge is N small docs
  files plus M texts; ``mutate()`` changes, adds and removes some of them.
- ``kbsync_process`` / ``run_kbsync``: the CLI as a subprocess against the emulator, with a
  distinctive API key in its environment.
- ``linked_by_key``: the owned assets linked to the agent, grouped by source key.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
import yaml

from kbsync import markers
from kbsync.sources import load_desired_state

SLOW = os.environ.get("KBSYNC_SLOW") == "1"
API_KEY = "kbsync-reliability-KEY-7f3a9c"  # distinctive: must never show up in any output
PROJECT = 1
AGENT_NAME = "Reliability Agent"
EMULATOR = (sys.executable, "-m", "kbsync.emulator", "--port", "0")


def slow_or_default(default: int, slow: int) -> int:
    """The full count with KBSYNC_SLOW=1, a small seeded subset otherwise."""
    return slow if SLOW else default


# --- the emulator as a process ------------------------------------------------------------


class EmulatorProcess:
    """``python -m kbsync.emulator`` serving a SQLite file on 127.0.0.1 (free port)."""

    def __init__(self, db: Path, *options: str) -> None:
        self.db = db
        self.process = subprocess.Popen(
            [*EMULATOR, "--db", str(db), "--api-key", f"{API_KEY}={PROJECT}", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        banner = self.process.stdout.readline().strip()
        ready = self.process.stdout.readline().strip()
        if ready != "ready":
            self.stop()
            raise AssertionError(f"the emulator did not start: {banner!r} {ready!r}")
        self.base_url = banner.rsplit(" ", 1)[-1]
        self._http = httpx.Client(base_url=self.base_url, timeout=30.0)

    def state(self) -> dict[str, Any]:
        response = self._http.get("/_emulator/state")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def set_faults(self, **faults: float) -> None:
        self._http.post("/_emulator/faults", json=faults).raise_for_status()

    def stop(self) -> str:
        """Stop with Ctrl-C; returns its stderr (which must hold no traceback)."""
        self._http_close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err

    def _http_close(self) -> None:
        if hasattr(self, "_http"):
            self._http.close()


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


# --- kbsync as a process -----------------------------------------------------------------


class Run(NamedTuple):
    code: int
    out: str
    err: str


def kbsync_env(base_url: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ROBOFY_", "KBSYNC_"))}
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        base.pop(name, None)
    return {
        **base,
        "NO_COLOR": "1",
        "ROBOFY_API_KEY": API_KEY,
        "ROBOFY_BASE_URL": base_url,
    }


def kbsync_process(base_url: str, cwd: Path, *args: str) -> subprocess.Popen[str]:
    """``python -m kbsync ARGS`` started (not waited for), its output piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "kbsync", *args],
        cwd=cwd,
        env=kbsync_env(base_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 180) -> Run:
    out, err = process.communicate(timeout=timeout)
    assert_clean(out, err)
    return Run(process.returncode, out, err)


def run_kbsync(base_url: str, cwd: Path, *args: str, timeout: float = 180) -> Run:
    return finish(kbsync_process(base_url, cwd, *args), timeout)


def assert_clean(out: str, err: str) -> None:
    """No traceback and no API key, whatever happened."""
    assert "Traceback" not in out + err, err[-3000:]
    assert API_KEY not in out + err


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

    def __init__(self, root: Path, files: dict[str, str], texts: dict[str, str]) -> None:
        self.root = root
        self.files = files  # docs/NAME -> content
        self.texts = texts  # text name -> content
        self.generation = 0  # how many times mutate() ran

    @classmethod
    def create(cls, root: Path, files: int, texts: int) -> Project:
        project = cls(
            root,
            {f"doc-{i:04d}.md": f"# Doc {i}\n\nVersion 1 of doc {i}.\n" for i in range(files)},
            {f"note-{i:04d}": f"Note {i}, version 1." for i in range(texts)},
        )
        project.write()
        return project

    @classmethod
    def open(cls, root: Path) -> Project:
        tree = yaml.safe_load((root / "kbsync.yaml").read_text())
        texts = tree["agents"]["main"]["knowledge"].get("texts", [])
        files = {p.name: p.read_text() for p in (root / "docs").iterdir()}
        return cls(root, files, {t["name"]: t["content"] for t in texts})

    def copy(self, target: Path) -> Project:
        """The project copied to ``target`` (without its .kbsync/ folder)."""
        shutil.copytree(self.root, target, ignore=shutil.ignore_patterns(".kbsync"))
        return Project.open(target)

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
            MANIFEST.format(project=PROJECT, name=AGENT_NAME, texts=texts, files=files)
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


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
