"""The gaps workflow's `kbsync gaps` step, run as GitHub would (bash -e) against a loopback
emulator: gaps found -> found=true and the report; none -> found=false; an error fails."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from kbsync.emulator import BackgroundServer, EmulatorConfig, create_app

ROOT = Path(__file__).resolve().parents[2]
KEY = "gaps-workflow-key"


def gaps_step() -> dict[str, str]:
    workflow = yaml.safe_load((ROOT / "examples/github/kbsync-gaps.yml").read_text())
    (job,) = workflow["jobs"].values()
    step: dict[str, str] = next(s for s in job["steps"] if s.get("id") == "gaps")
    return step


def run_step(tmp_path: Path, base_url: str, manifest: str) -> tuple[int, str, dict[str, str]]:
    (tmp_path / "kbsync.yaml").write_text(manifest)
    output = tmp_path / "github_output"
    output.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROBOFY_", "KBSYNC_"))}
    env.update(
        ROBOFY_API_KEY=KEY,
        ROBOFY_BASE_URL=base_url,
        RUNNER_TEMP=str(tmp_path),
        GITHUB_OUTPUT=str(output),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    done = subprocess.run(
        ["bash", "-e", "-c", gaps_step()["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return done.returncode, done.stdout + done.stderr, outputs


@pytest.fixture
def demo_server() -> Iterator[BackgroundServer]:
    app = create_app(EmulatorConfig(api_keys={KEY: (1,)}, processing_seconds=0.0))
    app.seed_demo(1)  # conversations of the last three weeks, on the real clock
    server = BackgroundServer(app)
    yield server
    server.close()
    app.close()


DEMO = "version: 1\nproject: 1\nagents:\n  demo: {name: Demo Support Bot, language: en}\n"


def test_gaps_found_sets_found_true_and_writes_the_report(
    tmp_path: Path, demo_server: BackgroundServer
) -> None:
    code, log, outputs = run_step(tmp_path, demo_server.base_url, DEMO)
    assert code == 0, log
    assert outputs["found"] == "true"
    report = Path(outputs["report"]).read_text()
    assert report.startswith("**kbsync gaps**") and "Can I pay with Paypal?" in report


def test_no_gaps_sets_found_false(tmp_path: Path, demo_server: BackgroundServer) -> None:
    _create(demo_server, "Quiet Bot")  # no conversations at all
    quiet = "version: 1\nproject: 1\nagents:\n  quiet: {name: Quiet Bot, language: en}\n"
    code, log, outputs = run_step(tmp_path, demo_server.base_url, quiet)
    assert code == 0, log
    assert outputs["found"] == "false"


def test_an_error_fails_the_step_and_sets_nothing(
    tmp_path: Path, demo_server: BackgroundServer
) -> None:
    code, log, outputs = run_step(tmp_path, demo_server.base_url, "version: 1\nproject: x\n")
    assert code == 1 and "found" not in outputs, log


def _create(server: BackgroundServer, name: str) -> str:
    answer = httpx.post(
        f"{server.base_url}/v1/ai-agent/chatbot/1",
        json={"name": name, "language": "en"},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    chatbot_id: str = answer.json()["data"]
    return chatbot_id
