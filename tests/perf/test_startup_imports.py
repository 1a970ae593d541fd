"""Start-up loads only what the command uses: the real `kbsync` command in a subprocess,
its imports listed by ``python -X importtime`` (every module the process imported)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbsync.emulator import BackgroundServer, EmulatorConfig, create_app
from tests.cli.conftest import SMALL_MANIFEST

REPO = Path(__file__).resolve().parents[2]
_IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", re.MULTILINE)
NEVER_FOR_AN_ACCOUNT = {"rich", "pygments", "sqlite3", "_sqlite3", "kbsync.emulator"}


def imported(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, set[str]]:
    """Exit code and the modules a ``python -m kbsync ARGS`` process imported."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ROBOFY_", "KBSYNC_"))}
    base.update(PYTHONPATH=str(REPO), NO_COLOR="1", **env)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kbsync", *args],
        cwd=cwd,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, set(_IMPORTED.findall(done.stderr))


@pytest.fixture
def account() -> Iterator[str]:
    """A Robofy account as kbsync sees a real one: the emulator over loopback HTTP."""
    app = create_app(EmulatorConfig(api_keys={"test-key": (1,)}, processing_seconds=0))
    server = BackgroundServer(app)
    try:
        yield server.base_url
    finally:
        server.close()
        app.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "kbsync.yaml").write_text(SMALL_MANIFEST)
    (tmp_path / "prompt.md").write_text("You are a helpful support agent.\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n\nAbout a.\n")
    return tmp_path


def test_plan_against_an_account_loads_no_emulator_sqlite_or_rich(
    account: str, folder: Path
) -> None:
    env = {"ROBOFY_API_KEY": "test-key", "ROBOFY_BASE_URL": account}
    code, modules = imported(["plan", "--detailed-exitcode"], folder, env)
    assert code == 2  # changes: the plan really read the account
    assert {"httpx", "kbsync.robofy.client"} <= modules
    assert not modules & NEVER_FOR_AN_ACCOUNT, sorted(modules & NEVER_FOR_AN_ACCOUNT)


def test_apply_in_a_log_loads_no_rich(account: str, folder: Path) -> None:
    env = {"ROBOFY_API_KEY": "test-key", "ROBOFY_BASE_URL": account}
    code, modules = imported(["apply", "--yes"], folder, env)
    assert code == 0
    assert "kbsync.render.progress" in modules  # progress lines were written, no bar
    assert not modules & NEVER_FOR_AN_ACCOUNT, sorted(modules & NEVER_FOR_AN_ACCOUNT)


def test_plan_in_the_sandbox_loads_the_emulator(folder: Path) -> None:
    code, modules = imported(["plan", "--sandbox", "--detailed-exitcode"], folder, {})
    assert code == 2
    assert {"kbsync.emulator", "sqlite3"} <= modules


@pytest.mark.parametrize("args", [["--version"], ["validate"]], ids=["version", "validate"])
def test_offline_commands_load_no_http_client(folder: Path, args: list[str]) -> None:
    code, modules = imported(args, folder, {})
    assert code == 0
    assert not modules & {"httpx", "httpcore", "ssl", *NEVER_FOR_AN_ACCOUNT}
