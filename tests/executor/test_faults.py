"""Faults: 5xx, 429 bursts and dropped responses; 300 texts end up linked exactly once."""

from __future__ import annotations

import random
import time
from collections import Counter

import httpx

from kbsync.model import DONE
from kbsync.robofy.client import RobofyClient
from tests.executor.helpers import KEY, PROJECT, World, agent, desired, marker, text


class CountingTransport(httpx.WSGITransport):
    """The emulator in-process, counting the answers that reached the client."""

    def __init__(self, world: World) -> None:
        super().__init__(app=world.app)
        self.statuses: Counter[int] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.statuses[response.status_code] += 1
        return response


def test_three_hundred_texts_through_faults_end_exactly_once() -> None:
    world = World(fail_rate=0.1, rate_limit_rps=80.0, drop_after_commit_rate=0.05, seed=7)
    transport = CountingTransport(world)
    # the emulator's rate limit runs on the wall clock: this client waits out 429s for real
    world.api = RobofyClient(
        KEY,
        PROJECT,
        "http://emulator.test",
        transport=transport,
        rng=random.Random(3),
        sleep=_short_real_sleep,
    )
    texts = [text(f"text-{i:03}", f"content number {i}") for i in range(300)]
    want = desired(agent(texts=texts))

    results = [world.apply(want)]
    if results[0].failed:  # a write whose outcome stayed unknown: the second run settles it
        results.append(world.apply(want))

    assert [o for o in results[-1].outcomes if o.status != DONE] == []
    names = Counter(world.linked_names())
    assert all(names[marker(t)] == 1 for t in texts)
    assert len(names) == 300
    # the faults really happened: 5xx, 429s, and answers lost after the server committed
    assert transport.statuses[500] > 0
    assert transport.statuses[429] > 0
    assert world.state()["requests"]["total"] > sum(transport.statuses.values())


def _short_real_sleep(seconds: float) -> None:
    """Backoff waits shortened (the emulator does not care), 429 waits real (it does)."""
    time.sleep(min(seconds, 1.0) if seconds >= 1.0 else seconds / 10)
