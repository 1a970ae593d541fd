"""Retries: 429 pauses every worker, 5xx/connection errors back off with jitter, budgets end."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from kbsync.errors import NetworkError, RateLimitedError, ServerError
from tests.robofy.conftest import Harness, error, reply

PERSONA = {"message": "ok", "data": {"role": "guide"}}
Step = httpx.Response | BaseException


def script(*steps: Step) -> Callable[[httpx.Request], httpx.Response]:
    """Answer with each step in turn (raising the exceptions), then PERSONA forever."""
    queue: Iterator[Step] = iter(steps)

    def serve(request: httpx.Request) -> httpx.Response:
        step = next(queue, None)
        if isinstance(step, BaseException):
            raise step
        return step if step is not None else reply(PERSONA)

    return serve


def limited(retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else None
    return reply({"message": "slow down", "error": {"code": "RATE_LIMITED"}}, 429, headers)


# --- 429 ---------------------------------------------------------------------------------


def test_429_waits_retry_after_then_succeeds(harness: Callable[..., Harness]) -> None:
    h = harness(script(limited("3")))
    assert h.client.get_persona("cb1") == {"role": "guide"}
    assert h.sleeps == [3.0]
    assert len(h.requests) == 2


@pytest.mark.parametrize("header", [None, "soon", "", "-5x", "nan", "NaN"])
def test_429_without_a_usable_retry_after_waits_a_default(
    harness: Callable[..., Harness], header: str | None
) -> None:
    h = harness(script(limited(header)))
    h.client.get_persona("cb1")
    assert h.sleeps == [2.0]


def test_429_retry_after_as_http_date(harness: Callable[..., Harness]) -> None:
    h = harness(script(limited(email.utils.formatdate(time.time() + 60, usegmt=True))))
    h.client.get_persona("cb1")
    assert len(h.sleeps) == 1 and 50 <= h.sleeps[0] <= 61


@pytest.mark.parametrize(
    ("header", "asked"),
    [
        ("999999999", "999,999,999 s"),
        ("1e309", "forever"),
        ("Fri, 31 Dec 9999 23:59:59 GMT", "s ("),
        ("601", "601 s"),
    ],
)
def test_429_retry_after_past_the_budget_is_an_error_at_once(
    harness: Callable[..., Harness], header: str, asked: str
) -> None:
    h = harness(script(limited(header)))
    with pytest.raises(RateLimitedError) as caught:
        h.client.get_persona("cb1")
    message = str(caught.value)
    assert h.sleeps == [] and len(h.requests) == 1  # no waiting, no second try
    assert "GET /v1/ai-agent/persona" in message and repr(header) in message and asked in message
    assert "600 s" in message and "--rate-limit-budget" in message


def test_429_waits_add_up_to_the_run_budget_across_requests(
    harness: Callable[..., Harness],
) -> None:
    steps = (limited("4"), limited("4"), reply(PERSONA), limited("4"))
    h = harness(script(*steps), rate_limit_budget=10.0)
    h.client.get_persona("cb1")  # waits 4 + 4 (8 of 10)
    with pytest.raises(RateLimitedError, match="2 s left of 10 s"):
        h.client.get_persona("cb1")  # 4 more would pass the budget
    assert h.sleeps == [4.0, 4.0]


def test_a_retry_after_within_the_budget_is_waited_in_full(
    harness: Callable[..., Harness],
) -> None:
    h = harness(script(limited("400")))
    h.client.get_persona("cb1")
    assert h.sleeps == [400.0]  # no silent cap: waiting less would only earn another 429


def test_429_pauses_every_worker(harness: Callable[..., Harness]) -> None:
    """While worker A waits out a 429, worker B's request waits for the same moment."""
    h = harness(script(limited("5")))
    slept_by_b: list[float] = []

    def worker_b(_: float) -> None:
        before = len(h.sleeps)
        h.client.update_persona("cb1", {"role": "coach"})
        slept_by_b.extend(h.sleeps[before:])

    h.on_sleep.append(worker_b)  # runs while A is inside its pause, before time moves
    h.client.get_persona("cb1")
    assert slept_by_b == [5.0]  # B did not send until A's "not before" time
    assert [r.method for r in h.requests] == ["GET", "PUT", "GET"]
    assert h.sleeps == [5.0, 5.0]


