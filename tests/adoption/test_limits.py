"""Limits preflight: plan warns and apply refuses (zero writes) over the account's limits."""

from __future__ import annotations

import io

import pytest

from kbsync.desired.expand import load_desired_state
from kbsync.emulator import BackgroundServer, EmulatorApp
from kbsync.errors import GuardError
from kbsync.plan.limits import (
    ESTIMATED_PAGES,
    Needs,
    check_limits,
    enforce_limits,
    needs_of,
    over_limits,
)
from kbsync.plan.pipeline import plan_options, read_and_plan
from tests.adoption.conftest import World, run_kbsync, write
from tests.adoption.limits_proxy import LimitsProxy

MANIFEST = """\
version: 1
project: 1
agents:
  support:
    name: Acme Support
    knowledge:
      texts:
        - name: hours
          content: "Monday to Friday."
      files:
        - path: docs/
      websites:
        - url: https://docs.acme.example/guide/
          max_pages: 6
        - url: https://blog.acme.example/
"""


def project(tmp_path):
    manifest = write(tmp_path / "kbsync.yaml", MANIFEST)
    for name in ("a.md", "b.md", "c.md"):
        write(tmp_path / "docs" / name, f"# {name}\n" + "x" * 1000)
    return manifest


def planned(world: World, manifest):
    desired = load_desired_state(manifest, {}, use_cache=False)
    return read_and_plan(world.api, desired, plan_options(now=world.epoch()), parallelism=2)


def test_needs_count_files_storage_and_pages(world: World, tmp_path):
    got = planned(world, project(tmp_path))
    needs = needs_of(got.plan, got.inventory)
    assert needs.files == 3
    assert needs.links == 6 + ESTIMATED_PAGES and needs.estimated_sites == 1
    assert needs.storage_bytes == 3 * 1007 + len("Monday to Friday.")


def test_a_recrawl_counts_only_pages_not_linked_yet(world: World, tmp_path):
    manifest = project(tmp_path)
    assert not world.apply(manifest).failed
    desired = load_desired_state(manifest, {}, use_cache=False)
    options = plan_options(now=world.epoch(), recrawl=["https://docs.acme.example/guide/"])
    got = read_and_plan(world.api, desired, options, parallelism=2)
    assert needs_of(got.plan, got.inventory) == Needs(links=0)


def test_messages_say_by_how_much():
    limits = {
        "max_files": 10,
        "used_files": 9,
        "max_links": 100,
        "used_links": 90,
        "max_storage_mb": 5,
        "used_storage_mb": 4,
    }
    needs = Needs(files=3, links=60, storage_bytes=3 * 1024 * 1024, estimated_sites=1)
    assert over_limits(needs, limits) == [
        "files: the plan adds 3 but 1 are left (max 10, 9 used): 2 over",
        "links: crawls may link up to 60 pages but 10 are left (max 100, 90 used): 50 over; "
        "1 site(s) without max_pages counted as 50 pages, an estimate",
        "storage: the plan uploads 3.00 MB but 1 MB are left (max 5, 4 used MB): 2.00 MB over",
    ]
    assert over_limits(needs, {"max_files": 10}) == []  # no usage: not judged
    assert over_limits(Needs(files=1), limits) == []


def test_apply_refuses_over_the_file_limit_with_zero_writes(emulator_app: EmulatorApp, tmp_path):
    proxy = LimitsProxy(emulator_app, {"max_files": 2})
    world = World(emulator_app, proxy)
    got = planned(world, project(tmp_path))
    stderr = io.StringIO()

    with pytest.raises(GuardError, match=r"files: the plan adds 3 but 2 are left .*: 1 over"):
        enforce_limits(world.api, got.plan, got.inventory, stderr)

    assert world.writes() == 0 and stderr.getvalue() == ""


def test_no_limit_request_when_the_plan_adds_nothing(emulator_app: EmulatorApp, tmp_path):
    proxy = LimitsProxy(emulator_app)
    world = World(emulator_app, proxy)
    manifest = project(tmp_path)
    assert not world.apply(manifest).failed
    got = planned(world, manifest)
    assert not got.plan.has_changes
    assert check_limits(world.api, got.plan, got.inventory).problems == ()
    assert proxy.limit_requests == 0


def test_cli_plan_warns_apply_refuses_and_unavailable_is_said_once(
    emulator_app: EmulatorApp, tmp_path
):
    project(tmp_path)
    env = {"ROBOFY_API_KEY": "test-key"}
    tight = LimitsProxy(emulator_app, {"max_links": 10, "max_storage_mb": 1000})
    server = BackgroundServer(tight)
    try:
        plan = run_kbsync("plan", "--base-url", server.base_url, cwd=tmp_path, env=env)
        apply = run_kbsync("apply", "--base-url", server.base_url, cwd=tmp_path, env=env)
    finally:
        server.close()
    assert plan.returncode == 0, plan.stderr
    assert "Warning: apply will refuse this plan" in plan.stderr
    assert "links: crawls may link up to 56 pages but 10 are left" in plan.stderr
    assert apply.returncode == 1
    assert "apply refused; nothing was applied" in apply.stderr and "46 over" in apply.stderr
    by_route = emulator_app.state()["requests"]["by_route"]
    assert [r for r in by_route if not r.startswith("GET ")] == []

    gone = LimitsProxy(emulator_app, missing=True)
    server = BackgroundServer(gone)
    try:
        plan = run_kbsync("plan", "--base-url", server.base_url, cwd=tmp_path, env=env)
    finally:
        server.close()
    assert plan.returncode == 0
    assert plan.stderr.count("account limits not checked") == 1
    assert gone.limit_requests == 1
