"""`kbsync gaps` against `kbsync emulator --dialect D` (real processes): the Inbox lists
are read through the same tolerant list code as every other list, so both dialects give
the same report of the demo's unanswered questions."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.conftest import DIALECTS
from tests.reliability.processes import PROJECT, EmulatorProcess, run_kbsync

KBSYNC_EMULATOR = (sys.executable, "-m", "kbsync", "emulator", "--port", "0")


def gaps_report(tmp_path: Path, dialect: str) -> dict[str, Any]:
    folder = tmp_path / dialect
    folder.mkdir()
    options = ("--dialect", dialect, "--seed-demo")
    emulator = EmulatorProcess(folder / "store.sqlite", *options, command=KBSYNC_EMULATOR)
    try:
        env = {"ROBOFY_PROJECT_ID": str(PROJECT)}
        imported = run_kbsync(emulator.base_url, folder, "import", env=env)
        assert imported.code == 0, imported.out + imported.err
        found = run_kbsync(
            emulator.base_url, folder, "gaps", "--since", "30d", "--format", "json", env=env
        )
        assert found.code == 0, found.out + found.err
        inbox = {k: v for k, v in emulator.state()["requests"]["by_route"].items() if "inbox" in k}
    finally:
        emulator.stop()
    assert inbox, "gaps read no Inbox list"
    document: dict[str, Any] = json.loads(found.out)
    return document


def timeless(gaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The groups without their times: each emulator seeds the demo relative to its start."""
    return [{k: v for k, v in g.items() if k not in ("first_seen", "last_seen")} for g in gaps]


def test_gaps_reports_the_same_in_every_dialect(tmp_path: Path) -> None:
    canonical, documented = (gaps_report(tmp_path, d) for d in DIALECTS)
    assert canonical["gaps"], "the demo has unanswered questions"
    assert timeless(documented["gaps"]) == timeless(canonical["gaps"])
    assert documented["summary"] == canonical["summary"]
