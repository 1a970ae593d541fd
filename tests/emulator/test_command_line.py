"""``kbsync emulator`` and ``python -m kbsync.emulator`` as real processes: the same options,
usage errors exit 1 (never 2) with the option named, help and shell completion."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import kbsync.cli
from kbsync.emulator.config import CRAWL_MODES
from kbsync.emulator.dialect import DIALECTS

KBSYNC = (sys.executable, "-m", "kbsync", "emulator")
MODULE = (sys.executable, "-m", "kbsync.emulator")
ENTRY_POINTS = {"kbsync emulator": KBSYNC, "python -m kbsync.emulator": MODULE}


def run(
    command: tuple[str, ...], *args: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    proc = subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    return proc.returncode, proc.stdout, proc.stderr


REFUSED = [
    (["--bogus"], "--bogus"),
    (["--crawl-pace", "-1"], "--crawl-pace"),
    (["--crawl-pace", "nan"], "--crawl-pace"),
    (["--processing-seconds", "inf"], "--processing-seconds"),
    (["--processing-seconds", "-0.5"], "--processing-seconds"),
    (["--latency-ms", "1e12"], "--latency-ms"),
    (["--fail-rate", "1.5"], "--fail-rate"),
    (["--drop-after-commit", "nan"], "--drop-after-commit"),
    (["--rate-limit", "-1"], "--rate-limit"),
    (["--seed", "-3"], "--seed"),
    (["--port", "70000"], "--port"),
    (["--port", "http"], "--port"),
    (["--crawl-mode", "teleport"], "--crawl-mode"),
    (["--api-key", "no-projects"], "--api-key"),
    (["--api-key", "k=1,x"], "--api-key"),
]


@pytest.mark.parametrize("command", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
@pytest.mark.parametrize(("args", "option"), REFUSED, ids=[" ".join(a) for a, _ in REFUSED])
def test_usage_errors_exit_1_naming_the_option(
    command: tuple[str, ...], args: list[str], option: str
) -> None:
    code, out, err = run(command, "--port", "0", *args)
    assert code == 1, (out, err)
    assert option in err
    assert "usage" in err.lower()
    assert "Traceback" not in err and "ready" not in out  # refused before serving


@pytest.mark.parametrize("command", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_help_lists_every_option(command: tuple[str, ...]) -> None:
    code, out, _ = run(command, "-h")
    assert code == 0
    for option in ("--host", "--port", "--db", "--api-key", "--crawl-pace", "--seed-demo"):
        assert option in out


def test_kbsync_emulator_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite"
    args = ("--port", "0", "--api-key", "k1=4", "--db", str(db), "--seed-demo")
    process = subprocess.Popen([*KBSYNC, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline().decode().strip()
        assert process.stdout.readline().strip() == b"ready", banner
        url = banner.rsplit(" ", 1)[-1] + "/v1/ai-agent/chatbot/4"
        response = httpx.get(url, headers={"Authorization": "Bearer k1"}, timeout=10)
        assert [a["name"] for a in response.json()["data"]["items"]] == ["Demo Support Bot"]
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=15)
    assert process.returncode == 130
    assert b"Traceback" not in err
    assert db.exists()


def complete(words: str) -> list[str]:
    env = {"_KBSYNC_COMPLETE": "bash_complete", "COMP_WORDS": words}
    env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    code, out, err = run((sys.executable, "-m", "kbsync"), env=env)
    assert code == 0, err
    return [line.split(",", 1)[1] for line in out.splitlines()]


def test_shell_completion_knows_the_options_and_their_values() -> None:
    assert complete("kbsync emulator --crawl-") == ["--crawl-mode", "--crawl-pace"]
    assert complete("kbsync emulator --crawl-mode ") == list(CRAWL_MODES)


def test_the_command_offers_the_emulators_crawl_modes() -> None:
    assert kbsync.cli.CRAWL_MODES == CRAWL_MODES
    assert kbsync.cli.DIALECTS == DIALECTS
