"""Ctrl-C while requests are in flight: those are "outcome unknown", never "not run".

A gate in the transport holds every upload but ``t0``'s on the wire until released, and
``t0``'s until ``t1``'s is on its way; Ctrl-C is pressed (by the progress, on the main
thread) when ``t0`` is done, so ``t1`` is in flight at the interrupt whatever the timing.
"""

from __future__ import annotations

import random
import re
import threading

import httpx
import pytest

from kbsync.apply.executor import ApplyInterrupted, apply_plan
from kbsync.model import CREATE_AGENT, Outcome
from kbsync.robofy.client import RobofyClient
from tests.executor.helpers import KEY, PROJECT, World, agent, desired, text
from tests.executor.test_waiting import InterruptAfter

UNKNOWN = "outcome unknown, the next run reconciles it"
NOT_RUN = "not run: apply was interrupted"
ACCEPTED = "accepted; not yet confirmed ready"


class _Gate(httpx.BaseTransport):
    def __init__(self, world: World) -> None:
        self._inner = httpx.WSGITransport(app=world.app)
        self.arrived: set[str] = set()  # the texts whose upload reached the wire
        self.t1_sent = threading.Event()
        self.release = threading.Event()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        named = re.search(rb'"(t\d)', request.read()) if request.method == "POST" else None
        if named:
            name = named.group(1).decode()
            self.arrived.add(f"text:{name}")
            if name == "t0":
                self.t1_sent.wait(30)
            else:
                if name == "t1":
                    self.t1_sent.set()
                self.release.wait(30)
        return self._inner.handle_request(request)


@pytest.fixture
def gated(world: World) -> tuple[RobofyClient, _Gate]:
    gate = _Gate(world)
    client = RobofyClient(
        KEY, PROJECT, "http://emulator.test", transport=gate, rng=random.Random(0)
    )
    return client, gate


def _interrupted(world: World, client: RobofyClient, gate: _Gate) -> dict[str, Outcome]:
    world.api.create_agent({"name": "Agent support", "language": "en"})
    plan = world.plan(desired(agent(texts=[text(f"t{i}", str(i)) for i in range(6)])))
    try:
        with pytest.raises(ApplyInterrupted) as caught:
            apply_plan(client, plan, parallelism=2, progress=InterruptAfter(1), sleep=world.sleep)
        arrived = set(gate.arrived)  # before anything held is let go
    finally:
        gate.release.set()
        client.close()
    outcomes = caught.value.result.outcomes
    by_key = {o.action.source_key or "": o for o in outcomes if o.action.kind != CREATE_AGENT}
    assert arrived <= {k for k, o in by_key.items() if o.message != NOT_RUN}
    return by_key


def test_an_action_in_flight_at_ctrl_c_is_outcome_unknown_not_not_run(
    world: World, gated: tuple[RobofyClient, _Gate]
) -> None:
    by_key = _interrupted(world, *gated)
    assert by_key["text:t0"].message == ACCEPTED
    assert by_key["text:t1"].status == "still_running"
    assert by_key["text:t1"].message.startswith(UNKNOWN)
    rest = [by_key[f"text:t{i}"].message for i in range(2, 6)]
    assert all(m == NOT_RUN or m.startswith(UNKNOWN) for m in rest)  # none was let through
