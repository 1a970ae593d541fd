"""Adoption tests' fixtures: a World over the shared in-process emulator.

``world`` drives the real pipeline (manifest files -> desired state -> inventory ->
plan -> executor) and the real importer through the real client, in-process; the
client's sleeps move the emulator's manual clock, so crawls finish without waiting.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from kbsync.commands.importcmd import write_manifest
from kbsync.emulator import EmulatorApp
from kbsync.executor import apply_plan
from kbsync.import_manifest import ImportedManifest, build_manifest
from kbsync.importer import read_snapshots
from kbsync.model import ApplyResult, Plan
from kbsync.pipeline import plan_options, read_and_plan
from kbsync.robofy.client import RobofyClient
from kbsync.sources import load_desired_state
from tests.conftest import DIALECT_STATUSES

KEY = "test-key"
PROJECT = 1


class World:
    def __init__(self, app: EmulatorApp, wsgi: Any = None) -> None:
        """``wsgi``: what the client talks to, when not the emulator itself (a proxy)."""
        self.app = app
        self.now = 0.0
        transport = httpx.WSGITransport(app=wsgi or app)
        self.api = RobofyClient(
            KEY,
            PROJECT,
            "http://emulator.local",
            transport=transport,
            sleep=self.sleep,
            clock=self.clock,
            statuses=DIALECT_STATUSES[app.config.dialect],
        )

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.app.advance_clock(seconds)

    def epoch(self) -> float:
        return float(self.app.state()["clock"]["epoch"])

    def plan(self, manifest: Path) -> Plan:
        desired = load_desired_state(manifest, {}, use_cache=False)
        options = plan_options(now=self.epoch())
        return read_and_plan(self.api, desired, options, parallelism=2).plan

    def apply(self, manifest: Path) -> ApplyResult:
        plan = self.plan(manifest)
        assert not plan.refusals, plan.refusals
        return apply_plan(self.api, plan, parallelism=2, clock=self.clock, sleep=self.sleep)

    def import_to(self, output: Path, agents: Sequence[str] = ()) -> ImportedManifest:
        imported = build_manifest(PROJECT, read_snapshots(self.api, agents, parallelism=2))
        write_manifest(output, imported)
        return imported

    def writes(self) -> int:
        counts: dict[str, int] = self.app.state()["requests"]["by_route"]
        return sum(n for route, n in counts.items() if not route.startswith("GET "))


@pytest.fixture
def world(emulator_app: EmulatorApp) -> Iterator[World]:
    w = World(emulator_app)
    yield w
    w.api.close()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_kbsync(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60.0
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess; ROBOFY_* variables come only from ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ROBOFY_", "KBSYNC_"))}
    base.pop("GITHUB_STEP_SUMMARY", None)
    base.pop("GITHUB_ACTIONS", None)
    full: dict[str, Any] = {**base, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kbsync", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
