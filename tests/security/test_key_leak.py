"""The API key never leaves ROBOFY_API_KEY: not in output, files, logs or error messages.

Real `kbsync` processes run against a real emulator process on loopback with a
distinctive key; every byte they print and every file they leave behind (saved plans,
the GitHub step summary, .kbsync/, the sandbox store) is searched for it. In-process,
the client runs a whole apply with httpx/httpcore/kbsync logging at DEBUG, under
injected faults (so retry and re-read messages are logged too), and every record and
every exception is searched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbsync.emulator import BackgroundServer, EmulatorConfig, create_app
from kbsync.errors import KbsyncError
from kbsync.executor import apply_plan
from kbsync.pipeline import plan_options, read_and_plan
from kbsync.robofy.client import RobofyClient
from kbsync.sources import load_desired_state
from tests.reliability.processes import EmulatorProcess, Run, run_kbsync
from tests.security.leakcheck import SECURITY_KEY, leaked

KEY = SECURITY_KEY

MANIFEST = """\
version: 1
project: 1
agents:
  support:
    name: Leak Test
    description: Answers questions
    prompt: {file: prompt.md}
    settings:
      temperature: 0.2
    persona:
      style: short
    knowledge:
      texts:
        - name: hours
          content: "Open Monday to Friday."
      files:
        - path: docs/
