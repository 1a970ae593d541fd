"""The ONE guarded apply session both ``apply`` and ``watch`` use: lock, plan, refuse, apply."""

from __future__ import annotations

import fcntl
import io
from pathlib import Path

import pytest

from kbsync.apply.lock import LOCK_FILE
from kbsync.apply.session import ApplySession
from kbsync.desired.expand import load_desired_state
from kbsync.emulator import EmulatorApp
from kbsync.errors import GuardError, StalePlanError
from kbsync.plan.pipeline import Planned, plan_options
from tests.adoption.conftest import World
from tests.adoption.limits_proxy import LimitsProxy
from tests.adoption.test_limits import project


def lock_is_free(manifest: Path) -> bool:
    with (manifest.parent / ".kbsync" / LOCK_FILE).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def test_over_the_limits_the_session_refuses_and_sends_nothing(
    emulator_app: EmulatorApp, tmp_path: Path
) -> None:
    world = World(emulator_app, LimitsProxy(emulator_app, {"max_files": 2}))
    desired = load_desired_state(project(tmp_path), {}, use_cache=False)
    session = ApplySession(world.api, 2, io.StringIO())

    with session.guarded(desired, plan_options(now=world.epoch())) as guarded:
        assert guarded.plan.refusals == ()
        assert len(guarded.refusals) == 1
        assert guarded.refusals[0].startswith("account limits: files: the plan adds 3")
        with pytest.raises(GuardError, match="nothing was applied: account limits: files"):
            session.apply(guarded)

    assert world.writes() == 0


def test_the_lock_is_held_from_reading_to_the_end_of_the_apply(
    emulator_app: EmulatorApp, tmp_path: Path
) -> None:
    world = World(emulator_app)
    manifest = project(tmp_path)
    desired = load_desired_state(manifest, {}, use_cache=False)
    session = ApplySession(world.api, 2, io.StringIO())

    with session.guarded(desired, plan_options(now=world.epoch())) as guarded:
        assert guarded.refusals == ()
        assert not lock_is_free(manifest)
        result = session.apply(guarded, wait=False)
        assert not lock_is_free(manifest)

    assert not result.failed and world.writes() > 0
    assert lock_is_free(manifest)


def test_a_vet_that_refuses_stops_before_anything_is_sent(
    emulator_app: EmulatorApp, tmp_path: Path
) -> None:
    world = World(emulator_app)
    manifest = project(tmp_path)
    desired = load_desired_state(manifest, {}, use_cache=False)
    session = ApplySession(world.api, 2, io.StringIO())

    def stale(planned: Planned) -> None:
        raise StalePlanError(f"stale: {len(planned.plan.actions)} actions")

    with (
        pytest.raises(StalePlanError, match="stale"),
        session.guarded(desired, plan_options(now=world.epoch()), stale),
    ):
        pytest.fail("the body must not run when the plan is refused by its vet")

    assert world.writes() == 0 and lock_is_free(manifest)
