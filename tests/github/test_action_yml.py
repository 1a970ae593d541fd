"""action.yml's steps, run as real subprocesses against the sandbox (see action_runner)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.examples import copy_examples
from tests.github.action_runner import ActionRunner, StepsResult
from tests.github.fake_github import TOKEN, FakeGitHub

KEY = "rk_test_do_not_print_9f8e7d"
SANDBOX = {"file": "examples/robofy.yaml", "args": "--sandbox"}


@pytest.fixture(scope="module")
def action(tmp_path_factory: pytest.TempPathFactory) -> ActionRunner:
    runner = ActionRunner(tmp_path_factory.mktemp("action"))
    runner.install()
    return runner


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout of a repository holding the example manifest."""
    copy_examples(tmp_path)
    return tmp_path


def everything(result: StepsResult) -> str:
    return result.stdout + result.stderr + json.dumps(result.outputs) + result.summary


def test_the_installed_action_runs_its_own_copy(action: ActionRunner, tmp_path: Path) -> None:
    installed = list((action.venv / "lib").glob("python3*/site-packages/kbsync/github/action.py"))
    assert len(installed) == 1
    where = subprocess.run(
        [
            action.venv / "bin" / "python",
            "-c",
            "import kbsync.github.action as a; print(a.__file__)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()) == installed[0]


def test_plan_apply_plan_in_the_sandbox(action: ActionRunner, workspace: Path) -> None:
    first = action.run({"command": "plan", **SANDBOX}, workspace)
    assert first.returncode == 0, first.stdout + first.stderr  # 2 = changes, a success for plan
    assert first.outputs["exitcode"] == "2"
    assert first.outputs["has-changes"] == "true"
    saved = json.loads(Path(first.outputs["plan-json"]).read_text(encoding="utf-8"))
    assert "format_version" in saved
    markdown = Path(first.outputs["plan-markdown"]).read_text(encoding="utf-8")
    assert markdown.startswith("**kbsync plan** for project ")
    assert "**kbsync plan** for project " in first.summary  # kbsync appended its Markdown

    # apply the reviewed plan, as kbsync-apply.yml does
    reviewed = {**SANDBOX, "args": f"{first.outputs['plan-json']} --sandbox"}
    applied = action.run({"command": "apply", **reviewed}, workspace)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert applied.outputs == {
        "exitcode": "0",
        "has-changes": "",
        "plan-json": "",
        "plan-markdown": "",
    }
    assert "**kbsync apply** succeeded" in applied.summary

    again = action.run({"command": "plan", **SANDBOX}, workspace)
    assert again.returncode == 0, again.stdout + again.stderr
    assert (again.outputs["exitcode"], again.outputs["has-changes"]) == ("0", "false")

    # the same plan is stale now: refused, and the step fails
    stale = action.run({"command": "apply", **reviewed}, workspace)
    assert stale.returncode == 1
    assert stale.outputs["exitcode"] == "1"


def test_failures_fail_the_step(action: ActionRunner, workspace: Path) -> None:
    for command, args in (("plan", "--sandbox"), ("apply", "--sandbox"), ("validate", "")):
        inputs = {"command": command, "file": "examples/nope.yaml", "args": args}
        result = action.run(inputs, workspace)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert result.outputs["exitcode"] == "1"
        assert result.outputs["has-changes"] == ""
        assert "nope.yaml" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_usage_error_is_not_mistaken_for_changes(action: ActionRunner, workspace: Path) -> None:
    result = action.run(
        {"command": "plan", **SANDBOX, "args": "--sandbox --no-such-option"}, workspace
    )
    assert result.returncode != 0
    assert result.outputs["has-changes"] == ""
    assert result.outputs["plan-json"] == ""


def test_bad_inputs_fail_before_kbsync_runs(action: ActionRunner, workspace: Path) -> None:
    wrong = action.run({"command": "destroy"}, workspace)
    assert wrong.returncode == 1
    assert "input command: 'destroy' is not one of plan, apply, validate, check" in wrong.stderr
    assert "::error::Error: input command" in wrong.stderr
    unbalanced = action.run({"command": "plan", "args": "--agent 'support"}, workspace)
    assert unbalanced.returncode == 1 and "input args: No closing quotation" in unbalanced.stderr


def test_the_api_key_is_never_echoed(
    action: ActionRunner, workspace: Path, github: FakeGitHub
) -> None:
    # a real HTTP server that refuses the key (401): kbsync says so without printing it
    inputs = {
        "command": "plan",
        "file": "examples/robofy.yaml",
        "api-key": KEY,
        "base-url": github.url,
    }
    result = action.run(inputs, workspace, {"ROBOFY_PROJECT_ID": "1"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "401" in result.stderr
    assert github.requests  # it did talk to the server, with the key
    assert KEY not in everything(result)


def pr_env(github: FakeGitHub, tmp_path: Path, number: int) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": number}}), encoding="utf-8")
    return {
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "acme/knowledge",
        "GITHUB_API_URL": github.url,
        "GITHUB_RUN_ID": "77",
    }


def test_plan_comment_is_posted_once_and_updated(
    action: ActionRunner, workspace: Path, github: FakeGitHub
) -> None:
    env = pr_env(github, workspace, 12)
    inputs = {"command": "plan", "comment": "true", "github-token": TOKEN, **SANDBOX}
    first = action.run(inputs, workspace, env)
    second = action.run(inputs, workspace, env)
    assert (first.returncode, second.returncode) == (0, 0), first.stdout + first.stderr
    assert "kbsync: created the plan comment on acme/knowledge#12" in first.stdout
    assert "kbsync: updated the plan comment on acme/knowledge#12" in second.stdout
    [comment] = github.on("acme/knowledge", 12)
    assert comment["body"].startswith("**kbsync plan** for project ")
    assert comment["body"].endswith("<!-- kbsync:kbsync-plan -->\n")


def test_a_failed_plan_still_tells_the_pull_request(
    action: ActionRunner, workspace: Path, github: FakeGitHub
) -> None:
    inputs = {"command": "plan", "comment": "true", "github-token": TOKEN, "file": "nope.yaml"}
    result = action.run(inputs, workspace, pr_env(github, workspace, 4))
    assert result.returncode == 1
    [comment] = github.on("acme/knowledge", 4)
    assert comment["body"].startswith("**kbsync plan failed** (exit code 1): see [the job log](")
    assert "/acme/knowledge/actions/runs/77" in comment["body"]


def test_a_comment_that_cannot_be_posted_is_a_warning(
    action: ActionRunner, workspace: Path, github: FakeGitHub
) -> None:
    inputs = {"command": "plan", "comment": "true", "github-token": "read-only", **SANDBOX}
    result = action.run(inputs, workspace, pr_env(github, workspace, 5))
    assert result.returncode == 0  # the plan itself worked
    assert (
        "::warning::kbsync: the plan comment was not posted: GitHub answered 401" in result.stdout
    )
    assert "read-only" not in result.stdout + result.stderr


def test_a_refused_plan_fails_and_the_comment_says_why(
    action: ActionRunner, workspace: Path, github: FakeGitHub
) -> None:
    applied = action.run({"command": "apply", **SANDBOX}, workspace)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    for name in ("faq.md", "charging.md", "battery-care.md", "warranty.md"):
        (workspace / "examples" / "docs" / name).unlink()
    inputs = {
        "command": "plan",
        "comment": "true",
        "github-token": TOKEN,
        **SANDBOX,
        "args": "--sandbox --max-delete 2",
    }
    result = action.run(inputs, workspace, pr_env(github, workspace, 9))
    assert result.returncode == 1
    assert (result.outputs["exitcode"], result.outputs["has-changes"]) == ("1", "")
    [comment] = github.on("acme/knowledge", 9)
    first_line = comment["body"].splitlines()[0]
    assert first_line.endswith("support: 4 to delink — **apply will refuse this plan**.")
    assert "> [!CAUTION]\n> **Apply will refuse this plan.**" in comment["body"]
    assert "> **4 deletions:**" in comment["body"]
