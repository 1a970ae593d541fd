"""`kbsync import` as a user runs it: the sandbox demo, a loopback emulator, refusals."""

from __future__ import annotations

from kbsync.emulator import BackgroundServer, EmulatorApp
from tests.adoption.conftest import run_kbsync


def test_sandbox_demo_imports_and_plans_no_changes(tmp_path):
    done = run_kbsync("import", "--sandbox", "--seed-demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("sandbox: using the local Robofy emulator")
    assert "created the demo agent" in done.stdout
    assert "Next: review it, then `kbsync plan --sandbox` should show no changes." in done.stdout
    assert (tmp_path / ".kbsync" / "sandbox.sqlite").is_file()
    assert (tmp_path / "prompts" / "demo-support-bot.md").is_file()

    plan = run_kbsync("plan", "--sandbox", "--detailed-exitcode", cwd=tmp_path)

    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "No changes" in plan.stdout


def test_existing_manifest_is_not_overwritten_without_force(tmp_path):
    (tmp_path / "kbsync.yaml").write_text("mine\n")
    done = run_kbsync("import", "--sandbox", "--seed-demo", cwd=tmp_path)
    assert done.returncode == 1
    assert "kbsync.yaml already exists; nothing was written (use --force" in done.stderr
    assert (tmp_path / "kbsync.yaml").read_text() == "mine\n"
    assert not (tmp_path / "prompts").exists()

    forced = run_kbsync("import", "--sandbox", "--seed-demo", "--force", cwd=tmp_path)

    assert forced.returncode == 0, forced.stderr
    assert "demo-support-bot:" in (tmp_path / "kbsync.yaml").read_text()


def test_seed_demo_twice_keeps_one_demo_agent(tmp_path):
    first = run_kbsync("import", "--sandbox", "--seed-demo", "-o", "a/kbsync.yaml", cwd=tmp_path)
    second = run_kbsync(
        "import", "--sandbox", "--seed-demo", "--force", "-o", "a/kbsync.yaml", cwd=tmp_path
    )
    assert first.returncode == second.returncode == 0, second.stderr
    assert "the demo agent already exists" in second.stdout
    assert (tmp_path / "a" / ".kbsync" / "sandbox.sqlite").is_file()


def test_live_account_over_loopback_with_project_from_env(tmp_path, emulator_app: EmulatorApp):
    emulator_app.seed_demo(1)
    server = BackgroundServer(emulator_app)
    env = {"ROBOFY_API_KEY": "test-key", "ROBOFY_PROJECT_ID": "1"}
    try:
        done = run_kbsync(
            "import", "--base-url", server.base_url, "-o", "bot.yaml", cwd=tmp_path, env=env
        )
        plan = run_kbsync(
            "plan",
            "-f",
            "bot.yaml",
            "--base-url",
            server.base_url,
            "--detailed-exitcode",
            cwd=tmp_path,
            env=env,
        )
    finally:
        server.close()
    assert done.returncode == 0, done.stderr
    assert "test-key" not in done.stdout + done.stderr
    assert "Next: review it, then `kbsync plan -f bot.yaml` should show no changes." in done.stdout
    assert plan.returncode == 0, plan.stdout + plan.stderr


def test_missing_project_and_seed_without_sandbox_are_clear_errors(tmp_path):
    no_project = run_kbsync("import", cwd=tmp_path, env={"ROBOFY_API_KEY": "x" * 20})
    assert no_project.returncode == 1
    assert "pass --project ID or set ROBOFY_PROJECT_ID" in no_project.stderr
    seed = run_kbsync("import", "--seed-demo", "--project", "1", cwd=tmp_path)
    assert seed.returncode == 1 and "--seed-demo only works with --sandbox" in seed.stderr
    assert not (tmp_path / "kbsync.yaml").exists()
