"""The composite action's main step (action.yml): run kbsync, set outputs, comment.

action.yml hands the inputs over as environment variables, never pasted into
shell, so no input can inject a command:

    KBSYNC_INPUT_COMMAND   plan | apply | validate | check
    KBSYNC_INPUT_FILE      the manifest
    KBSYNC_INPUT_ARGS      more arguments, split like a shell would (shlex; on Windows
                           runners, RUNNER_OS=Windows, a backslash is a plain character)
    KBSYNC_INPUT_PLAN_FILE apply only: the saved plan, one argument, never split
    KBSYNC_INPUT_API_KEY   -> ROBOFY_API_KEY for kbsync only (when not empty)
    KBSYNC_INPUT_BASE_URL  -> ROBOFY_BASE_URL for kbsync only (when not empty)
    KBSYNC_INPUT_COMMENT   true | false: post or update the sticky PR comment (plan)
    KBSYNC_INPUT_COMMENT_MARKER, KBSYNC_INPUT_GITHUB_TOKEN

Exit codes are passed through, never swallowed: the step fails when kbsync
fails; for `plan` (always run with --detailed-exitcode) 2 means "has changes",
which is a success and becomes the `has-changes` output.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, TextIO

import httpx

from kbsync.apikey import normalise_key
from kbsync.github.sticky_comment import GitHubError, make_client, upsert_sticky_comment
from kbsync.github.summary import annotate_error, escape_data

COMMANDS = ("plan", "apply", "validate", "check")
EXIT_CHANGES = 2
_PREFIX = "KBSYNC_INPUT_"


class ActionError(Exception):
    """A bad input: the step fails before kbsync runs."""


class Inputs(NamedTuple):
    command: str
    file: str
    args: tuple[str, ...]
    api_key: str
    base_url: str
    comment: bool
    comment_marker: str
    github_token: str
    plan_file: str = ""

    def __repr__(self) -> str:
        """The secrets never reach a log or a traceback through repr."""
        shown = self._replace(
            api_key="***" if self.api_key else "",
            github_token="***" if self.github_token else "",
        )
        fields = ", ".join(f"{k}={v!r}" for k, v in zip(self._fields, shown, strict=True))
        return f"Inputs({fields})"


class Run(NamedTuple):
    exitcode: int
    stdout: str  # captured for plan only (its Markdown); "" otherwise
    plan_json: Path | None
    plan_markdown: Path | None


def read_inputs(env: Mapping[str, str]) -> Inputs:
    def value(name: str, default: str = "") -> str:
        return env.get(_PREFIX + name, "").strip() or default

    command = value("COMMAND", "plan")
    if command not in COMMANDS:
        raise ActionError(f"input command: {command!r} is not one of {', '.join(COMMANDS)}")
    comment = value("COMMENT", "false").lower()
    if comment not in ("true", "false"):
        raise ActionError(f"input comment: {comment!r} is not true or false")
    plan_file = value("PLAN_FILE")
    if plan_file and command != "apply":
        raise ActionError(f"input plan-file: only for command apply, not {command}")
    return Inputs(
        command=command,
        file=value("FILE", "kbsync.yaml"),
        args=split_args(env.get(_PREFIX + "ARGS", ""), windows=env.get("RUNNER_OS") == "Windows"),
        api_key=normalise_key(env.get(_PREFIX + "API_KEY", "")),
        base_url=value("BASE_URL"),
        comment=comment == "true",
        comment_marker=value("COMMENT_MARKER", "kbsync-plan"),
        github_token=env.get(_PREFIX + "GITHUB_TOKEN", ""),
        plan_file=plan_file,
    )


def split_args(text: str, *, windows: bool) -> tuple[str, ...]:
    """Shell-like words; on Windows a backslash is part of a path (D:\\a\\plan.json), not
    an escape, so only quotes group words there."""
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    if windows:
        lexer.escape = ""
    try:
        return tuple(lexer)
    except ValueError as e:
        raise ActionError(f"input args: {e}") from None


def kbsync_argv(inputs: Inputs, plan_json: Path) -> list[str]:
    """The command line; the manifest goes in KBSYNC_FILE (kbsync_env), not ``-f``:
    `apply PLAN` refuses ``-f`` beside a saved plan, which names its own manifest."""
    argv = [sys.executable, "-m", "kbsync", inputs.command]
    if inputs.command == "plan":
        argv += ["--format", "markdown", "--detailed-exitcode", "--out", str(plan_json)]
    if inputs.command == "apply":
        argv.append("--yes")
    return argv + list(inputs.args) + ([inputs.plan_file] if inputs.plan_file else [])


def kbsync_env(inputs: Inputs, env: Mapping[str, str]) -> dict[str, str]:
    """kbsync's environment: the manifest, the key only if given, and no GitHub token."""
    child = {k: v for k, v in env.items() if not k.startswith(_PREFIX) and k != "GITHUB_TOKEN"}
    child["KBSYNC_FILE"] = inputs.file
    if inputs.api_key:
        child["ROBOFY_API_KEY"] = inputs.api_key
    if inputs.base_url:
        child["ROBOFY_BASE_URL"] = inputs.base_url
    return child


