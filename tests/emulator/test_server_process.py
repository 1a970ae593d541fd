"""``python -m kbsync.emulator`` as a real subprocess: ready line, real HTTP, clean Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx
import pytest

from kbsync.emulator import EmulatorConfig, create_app
from kbsync.emulator.cli import main
from tests.emulator.helpers import assert_error


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "kbsync.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    banner = process.stdout.readline().strip()
    assert process.stdout.readline().strip() == "ready", banner
    return process, banner.rsplit(" ", 1)[-1]


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=15)
    return process.returncode, err


def test_subprocess_serves_the_canonical_list_and_stops_on_ctrl_c() -> None:
    process, base_url = start("--api-key", "k1=1,3", "--api-key", "k2=2")
    try:
        assert base_url.startswith("http://127.0.0.1:") and not base_url.endswith(":0")
        response = httpx.get(f"{base_url}/v1/ai-agent/chatbot/3",
                             headers={"Authorization": "Bearer k1"})  # fmt: skip
        assert response.json() == {
            "message": "Success",
            "data": {"items": [], "next_page_token": None},
        }
        denied = httpx.get(
            f"{base_url}/v1/ai-agent/chatbot/2", headers={"Authorization": "Bearer k1"}
        )
        assert_error(denied, 403, "FORBIDDEN")
        unknown = httpx.get(
            f"{base_url}/v1/ai-agent/chatbot/1", headers={"Authorization": "Bearer test-key"}
        )
        assert_error(unknown, 401, "UNAUTHORIZED")  # --api-key replaces the default key
    finally:
        code, err = stop(process)
    assert code in (0, 130)
    assert "Traceback" not in err


def test_subprocess_with_demo_data_and_faults() -> None:
    process, base_url = start("--seed-demo", "--fail-rate", "1", "--seed", "5")
    try:
        auth = {"Authorization": "Bearer test-key"}
        assert_error(httpx.get(f"{base_url}/v1/ai-agent/chatbot/1", headers=auth), 500,
                     "INTERNAL_SERVER_ERROR")  # fmt: skip
        state = httpx.get(f"{base_url}/_emulator/state").json()
        assert [agent["name"] for agent in state["agents"]] == ["Demo Support Bot"]
        assert state["faults"]["fail_rate"] == 1 and state["faults"]["seed"] == 5
    finally:
        code, err = stop(process)
    assert code in (0, 130) and "Traceback" not in err


def test_bad_arguments_exit_1_with_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--api-key", "no-projects"])
    assert exit_info.value.code == 1
    assert "KEY=PID" in capsys.readouterr().err


def test_out_of_range_rates_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--fail-rate", "1.5"])
    assert exit_info.value.code == 1
    assert "--fail-rate: must be a number from 0 to 1" in capsys.readouterr().err


def test_impossible_fault_settings_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--latency-ms", "1e12", "--port", "0"])
    assert exit_info.value.code == 1
    assert "--latency-ms" in capsys.readouterr().err
    with pytest.raises(ValueError, match="rate_limit_rps"):
        create_app(EmulatorConfig(rate_limit_rps=1e30))
