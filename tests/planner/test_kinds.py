"""The groups of action kinds are defined once, in the model, and the users share them."""

from __future__ import annotations

from kbsync import model
from kbsync.model import (
    ACTION_KINDS,
    ADD_KINDS,
    CONTENT_KINDS,
    CRAWL,
    CREATE_AGENT,
    DELINK,
    FILE_UPLOAD_KINDS,
    REPLACE_KINDS,
    UPDATE_KINDS,
    UPLOAD_KINDS,
    WAIT_CRAWL,
    Action,
    Inventory,
    Plan,
)
from kbsync.plan.limits import needs_of
from kbsync.render.counts import PLAN_GROUPS

from .builders import file, text


def test_the_groups_split_every_kind_once() -> None:
    groups = [(CREATE_AGENT,), UPDATE_KINDS, ADD_KINDS, REPLACE_KINDS, (CRAWL, WAIT_CRAWL, DELINK)]
    flat = [kind for group in groups for kind in group]
    assert sorted(flat) == sorted(ACTION_KINDS)
    assert len(flat) == len(set(flat))


def test_derived_groups() -> None:
    assert set(UPLOAD_KINDS) == set(ADD_KINDS) | set(REPLACE_KINDS)
    assert set(CONTENT_KINDS) == set(UPLOAD_KINDS) | {CRAWL, WAIT_CRAWL}
    assert set(FILE_UPLOAD_KINDS) == {k for k in UPLOAD_KINDS if k.endswith("_file")}


def test_the_summary_groups_are_the_model_groups() -> None:
    assert PLAN_GROUPS["add"] == (CREATE_AGENT, *ADD_KINDS)
    assert PLAN_GROUPS["replace"] == model.REPLACE_KINDS
    assert PLAN_GROUPS["update"] == model.UPDATE_KINDS


def test_limits_count_every_upload_kind() -> None:
    assets = [text("t"), file("f.md"), text("u"), file("g.md")]
    actions = tuple(
        Action("a", kind, "", asset=asset) for kind, asset in zip(UPLOAD_KINDS, assets, strict=True)
    )
    needs = needs_of(Plan(1, actions), Inventory((), {}))
    assert needs.files == 2
    assert needs.storage_bytes == sum(a.size for a in assets)
