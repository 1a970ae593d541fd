"""Robofy's limits live in contract.py only; the walker and the manifest checks use them."""

from __future__ import annotations

from kbsync import filewalk, manifest_knowledge
from kbsync.robofy import contract as c


def test_the_walker_and_the_manifest_checks_use_the_contracts_limits() -> None:
    # the same objects, not equal copies that can drift apart
    assert filewalk.SUPPORTED_EXTENSIONS is c.FILE_EXTENSIONS
    assert filewalk.MAX_FILE_BYTES is c.MAX_FILE_BYTES
    assert manifest_knowledge.MAX_TEXT_CHARS is c.MAX_TEXT_CHARS
