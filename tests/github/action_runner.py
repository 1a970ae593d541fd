"""Run action.yml's own `run:` steps the way a GitHub runner would, on this machine.

The `uses:` step (setup-python) is GitHub's; every `run:` step is executed as
written, with `bash --noprofile --norc -eo pipefail`, its `env:` evaluated from
the inputs, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY as temp files. The install
step runs once into a fresh virtualenv (offline: no index, no build isolation;
kbsync's dependencies come from this interpreter's site-packages).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
GITHUB_TOKEN = "ghs_default_job_token"


def load_action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return data


def evaluate(text: str, context: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in context, f"action.yml uses ${{{{ {name} }}}}, unknown to this test"
        return context[name]

    return EXPRESSION.sub(value, text)


class StepsResult(NamedTuple):
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]  # the action's outputs, evaluated like GitHub does
    summary: str


class ActionRunner:
    """The action installed once in `home`, its main steps run per call."""

    def __init__(self, home: Path) -> None:
        self.action = load_action()
        self.home = home
        self.action_path = home / "action"
        self.venv = home / "venv"
        steps = self.action["runs"]["steps"]
        install = next(i for i, s in enumerate(steps) if "pip install" in s.get("run", ""))
        self.install_steps = steps[: install + 1]
        self.main_steps = steps[install + 1 :]

    def install(self) -> None:
        shutil.copytree(
            ROOT,
            self.action_path,
            ignore=shutil.ignore_patterns(
                ".git",
                ".venv",
                "__pycache__",
                ".mypy_cache",
                ".ruff_cache",
                ".pytest_cache",
                ".hypothesis",
                ".kbsync",
                "build",
                "*.egg-info",
                "tests",
                "benchmarks",
            ),
        )
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", self.venv], check=True)
        self._see_our_packages()
        offline = {"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0"}
        result = self._run_steps(self.install_steps, {}, self.home, offline)
        assert result.returncode == 0, result.stdout + result.stderr

    def _see_our_packages(self) -> None:
        """Let the new venv import pip, setuptools and kbsync's dependencies from ours.

        A path file, not --system-site-packages: when the tests run in a venv, its
        packages are not the system's. Path files found this way are not run, so our
        own (editable) kbsync stays invisible and the venv imports the one it installs.
        """
        ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        site_packages = self.venv / "lib" / version / "site-packages"
        (site_packages / "_kbsync_test_parent.pth").write_text("\n".join(ours) + "\n")

    def run(
        self, inputs: dict[str, str], cwd: Path, env: dict[str, str] | None = None
    ) -> StepsResult:
        return self._run_steps(self.main_steps, inputs, cwd, env or {})

    def _context(self, inputs: dict[str, str]) -> dict[str, str]:
        context = {
            "github.action_path": str(self.action_path),
            "github.token": GITHUB_TOKEN,
            "runner.os": "Linux",
        }
        for name, spec in self.action["inputs"].items():
            default = evaluate(str(spec.get("default", "")), context)
            context[f"inputs.{name}"] = inputs.get(name, default)
        unknown = set(inputs) - set(self.action["inputs"])
        assert not unknown, f"not inputs of action.yml: {unknown}"
        return context

    def _base_env(self, extra: dict[str, str]) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "ROBOFY_", "KBSYNC_", "PYTEST_", "RUNNER_"))
        }
        runner_temp = self.home / "runner-temp"
        runner_temp.mkdir(exist_ok=True)
        env.update(
            PATH=f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            GITHUB_ACTIONS="true",
            GITHUB_ACTION_PATH=str(self.action_path),
            RUNNER_TEMP=str(runner_temp),
        )
        env.update(extra)
        return env

    def _run_steps(
        self, steps: list[dict[str, Any]], inputs: dict[str, str], cwd: Path, extra: dict[str, str]
    ) -> StepsResult:
        context = self._context(inputs)
        files = self.home / "files"
        files.mkdir(exist_ok=True)
        output_file, summary_file = files / "output", files / "summary.md"
        output_file.write_text("", encoding="utf-8")
        summary_file.write_text("", encoding="utf-8")
        env = self._base_env(extra)
        out, err, code, step_outputs = "", "", 0, {}
        for step in steps:
            if "uses" in step:  # GitHub's own action (setup-python): only check its expressions
                known = {**context, **_step_context(step_outputs)}
                for value in step.get("with", {}).values():
                    evaluate(str(value), known)
                continue
            assert step.get("shell") == "bash", f"step {step.get('name')}: needs shell: bash"
            step_env = {k: evaluate(str(v), context) for k, v in step.get("env", {}).items()}
            step_env.update(GITHUB_OUTPUT=str(output_file), GITHUB_STEP_SUMMARY=str(summary_file))
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=cwd,
                env={**env, **step_env},
                capture_output=True,
                text=True,
                timeout=300,
            )
            out, err, code = out + done.stdout, err + done.stderr, done.returncode
            if "id" in step:
                step_outputs[step["id"]] = read_outputs(output_file)
            if code:
                break
        return StepsResult(
            code, out, err, self._outputs(step_outputs), summary_file.read_text(encoding="utf-8")
        )

    def _outputs(self, step_outputs: dict[str, dict[str, str]]) -> dict[str, str]:
        context = {
            f"steps.{step}.outputs.{name}": value
            for step, values in step_outputs.items()
            for name, value in values.items()
        }
        result = {}
        for name, spec in self.action.get("outputs", {}).items():
            # GitHub evaluates an output that was never set to ''
            names = EXPRESSION.findall(spec["value"])
            result[name] = evaluate(spec["value"], {**dict.fromkeys(names, ""), **context})
        return result


def _step_context(step_outputs: dict[str, dict[str, str]]) -> dict[str, str]:
    return {
        f"steps.{step}.outputs.{name}": value
        for step, values in step_outputs.items()
        for name, value in values.items()
    }


def read_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT's name=value lines (and name<<DELIM blocks)."""
    values: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and "=" not in line.split("<<")[0]:
            name, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            values[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values