def test_429_budget_ends_in_rate_limited_error(harness: Callable[..., Harness]) -> None:
    h = harness(lambda request: limited("1"))
    with pytest.raises(RateLimitedError) as caught:
        h.client.get_persona("cb1")
    assert len(h.requests) == 31  # the first try and 30 waits
    assert (caught.value.status, caught.value.code) == (429, "RATE_LIMITED")
    assert caught.value.endpoint == "GET /v1/ai-agent/persona/{pid}/{cid}"


def test_429_on_post_is_resent_because_it_was_refused(harness: Callable[..., Harness]) -> None:
    added = {"linkage_id": 1, "asset_id": 2, "chatbot_id": "cb1", "status": "Processing"}
    h = harness(script(limited("1"), reply(added)))
    assert h.client.add_text("cb1", "a.md", "x").linkage_id == 1
    assert [r.method for r in h.requests] == ["POST", "POST"]


# --- 5xx and connection errors -------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_5xx_on_idempotent_requests_backs_off_then_succeeds(
    harness: Callable[..., Harness], method: str
) -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        if len(h.requests) <= 2:
            return error(503, "INTERNAL_SERVER_ERROR", "busy")
        return reply({"data": {"delinked": [1]}} if method == "DELETE" else PERSONA)

    h = harness(serve)
    calls = {
        "GET": lambda: h.client.get_persona("cb1"),
        "PUT": lambda: h.client.update_persona("cb1", {"role": "x"}),
        "DELETE": lambda: h.client.delink("cb1", [1]),
    }
    calls[method]()
    assert [r.method for r in h.requests] == [method] * 3
    assert len(h.sleeps) == 2
    # full jitter: each wait lies in [0, base * 2**n]
    assert 0 <= h.sleeps[0] <= 1.0 and 0 <= h.sleeps[1] <= 2.0


def test_5xx_budget_ends_in_server_error_with_capped_waits(harness: Callable[..., Harness]) -> None:
    h = harness(lambda request: error(500, "INTERNAL_SERVER_ERROR", "db down", "Internal error"))
    with pytest.raises(ServerError) as caught:
        h.client.list_linkages("cb1")
    err = caught.value
    assert len(h.requests) == 7  # 1 + max_retries (6)
    assert len(h.sleeps) == 6 and all(0 <= s <= 10.0 for s in h.sleeps)
    assert (err.status, err.code, err.detail) == (500, "INTERNAL_SERVER_ERROR", "db down")
    assert err.endpoint == "GET /v1/ai-agent/chatbot_asset_link/{pid}/{cid}"
    assert str(err) == (
        "Robofy answered HTTP 500 INTERNAL_SERVER_ERROR on "
        "GET /v1/ai-agent/chatbot_asset_link/7/cb1: db down"
    )


def test_max_retries_is_configurable(harness: Callable[..., Harness]) -> None:
    h = harness(lambda request: error(502, "BAD_GATEWAY"), max_retries=2)
    with pytest.raises(ServerError):
        h.client.get_persona("cb1")
    assert len(h.requests) == 3


@pytest.mark.parametrize(
    "failure",
    [
        ConnectionResetError("reset by peer"),  # what the in-process emulator raises
        httpx.ReadError("connection lost"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("server disconnected"),
        httpx.ConnectError("refused"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_connection_errors_on_get_are_retried(
    harness: Callable[..., Harness], failure: BaseException
) -> None:
    h = harness(script(failure, failure))
    assert h.client.get_persona("cb1") == {"role": "guide"}
    assert len(h.requests) == 3 and len(h.sleeps) == 2


def test_connection_error_budget_ends_in_network_error(harness: Callable[..., Harness]) -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    h = harness(serve)
    with pytest.raises(NetworkError, match=r"Cannot reach Robofy for GET /v1/projects/7\b"):
        h.client.get_project()
    assert len(h.requests) == 7


def test_refused_connection_on_post_is_retried_because_nothing_was_sent(
    harness: Callable[..., Harness],
) -> None:
    added = {"linkage_id": 1, "asset_id": 2, "chatbot_id": "cb1", "status": "Processing"}
    h = harness(script(httpx.ConnectError("refused"), reply(added)))
    assert h.client.add_text("cb1", "a.md", "x").linkage_id == 1
    assert [r.method for r in h.requests] == ["POST", "POST"]


def test_chat_post_is_safe_to_repeat(harness: Callable[..., Harness]) -> None:
    h = harness(script(error(500, "INTERNAL_SERVER_ERROR"), reply({"answer": "hi"})))
    assert h.client.chat("cb1", "hello") == "hi"
    assert [r.method for r in h.requests] == ["POST", "POST"]
