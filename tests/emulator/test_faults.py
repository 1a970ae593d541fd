"""Fault injection: latency, 5xx rate, 429 rate limit, drop-after-commit, seeded replay,
a listing that lags behind writes."""

from __future__ import annotations

import time

import httpx
import pytest

from kbsync.emulator import EmulatorApp, EmulatorConfig, create_app
from kbsync.emulator.server import BackgroundServer
from tests.conftest import emulator_http_client
from tests.emulator.helpers import A, add_text, assert_error, create_agent

LIST = f"{A}/chatbot/1"


def statuses(client: httpx.Client, count: int) -> list[int]:
    return [client.get(LIST).status_code for _ in range(count)]


def test_latency_delays_every_request(
    emulator_app: EmulatorApp, emulator_client: httpx.Client
) -> None:
    emulator_app.set_faults(latency_ms=60)
    started = time.monotonic()
    assert statuses(emulator_client, 3) == [200, 200, 200]
    assert time.monotonic() - started >= 0.18  # a lower bound only: the fault's own behaviour


def test_fail_rate_within_tolerance_for_a_seed(
    emulator_app: EmulatorApp, emulator_client: httpx.Client
) -> None:
    emulator_app.set_faults(fail_rate=0.3, seed=7)
    responses = [
        emulator_client.post(LIST, json={"name": f"Bot {i}", "language": "en"}) for i in range(300)
    ]
    failed = [r for r in responses if r.status_code == 500]
    assert 60 <= len(failed) <= 120  # 90 expected
    assert {r.status_code for r in responses} == {200, 500}
    assert_error(failed[0], 500, "INTERNAL_SERVER_ERROR")
    state = emulator_app.state()
    assert len(state["agents"]) == 300 - len(failed)  # a failed request did nothing
    assert state["requests"]["by_route"] == {"POST /v1/ai-agent/chatbot/{pid}": 300}


def test_seeded_faults_replay_the_same_sequence(
    emulator_app: EmulatorApp, emulator_client: httpx.Client
) -> None:
    emulator_app.set_faults(fail_rate=0.5, seed=42)
    first = statuses(emulator_client, 40)
    emulator_app.set_faults(seed=42)
    assert statuses(emulator_client, 40) == first
    assert 500 in first and 200 in first
    other = create_app(EmulatorConfig(fail_rate=0.5, seed=42))
    try:
        with emulator_http_client(other) as client:
            assert statuses(client, 40) == first
    finally:
        other.close()


def test_rate_limit_answers_429_with_retry_after(
    emulator_app: EmulatorApp, emulator_client: httpx.Client
) -> None:
    emulator_app.set_faults(rate_limit_rps=0.5)  # burst of 1, one token every 2 s
    responses = [emulator_client.get(LIST) for _ in range(5)]
    assert responses[0].status_code == 200
    limited = [r for r in responses if r.status_code == 429]
    assert len(limited) >= 3
    for response in limited:
        assert_error(response, 429, "RATE_LIMITED")
        assert int(response.headers["Retry-After"]) >= 1
    emulator_app.set_faults(rate_limit_rps=0)
    assert statuses(emulator_client, 3) == [200, 200, 200]


def test_rate_limit_burst_is_the_rate(
    emulator_app: EmulatorApp, emulator_client: httpx.Client
) -> None:
    emulator_app.set_faults(rate_limit_rps=3)
    codes = statuses(emulator_client, 8)
    assert codes[:3] == [200, 200, 200] and 429 in codes


def test_drop_after_commit_in_process_commits_then_raises(
    emulator_app: EmulatorApp, emulator_client: httpx.Client
) -> None:
    emulator_app.set_faults(drop_after_commit_rate=1.0)
    with pytest.raises(ConnectionResetError):
        emulator_client.post(LIST, json={"name": "Ghost", "language": "en"})
    emulator_app.set_faults(drop_after_commit_rate=0.0)
    assert [agent["name"] for agent in emulator_app.state()["agents"]] == ["Ghost"]