"""


def _project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "kbsync.yaml").write_text(MANIFEST)
    (root / "prompt.md").write_text("Be helpful.\n")
    (root / "docs").mkdir(exist_ok=True)
    for name in ("a", "b"):
        (root / "docs" / f"{name}.md").write_text(f"# {name}\n\nAbout {name}.\n")
    return root


def _files_under(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file())


def _assert_no_key_in_files(root: Path) -> int:
    """Searches every file under ``root`` (bytes, so SQLite stores too); returns the count."""
    files = list(_files_under(root))
    holding = [str(p) for p in files if KEY.encode() in p.read_bytes()]
    assert not holding, f"the API key was written to {holding}"
    return len(files)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(tmp_path_factory.mktemp("leak") / "store.sqlite", key=KEY)
    yield process
    assert "Traceback" not in process.stop()


def _run(emulator: EmulatorProcess, root: Path, *args: str, **env: str) -> Run:
    return run_kbsync(emulator.base_url, root, *args, key=KEY, env=env or None)


def test_plan_apply_outputs_and_files_never_hold_the_key(
    emulator: EmulatorProcess, tmp_path: Path
) -> None:
    root = _project(tmp_path / "project")
    summary = tmp_path / "step-summary.md"
    ci = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    runs = [
        _run(emulator, root, "plan", "--format", "json"),
        _run(emulator, root, "plan", "--format", "markdown", "--out", "plan.json", **ci),
        _run(emulator, root, "apply", "plan.json", "--format", "markdown", **ci),
    ]
    (root / "docs" / "a.md").write_text("# a\n\nChanged.\n")
    runs += [
        _run(emulator, root, "apply", "--format", "json"),
        _run(emulator, root, "apply", "--format", "text", **ci),
    ]
    assert [r.code for r in runs] == [0] * len(runs), [r.err for r in runs]
    assert not leaked([r.out + r.err for r in runs], [KEY])  # run_kbsync checked each too
    assert summary.is_file() and (root / "plan.json").is_file()
    assert _assert_no_key_in_files(tmp_path) >= 6  # manifest, docs, plan, summary, .kbsync/


@pytest.mark.parametrize(
    ("case", "env", "expected"),
    [
        ("wrong key", {"ROBOFY_API_KEY": KEY + "-revoked"}, "401"),
        ("space in the key", {"ROBOFY_API_KEY": KEY + " x"}, "contains spaces"),
    ],
)
def test_errors_never_quote_the_key(
    emulator: EmulatorProcess, tmp_path: Path, case: str, env: dict[str, str], expected: str
) -> None:
    root = _project(tmp_path / "project")
    run = _run(emulator, root, "plan", **env)
    assert run.code == 1, (case, run.out, run.err)
    assert expected in run.err and "Error" in run.err
    wanted = env.get("ROBOFY_API_KEY", KEY)
    assert not leaked([run.out, run.err], [KEY, wanted])


@pytest.mark.parametrize("padded", [KEY + "\n", KEY + " ", "\t" + KEY], ids=repr)
def test_a_padded_key_is_still_guarded_and_never_leaks(
    emulator: EmulatorProcess, tmp_path: Path, padded: str
) -> None:
    """A CI secret with a trailing newline: the key in a prompt or a docs file is still
    refused, and nothing is printed, saved or summarised with it."""
    root = _project(tmp_path / "project")
    summary = tmp_path / "step-summary.md"
    ci = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    (root / "prompt.md").write_text(f"Be helpful. Key: {KEY}\n")
    (root / "docs" / "b.md").write_text(f"# b\n\n{KEY}\n")
    args = ("plan", "--format", "markdown", "--out", "plan.json")
    run = run_kbsync(emulator.base_url, root, *args, key=padded, env=ci)
    assert run.code == 1, run.out + run.err
    assert "prompt: prompt.md contains the value of ROBOFY_API_KEY" in run.err
    assert "docs/b.md contains the value of ROBOFY_API_KEY" in run.err
    assert not (root / "plan.json").exists()
    assert not leaked([run.out, run.err], [KEY])
    _assert_no_key_in_files(tmp_path / "project" / ".kbsync")
    if summary.exists():
        assert KEY not in summary.read_text()


def test_a_key_written_into_the_manifest_is_refused_without_quoting_it(
    emulator: EmulatorProcess, tmp_path: Path
) -> None:
    root = _project(tmp_path / "project")
    manifest = root / "kbsync.yaml"
    text = MANIFEST.replace("Answers questions", "${ROBOFY_API_KEY}")
    manifest.write_text(text.replace("style: short", f"{KEY}: short"))  # as a key name too
    run = _run(emulator, root, "validate")
    assert run.code == 1 and "Robofy API key" in run.err, run.err
    assert not leaked([run.out, run.err], [KEY])


def test_the_sandbox_never_stores_or_shows_the_key(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    run = run_kbsync("http://127.0.0.1:9", root, "apply", "--sandbox", key=KEY)
    assert run.code == 0, run.err
    assert (root / ".kbsync" / "sandbox.sqlite").is_file()
    _assert_no_key_in_files(tmp_path)


# --- in-process: DEBUG logs and exceptions ---------------------------------------------------


@pytest.fixture
def faulty_server() -> Iterator[BackgroundServer]:
    app = create_app(EmulatorConfig(api_keys={KEY: (1,)}, processing_seconds=0.0))
    app.set_faults(fail_rate=0.2, drop_after_commit_rate=0.1, seed=3)
    server = BackgroundServer(app)
    yield server
    server.close()
    app.close()


def test_debug_logging_of_a_whole_faulty_apply_never_shows_the_key(
    faulty_server: BackgroundServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    desired = load_desired_state(_project(tmp_path) / "kbsync.yaml", {})
    client = RobofyClient(KEY, 1, faulty_server.base_url, sleep=lambda s: None, max_retries=20)
    with client:
        planned = read_and_plan(client, desired, plan_options(), parallelism=4)
        result = apply_plan(client, planned.plan, parallelism=4, sleep=lambda s: None)
    assert result.outcomes
    loggers = {r.name.split(".")[0] for r in caplog.records}
    assert {"httpx", "httpcore", "kbsync"} <= loggers  # DEBUG really was on everywhere
    assert any("retry" in r.getMessage() or "re-reading" in r.getMessage() for r in caplog.records)
    texts = [r.getMessage() for r in caplog.records] + [repr(r.args) for r in caplog.records]
    texts += [o.message for o in result.outcomes] + [repr(client)]
    assert not leaked(texts, [KEY])


def test_an_auth_error_never_carries_the_key(
    faulty_server: BackgroundServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    faulty_server.app.set_faults(fail_rate=0, drop_after_commit_rate=0)
    with (
        RobofyClient(KEY + "-revoked", 1, faulty_server.base_url) as client,
        pytest.raises(KbsyncError) as caught,
    ):
        client.list_agents()
    err = caught.value
    texts = [str(err), repr(err), repr(err.args), *(str(v) for v in vars(err).values())]
    assert not leaked([*texts, caplog.text], [KEY, KEY + "-revoked"])
    assert "401" in str(err)


def test_an_unreachable_robofy_error_never_carries_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with (
        RobofyClient(KEY, 1, "http://127.0.0.1:9", sleep=lambda s: None) as client,
        pytest.raises(KbsyncError, match="Cannot reach") as caught,
    ):
        client.list_agents()
    texts = [str(caught.value), repr(caught.value), *(str(v) for v in vars(caught.value).values())]
    assert not leaked([*texts, caplog.text], [KEY])
