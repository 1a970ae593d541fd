"""Agent matching is a small pure module the inventory and ``check`` use without the planner."""

from __future__ import annotations

from pathlib import Path

import kbsync
import kbsync.plan.planner
import kbsync.remote.matching
from tests.render.test_layering import kbsync_imports

PACKAGE = Path(kbsync.__file__).parent


def test_matching_depends_on_the_model_and_errors_only() -> None:
    assert kbsync_imports(PACKAGE / "remote" / "matching.py") == {"kbsync.errors", "kbsync.model"}


def test_reading_and_checking_do_not_import_the_planner() -> None:
    for name in ("remote/inventory.py", "golden/checks.py"):
        assert "kbsync.plan.planner" not in kbsync_imports(PACKAGE / name), name


def test_match_agents_stays_importable_from_the_planner() -> None:
    assert kbsync.plan.planner.match_agents is kbsync.remote.matching.match_agents