def test_drop_after_commit_over_http_closes_without_answer(emulator_app: EmulatorApp) -> None:
    server = BackgroundServer(emulator_app)
    try:
        with emulator_http_client(emulator_app, server.base_url) as client:
            cid = create_agent(client)
            emulator_app.set_faults(drop_after_commit_rate=1.0)
            body = {"chatbot_id": cid, "content": "committed anyway", "file_name": "t"}
            with pytest.raises(httpx.TransportError):
                client.post(f"{A}/link_content/1", json=body)
            emulator_app.set_faults(drop_after_commit_rate=0.0)
            assert client.get(LIST).status_code == 200  # the server lives on
    finally:
        server.close()
    (link,) = emulator_app.state()["linkages"]
    assert (link["asset_name"], link["linked"]) == ("t", True)


def test_faults_never_touch_admin_routes(
    emulator_app: EmulatorApp, emulator_client: httpx.Client
) -> None:
    emulator_app.set_faults(fail_rate=1.0, rate_limit_rps=0.01, drop_after_commit_rate=1.0)
    for _ in range(3):
        assert emulator_client.get("/_emulator/state").status_code == 200
    assert emulator_client.post("/_emulator/clock", json={"seconds": 1}).status_code == 200
    assert emulator_app.state()["requests"]["total"] == 0


def test_faults_set_through_the_admin_endpoint(
    emulator_app: EmulatorApp, emulator_client: httpx.Client
) -> None:
    response = emulator_client.post("/_emulator/faults", json={"fail_rate": 1.0, "seed": 3})
    assert response.status_code == 200
    assert response.json()["data"] == {
        "latency_ms": 0, "fail_rate": 1.0, "rate_limit_rps": 0.0,
        "drop_after_commit_rate": 0.0, "seed": 3,
        "listing_lag_reads": 0, "listing_lag_seconds": 0.0,
    }  # fmt: skip
    assert_error(emulator_client.get(LIST), 500, "INTERNAL_SERVER_ERROR")
    assert emulator_app.state()["faults"]["fail_rate"] == 1.0


@pytest.mark.parametrize(
    "body",
    [
        {"fail_rate": 2},
        {"fail_rate": "0.1"},
        {"latency_ms": -1},
        {"seed": 1.5},
        {"nope": 1},
        [1],
        {"listing_lag_reads": 1.5},
        {"listing_lag_reads": 1001},
        {"listing_lag_seconds": -1},
    ],
)
def test_bad_fault_settings_are_400(emulator_client: httpx.Client, body: object) -> None:
    assert_error(emulator_client.post("/_emulator/faults", json=body), 400, "BAD_REQUEST")


def test_set_faults_raises_value_error_on_bad_input(emulator_app: EmulatorApp) -> None:
    with pytest.raises(ValueError, match="fail_rate"):
        emulator_app.set_faults(fail_rate=3)


def _listed(client: httpx.Client, cid: str) -> list[str]:
    response = client.get(f"{A}/chatbot_asset_link/1/{cid}")
    assert response.status_code == 200
    return [item["asset_name"] for item in response.json()["data"]["items"]]


def test_a_lagging_listing_leaves_a_new_linkage_out_of_the_next_n_reads(
    emulator_app: EmulatorApp, emulator_client: httpx.Client
) -> None:
    cid = create_agent(emulator_client)
    add_text(emulator_client, cid, "before the lag", name="old")
    emulator_app.set_faults(listing_lag_reads=2)
    add_text(emulator_client, cid, "written while lagging", name="new")
    assert [_listed(emulator_client, cid) for _ in range(3)] == [["old"], ["old"], ["old", "new"]]
    assert [lk["asset_name"] for lk in emulator_app.state()["linkages"]] == ["old", "new"]


def test_a_lagging_listing_leaves_a_new_linkage_out_for_a_grace_period(
    emulator_app: EmulatorApp, emulator_client: httpx.Client
) -> None:
    cid = create_agent(emulator_client)
    emulator_app.set_faults(listing_lag_seconds=2.0)
    add_text(emulator_client, cid, "written while lagging", name="new")
    assert [_listed(emulator_client, cid) for _ in range(5)] == [[]] * 5  # however often read
    emulator_app.advance_clock(1.5)
    assert _listed(emulator_client, cid) == []
    emulator_app.advance_clock(0.5)  # 2 s on the emulator's clock since it was added
    assert _listed(emulator_client, cid) == ["new"]
