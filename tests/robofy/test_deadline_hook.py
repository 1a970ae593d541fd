"""The answer deadline's hook into httpx's pool (robofy/deadline.py, the quarantined private
API): installed on the httpx CI runs, said out loud when it cannot be."""

from __future__ import annotations

import logging

import httpx
import pytest

from kbsync.robofy.deadline import has_deadlines, with_deadlines


def test_the_hook_is_installed_on_this_httpx() -> None:
    transport = httpx.HTTPTransport()
    try:
        assert not has_deadlines(transport)
        assert with_deadlines(transport) is transport
        assert has_deadlines(transport)
    finally:
        transport.close()


def test_a_transport_without_a_pool_is_left_alone_and_said_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="kbsync.robofy")
    transport = httpx.MockTransport(lambda request: httpx.Response(200))

    assert with_deadlines(transport) is transport  # type: ignore[arg-type]

    assert not has_deadlines(transport)
    assert "not cut off at the answer deadline" in caplog.text
