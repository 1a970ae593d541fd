"""Issue 12's "Done when": against `kbsync emulator --dialect D` over loopback (real
processes), the quickstart manifest examples/robofy.yaml applies, the next plan is empty,
a second apply sends zero writes, and every declared agent and item exists exactly once.

In the documented dialect files settle at `Linked`, which kbsync reads as pending: the first
apply ends "still running" and prints the `api:` line that settles it; with that line
added, everything converges.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kbsync import markers
from kbsync.sources import load_desired_state
from tests.examples import copy_examples
from tests.reliability.processes import PROJECT, EmulatorProcess, Run, run_kbsync

HINT = "api: {ready_statuses: [Linked]}"
KBSYNC_EMULATOR = (sys.executable, "-m", "kbsync", "emulator", "--port", "0")  # `kbsync emulator`


def writes(state: dict[str, Any]) -> int:
    counts: dict[str, int] = state["requests"]["by_route"]
    return sum(n for route, n in counts.items() if not route.startswith("GET "))


def kbsync(emulator: EmulatorProcess, folder: Path, *args: str) -> Run:
    env = {"ROBOFY_PROJECT_ID": str(PROJECT)}
    return run_kbsync(emulator.base_url, folder, *args, "-f", "robofy.yaml", env=env)


def assert_everything_once(state: dict[str, Any], manifest: Path) -> None:
    desired = load_desired_state(manifest, {"ROBOFY_PROJECT_ID": str(PROJECT)}, use_cache=False)
    names = Counter(a["name"] for a in state["agents"])
    assert names == Counter(a.name for a in desired.agents)
    by_id = {a["chatbot_id"]: a["name"] for a in state["agents"]}
    for agent in desired.agents:
        linked = [
            lk
            for lk in state["linkages"]
            if lk["linked"] and by_id[lk["chatbot_id"]] == agent.name and lk["asset_type"] != "url"
        ]
        keys = Counter(
            m.key_id for m in map(markers.parse, [lk["asset_name"] for lk in linked]) if m
        )
        wanted = {markers.marker_for(a.source_key, a.fingerprint).key_id for a in agent.assets}
        assert set(keys) == wanted and set(keys.values()) == {1}, (agent.key, keys)
        pages = Counter(
            lk["asset_name"]
            for lk in state["linkages"]
            if lk["linked"] and lk["asset_type"] == "url" and by_id[lk["chatbot_id"]] == agent.name
        )
        assert pages and set(pages.values()) == {1}


@pytest.mark.parametrize("dialect", ["canonical", "documented"])
def test_the_quickstart_converges_in_each_dialect(tmp_path: Path, dialect: str) -> None:
    folder = copy_examples(tmp_path)
    manifest = folder / "robofy.yaml"
    options = ("--dialect", dialect, "--processing-seconds", "0.2", "--crawl-pace", "50")
    emulator = EmulatorProcess(tmp_path / "store.sqlite", *options, command=KBSYNC_EMULATOR)
    try:
        first = kbsync(emulator, folder, "apply", "--yes", "--wait-timeout", "4")
        if dialect == "documented":
            assert first.code == 3, first.out + first.err  # files stay "Linked": not ready
            assert HINT in first.out + first.err
            with manifest.open("a", encoding="utf-8") as f:
                f.write(f"\n{HINT}\n")
            first = kbsync(emulator, folder, "apply", "--yes", "--wait-timeout", "30")
        assert first.code == 0, first.out + first.err
        assert HINT not in first.out + first.err

        plan = kbsync(emulator, folder, "plan", "--detailed-exitcode")
        assert plan.code == 0, plan.out + plan.err  # the next plan is empty

        before = writes(emulator.state())
        again = kbsync(emulator, folder, "apply", "--yes")
        assert again.code == 0, again.out + again.err
        state = emulator.state()
        assert writes(state) == before  # a second apply sends zero writes
        assert_everything_once(state, manifest)
    finally:
        assert "Traceback" not in emulator.stop()