def run_kbsync(inputs: Inputs, env: Mapping[str, str], out_dir: Path, stdout: TextIO) -> Run:
    plan_json = out_dir / "plan.json"
    argv = kbsync_argv(inputs, plan_json)
    stdout.write(f"+ KBSYNC_FILE={shlex.quote(inputs.file)} kbsync {shlex.join(argv[3:])}\n")
    stdout.flush()
    if inputs.command != "plan":
        done = subprocess.run(argv, env=kbsync_env(inputs, env), check=False)
        return Run(done.returncode, "", None, None)
    code, captured = _tee(argv, kbsync_env(inputs, env), stdout)
    markdown = out_dir / "plan.md"
    markdown.write_text(captured, encoding="utf-8")
    return Run(code, captured, plan_json if plan_json.exists() else None, markdown)


def _tee(argv: Sequence[str], env: Mapping[str, str], stdout: TextIO) -> tuple[int, str]:
    """Run, showing stdout in the log as it comes, and keep it."""
    lines = []
    with subprocess.Popen(
        argv, env=dict(env), stdout=subprocess.PIPE, text=True, encoding="utf-8"
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            stdout.write(line)
            stdout.flush()
    return process.returncode, "".join(lines)


def plan_succeeded(run: Run) -> bool:
    """0, or 2 with a saved plan: a usage error also exits 2, but saves nothing."""
    return run.exitcode == 0 or (run.exitcode == EXIT_CHANGES and run.plan_json is not None)


def step_exit_code(command: str, run: Run) -> int:
    if run.exitcode < 0:  # killed by a signal: report it the way a shell would
        return 128 - run.exitcode
    return 0 if command == "plan" and plan_succeeded(run) else run.exitcode


def outputs(inputs: Inputs, run: Run) -> dict[str, str]:
    has_changes = ""
    if inputs.command == "plan" and plan_succeeded(run):
        has_changes = "true" if run.exitcode == EXIT_CHANGES else "false"
    return {
        "exitcode": str(run.exitcode),
        "has-changes": has_changes,
        "plan-json": str(run.plan_json or ""),
        "plan-markdown": str(run.plan_markdown or ""),
    }


def write_outputs(values: Mapping[str, str], env: Mapping[str, str], stdout: TextIO) -> None:
    path = env.get("GITHUB_OUTPUT", "")
    lines = "".join(f"{name}={value}\n" for name, value in values.items())
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(lines)
    else:
        stdout.write(lines)


def pull_request_number(env: Mapping[str, str]) -> int | None:
    """The pull request this run is for, from the event payload (None: not a PR run)."""
    path = env.get("GITHUB_EVENT_PATH", "")
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return None
    pr = event.get("pull_request") or {}
    if isinstance(pr, dict) and isinstance(pr.get("number"), int):
        return int(pr["number"])
    issue = event.get("issue") or {}
    if (
        isinstance(issue, dict)
        and issue.get("pull_request")
        and isinstance(issue.get("number"), int)
    ):
        return int(issue["number"])
    return None


def comment_body(run: Run, env: Mapping[str, str]) -> str:
    if run.stdout.strip():
        return run.stdout
    url = f"{env.get('GITHUB_SERVER_URL', 'https://github.com')}/{env.get('GITHUB_REPOSITORY', '')}"
    log = f"{url}/actions/runs/{env.get('GITHUB_RUN_ID', '')}"
    return f"**kbsync plan failed** (exit code {run.exitcode}): see [the job log]({log}).\n"


def post_comment(inputs: Inputs, run: Run, env: Mapping[str, str], stdout: TextIO) -> None:
    """Create or update the sticky comment; a failure is a warning, not a failed plan."""
    pr, repo = pull_request_number(env), env.get("GITHUB_REPOSITORY", "")
    if pr is None or not repo:
        stdout.write("::notice::kbsync: not a pull request run, so no plan comment was posted\n")
        return
    client_env = {**env, "GITHUB_TOKEN": inputs.github_token or env.get("GITHUB_TOKEN", "")}
    try:
        with make_client(client_env) as client:
            done = upsert_sticky_comment(
                client, repo, pr, comment_body(run, env), inputs.comment_marker
            )
    except (GitHubError, httpx.HTTPError, OSError) as e:
        stdout.write(f"::warning::{escape_data(f'kbsync: the plan comment was not posted: {e}')}\n")
        return
    stdout.write(f"kbsync: {done} the plan comment on {repo}#{pr}\n")


def main(env: Mapping[str, str], stdout: TextIO, stderr: TextIO) -> int:
    try:
        inputs = read_inputs(env)
    except ActionError as e:
        stderr.write(f"Error: {e}\n")
        annotate_error(f"Error: {e}", env, stderr)
        return 1
    out_dir = Path(tempfile.mkdtemp(prefix="kbsync-", dir=env.get("RUNNER_TEMP") or None))
    run = run_kbsync(inputs, env, out_dir, stdout)
    write_outputs(outputs(inputs, run), env, stdout)
    if inputs.comment and inputs.command == "plan":
        post_comment(inputs, run, env, stdout)
    code = step_exit_code(inputs.command, run)
    if code:
        stderr.write(f"kbsync {inputs.command} exited with code {run.exitcode}\n")
    return code


if __name__ == "__main__":
    sys.exit(main(os.environ, sys.stdout, sys.stderr))
