"""kbsync.github.action's pure parts: inputs, kbsync's environment, the PR number, exit codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from kbsync.github.action import (
    ActionError,
    Run,
    kbsync_argv,
    kbsync_env,
    outputs,
    pull_request_number,
    read_inputs,
    step_exit_code,
)


def test_defaults() -> None:
    inputs = read_inputs({})
    assert (inputs.command, inputs.file, inputs.args, inputs.comment) == (
        "plan",
        "kbsync.yaml",
        (),
        False,
    )
    assert inputs.comment_marker == "kbsync-plan"


def test_args_are_split_like_a_shell_would() -> None:
    inputs = read_inputs({"KBSYNC_INPUT_ARGS": "--agent support --max-delete '10%' plan.json"})
    assert inputs.args == ("--agent", "support", "--max-delete", "10%", "plan.json")


def test_on_windows_runners_backslashes_in_args_stay_in_paths() -> None:
    windows = {"RUNNER_OS": "Windows"}
    args = r'--out D:\a\_temp\plan.json -f "C:\my docs\kbsync.yaml" --agent \x'
    inputs = read_inputs({**windows, "KBSYNC_INPUT_ARGS": args})
    assert inputs.args == (
        "--out", r"D:\a\_temp\plan.json", "-f", r"C:\my docs\kbsync.yaml", "--agent", r"\x",
    )  # fmt: skip
    on_linux = read_inputs({"RUNNER_OS": "Linux", "KBSYNC_INPUT_ARGS": r"a\ b"})
    assert on_linux.args == ("a b",)  # a POSIX shell's escape, as before


def test_plan_file_is_one_argument_for_apply_only(tmp_path: Path) -> None:
    path = r"D:\a\_temp\kbsync plan.json"
    env = {"KBSYNC_INPUT_COMMAND": "apply", "KBSYNC_INPUT_PLAN_FILE": path}
    argv = kbsync_argv(read_inputs({**env, "KBSYNC_INPUT_ARGS": "--sandbox"}), tmp_path / "p.json")
    assert argv[3:] == ["apply", "--yes", "--sandbox", path]
    with pytest.raises(ActionError, match="input plan-file: only for command apply, not plan"):
        read_inputs({"KBSYNC_INPUT_PLAN_FILE": path})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("COMMAND", "destroy", "input command: 'destroy' is not one of"),
        ("COMMENT", "yes", "input comment: 'yes' is not true or false"),
        ("ARGS", '--agent "x', "input args: No closing quotation"),
    ],
)
def test_bad_inputs(name: str, value: str, message: str) -> None:
    with pytest.raises(ActionError, match=message):
        read_inputs({f"KBSYNC_INPUT_{name}": value})


def test_plan_always_saves_and_uses_the_detailed_exit_code(tmp_path: Path) -> None:
    argv = kbsync_argv(read_inputs({"KBSYNC_INPUT_ARGS": "--sandbox"}), tmp_path / "p.json")
    assert argv == [
        sys.executable, "-m", "kbsync", "plan",
        "--format", "markdown", "--detailed-exitcode", "--out", str(tmp_path / "p.json"),
        "--sandbox",
    ]  # fmt: skip
    apply = kbsync_argv(read_inputs({"KBSYNC_INPUT_COMMAND": "apply"}), tmp_path / "p.json")
    assert apply[3:] == ["apply", "--yes"]  # the manifest is in KBSYNC_FILE


def test_kbsync_gets_the_key_but_never_the_github_token() -> None:
    env = {
        "KBSYNC_INPUT_API_KEY": "rk_1234",
        "KBSYNC_INPUT_GITHUB_TOKEN": "ghs_x",
        "GITHUB_TOKEN": "ghs_y",
        "PATH": "/bin",
    }
    assert kbsync_env(read_inputs(env), env) == {
        "PATH": "/bin",
        "ROBOFY_API_KEY": "rk_1234",
        "KBSYNC_FILE": "kbsync.yaml",
    }


def test_repr_hides_the_key_and_the_github_token() -> None:
    env = {"KBSYNC_INPUT_API_KEY": "rk_secret_1234", "KBSYNC_INPUT_GITHUB_TOKEN": "ghs_secret"}
    inputs = read_inputs(env)
    shown = repr(inputs)
    assert "secret" not in shown and str(inputs) == shown and "secret" not in f"{[inputs]}"
    assert "api_key='***'" in shown and "github_token='***'" in shown
    assert "command='plan'" in shown and shown.startswith("Inputs(")
    assert inputs.api_key == "rk_secret_1234"  # the values themselves are untouched
    assert "api_key=''" in repr(read_inputs({}))


def test_an_empty_key_input_keeps_the_jobs_key() -> None:
    env = {"KBSYNC_INPUT_API_KEY": "", "KBSYNC_INPUT_BASE_URL": "", "ROBOFY_API_KEY": "rk_job"}
    assert kbsync_env(read_inputs(env), env) == {
        "ROBOFY_API_KEY": "rk_job",
        "KBSYNC_FILE": "kbsync.yaml",
    }


def test_pull_request_number_from_the_event(tmp_path: Path) -> None:
    def number(event: object) -> int | None:
        path = tmp_path / "event.json"
        path.write_text(json.dumps(event), encoding="utf-8")
        return pull_request_number({"GITHUB_EVENT_PATH": str(path)})

    assert number({"pull_request": {"number": 12}}) == 12
    assert number({"issue": {"number": 3, "pull_request": {"url": "x"}}}) == 3
    assert number({"issue": {"number": 3}}) is None  # a plain issue
    assert number({"ref": "refs/heads/main"}) is None
    assert pull_request_number({}) is None
    assert pull_request_number({"GITHUB_EVENT_PATH": str(tmp_path / "missing.json")}) is None


@pytest.mark.parametrize(
    ("command", "exitcode", "saved", "step", "has_changes"),
    [
        ("plan", 0, True, 0, "false"),
        ("plan", 2, True, 0, "true"),
        ("plan", 2, False, 2, ""),  # a usage error exits 2 too, and saves nothing
        ("plan", 1, False, 1, ""),
        ("apply", 3, False, 3, ""),
        ("apply", 0, False, 0, ""),
        ("check", 1, False, 1, ""),
        ("check", 3, False, 3, ""),  # a failed golden question
        ("apply", -9, False, 137, ""),
    ],
)
def test_exit_codes_are_never_swallowed(
    command: str, exitcode: int, saved: bool, step: int, has_changes: str
) -> None:
    run = Run(exitcode, "", Path("plan.json") if saved else None, None)
    assert step_exit_code(command, run) == step
    inputs = read_inputs({"KBSYNC_INPUT_COMMAND": command})
    assert outputs(inputs, run)["has-changes"] == has_changes
    assert outputs(inputs, run)["exitcode"] == str(exitcode)
