"""Faults: 5xx, 429 bursts, dropped responses and lagging listings; every text ends up
linked exactly once."""

from __future__ import annotations

import random
import time
from collections import Counter

import httpx
import pytest

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


class DroppingTransport(httpx.WSGITransport):
    """The emulator in-process; counts the answers lost after the server committed."""

    def __init__(self, world: World) -> None:
        super().__init__(app=world.app)
        self.dropped = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except ConnectionResetError:
            self.dropped += 1
            raise


@pytest.mark.parametrize(
    "lag",
    [{"listing_lag_reads": 2}, {"listing_lag_seconds": 2.0}],
    ids=["two-reads", "two-seconds"],
)
def test_lost_answers_and_a_lagging_listing_make_no_duplicates(lag: dict[str, float]) -> None:
    """A POST whose answer is lost, then listings that do not show it yet: kbsync must
    not take that for "not applied" and send the text again."""
    world = World(drop_after_commit_rate=0.25, seed=11, processing_seconds=0.0, **lag)
    transport = DroppingTransport(world)
    world.api = RobofyClient(
        KEY, PROJECT, "http://emulator.test", transport=transport,
        sleep=world.sleep, clock=world.clock, rng=random.Random(2),
    )  # fmt: skip
    texts = [text(f"lagging-{i:02}", f"content number {i}") for i in range(40)]
    result = world.apply(desired(agent(texts=texts)))

    names = Counter(world.linked_names())
    duplicates = {name: count for name, count in names.items() if count > 1}
    assert duplicates == {}
    assert all(names[marker(t)] == 1 for t in texts), result.outcomes
    assert [o for o in result.outcomes if o.status != DONE] == []
    assert transport.dropped >= 5  # the faults really happened
