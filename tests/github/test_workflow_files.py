"""action.yml, the example workflows and CI parse, and say what the docs promise."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "github").glob("*.yml"))
WORKFLOWS = [*EXAMPLES, ROOT / ".github" / "workflows" / "ci.yml"]
INPUTS = {"command", "file", "args", "api-key", "base-url", "comment", "python-version"}
OUTPUTS = {"exitcode", "has-changes", "plan-json"}


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    # YAML 1.1 reads the key `on` as True
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_action_declares_its_inputs_and_outputs() -> None:
    action = load(ROOT / "action.yml")
    assert set(action["inputs"]) >= INPUTS
    assert set(action["outputs"]) >= OUTPUTS
    assert action["inputs"]["command"]["default"] == "plan"
    assert action["inputs"]["file"]["default"] == "kbsync.yaml"
    assert action["runs"]["using"] == "composite"
    for name, spec in {**action["inputs"], **action["outputs"]}.items():
        assert spec.get("description"), f"{name} has no description"
    for name, spec in action["outputs"].items():
        assert re.fullmatch(r"\$\{\{ steps\.kbsync\.outputs\.[a-z-]+ \}\}", spec["value"]), name


def test_no_input_is_pasted_into_a_shell_script() -> None:
    # inputs reach scripts through env: only, so no input can inject a command
    for step in load(ROOT / "action.yml")["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_well_formed(path: Path) -> None:
    workflow = load(path)
    assert workflow["name"] and workflow["on"] and workflow["jobs"]
    for name, job in workflow["jobs"].items():
        assert job["runs-on"] == "ubuntu-latest", name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), (name, step)
            # expressions reach scripts through env:, never pasted into the shell
            assert "${{" not in step.get("run", ""), (name, step.get("name"))
            uses = step.get("uses", "")
            assert uses == "./" or re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", uses) or not uses, uses


def test_plan_example() -> None:
    workflow = load(ROOT / "examples/github/kbsync-plan.yml")
    assert workflow["on"]["pull_request"]["paths"]
    assert workflow["permissions"]["pull-requests"] == "write"
    kbsync = next(s for s in steps(workflow) if s.get("id") == "kbsync")
    assert kbsync["with"]["command"] == "plan" and kbsync["with"]["comment"] is True
    assert kbsync["with"]["api-key"] == "${{ secrets.ROBOFY_API_KEY }}"
    upload = next(
        s for s in steps(workflow) if s.get("uses", "").startswith("actions/upload-artifact")
    )
    assert upload["with"]["name"] == "kbsync-plan"
    assert upload["with"]["path"] == "${{ steps.kbsync.outputs.plan-json }}"


def test_apply_example() -> None:
    workflow = load(ROOT / "examples/github/kbsync-apply.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["concurrency"] == {"group": "kbsync-apply", "cancel-in-progress": False}
    reviewed = next(s for s in steps(workflow) if s.get("id") == "reviewed")
    assert "gh run download" in reviewed["run"] and "--name kbsync-plan" in reviewed["run"]
    apply = next(s for s in steps(workflow) if s.get("with", {}).get("command") == "apply")
    assert apply["with"]["plan-file"] == "${{ steps.reviewed.outputs.plan }}"
    assert "args" not in apply["with"]  # a path is never split
    # only artifacts of runs on the repository's own branches (a fork could upload any file)
    assert "select(.head_repository.full_name == env.GH_REPO)" in reviewed["run"]


def test_plan_example_skips_forks_with_a_notice() -> None:
    jobs = load(ROOT / "examples/github/kbsync-plan.yml")["jobs"]
    own = "github.event.pull_request.head.repo.full_name == github.repository"
    assert jobs["plan"]["if"] == own
    assert jobs["fork"]["if"] == own.replace("==", "!=")
    [notice] = jobs["fork"]["steps"]
    assert notice["run"].startswith('echo "::notice title=kbsync plan skipped::')


def test_the_action_installs_with_its_constraints_and_caches_them() -> None:
    action = load(ROOT / "action.yml")
    steps = action["runs"]["steps"]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["if"] == "inputs.python-version != ''"  # "" keeps the job's Python
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    assert '--constraint "$KBSYNC_ACTION_PATH/action-constraints.txt"' in install["run"]
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["key"].endswith("${{ steps.pip-cache.outputs.key }}")
    assert "action-constraints.txt" in next(s for s in steps if s.get("id") == "pip-cache")["run"]
    pinned = _pinned(ROOT / "action-constraints.txt")
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    runtime = re.search(r"^dependencies = \[(.*?)^\]", project, re.S | re.M)
    assert runtime is not None
    for name in re.findall(r'^\s*"([A-Za-z0-9_.-]+)', runtime.group(1), re.M):
        assert name.lower() in pinned, f"{name} is not pinned in action-constraints.txt"


def _pinned(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    pins = [line.split("==") for line in lines if line and not line.startswith("#")]
    assert all(len(pin) == 2 for pin in pins), "every line is NAME==VERSION"
    return {name.lower() for name, _ in pins}


def test_drift_example() -> None:
    workflow = load(ROOT / "examples/github/kbsync-drift.yml")
    assert workflow["on"]["schedule"]
    assert workflow["concurrency"]["group"] != "kbsync-apply"
    assert workflow["permissions"]["issues"] == "write"
    scripts = "\n".join(s.get("run", "") for s in steps(workflow))
    assert "--label kbsync-drift" in scripts and "gh issue create" in scripts
    assert "gh issue edit" in scripts


def test_gaps_example() -> None:
    workflow = load(ROOT / "examples/github/kbsync-gaps.yml")
    (schedule,) = workflow["on"]["schedule"]
    *_, day, month, weekday = schedule["cron"].split()
    assert (day, month) == ("*", "*") and weekday.isdigit()  # weekly
    assert workflow["permissions"] == {"contents": "read", "issues": "write"}
    assert workflow["concurrency"]["group"] not in ("kbsync-apply", "kbsync-drift")
    gaps, opened, closed = (
        s for s in steps(workflow) if s.get("name", "").startswith(("kbsync gaps", "Open", "Close"))
    )
    assert "kbsync gaps" in gaps["run"] and "--format markdown --detailed-exitcode" in gaps["run"]
    assert 'echo "found=true"' in gaps["run"] and 'echo "found=false"' in gaps["run"]
    assert gaps["env"]["ROBOFY_API_KEY"] == "${{ secrets.ROBOFY_API_KEY }}"
    assert opened["if"] == "steps.gaps.outputs.found == 'true'"
    assert closed["if"] == "steps.gaps.outputs.found == 'false'"
    assert 'gh issue create --title "Knowledge gaps" --label kbsync-gaps' in opened["run"]
    assert "gh issue edit" in opened["run"] and "--label kbsync-gaps --state open" in opened["run"]
    assert "gh issue close" in closed["run"] and "--label kbsync-gaps --state open" in closed["run"]


def test_ci_lints_tests_and_runs_the_action() -> None:
    ci = load(ROOT / ".github/workflows/ci.yml")
    assert set(ci["jobs"]) >= {"lint", "tests", "action"}
    lint = "\n".join(s.get("run", "") for s in ci["jobs"]["lint"]["steps"])
    for command in ("ruff check", "ruff format --check", "mypy --strict kbsync"):
        assert command in lint
    assert ci["jobs"]["tests"]["strategy"]["matrix"]["python-version"] == [
        "3.10",
        "3.11",
        "3.12",
        "3.13",
    ]
    uses_self = [s for s in ci["jobs"]["action"]["steps"] if s.get("uses") == "./"]
    assert {s["with"]["command"] for s in uses_self} >= {"plan", "apply"}
    assert all(s["with"].get("args", "").endswith("--sandbox") for s in uses_self[1:])
    check = ci["jobs"]["action"]["steps"][-1]
    assert check["env"]["SECOND"] == "${{ steps.second.outputs.has-changes }}"
    assert 'test "$SECOND" = false' in check["run"]
