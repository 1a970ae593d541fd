"""Robofy's limits live in contract.py only; the walker and the manifest checks use them."""

from __future__ import annotations

from kbsync import model
from kbsync.desired import filewalk
from kbsync.manifest import knowledge as manifest_knowledge
from kbsync.robofy import contract as c
from kbsync.robofy.contract import readers as r


def test_the_walker_and_the_manifest_checks_use_the_contracts_limits() -> None:
    # the same objects, not equal copies that can drift apart
    assert filewalk.SUPPORTED_EXTENSIONS is c.FILE_EXTENSIONS
    assert filewalk.MAX_FILE_BYTES is c.MAX_FILE_BYTES
    assert manifest_knowledge.MAX_TEXT_CHARS is c.MAX_TEXT_CHARS


def test_the_secret_settings_are_the_models() -> None:
    """One list of secrets: what the planner never compares the client never reads or sends."""
    assert c.SECRET_FIELDS is model.SECRET_FIELDS
    secrets = dict.fromkeys(model.SECRET_FIELDS, "s3cret")
    answer = c.Answer("GET /settings", 200, {"data": {**secrets, "tone": "x"}})
    assert r.parse_settings(answer).values == {"tone": "x"}
    assert c.settings_to_wire({**secrets, "tone": "y"}) == {"tone": "y"}
