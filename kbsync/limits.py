"""Limits preflight: would this plan exceed the account's files, links or storage left?

``plan`` warns, ``apply`` refuses before sending anything. What a plan needs is
counted generously, because delinks run last and cannot make room in time:
every add or replace of a file is one more file; every upload (texts too) adds its
size to storage; a crawl links up to ``max_pages`` pages, less the pages of that
site already linked (a recrawl replaces them), or an estimate when the site sets
no ``max_pages``. The limits come from Robofy's account-limit endpoint; when it is
unavailable kbsync says so once and goes on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, TextIO

from kbsync.errors import GuardError, RobofyError
from kbsync.model import (
    CRAWL,
    FILE_UPLOAD_KINDS,
    UPLOAD_KINDS,
    URL,
    Action,
    Inventory,
    Plan,
)
from kbsync.neutralise import neutralise
from kbsync.robofy.api import RobofyApi
from kbsync.urls import page_belongs

# Robofy documents no default for max_crawl_pages; its docs' example uses 50
ESTIMATED_PAGES = 50
_MB = 1024 * 1024


class Needs(NamedTuple):
    files: int = 0
    links: int = 0
    storage_bytes: int = 0
    estimated_sites: int = 0  # crawls counted at ESTIMATED_PAGES


class LimitCheck(NamedTuple):
    problems: tuple[str, ...] = ()  # one sentence per limit the plan would exceed
    unavailable: str = ""  # why the limits could not be checked ("" = they were)


def needs_of(plan: Plan, inventory: Inventory) -> Needs:
    """What the plan adds against the account's limits. Pure."""
    needs = Needs()
    for action in plan.actions:
        if action.kind in UPLOAD_KINDS and action.asset is not None:
            is_file = action.kind in FILE_UPLOAD_KINDS
            needs = needs._replace(
                files=needs.files + is_file,
                storage_bytes=needs.storage_bytes + action.asset.size,
            )
        elif action.kind == CRAWL and action.site is not None:
            pages, estimated = _crawl_pages(action, inventory)
            needs = needs._replace(
                links=needs.links + pages, estimated_sites=needs.estimated_sites + estimated
            )
    return needs


def _crawl_pages(action: Action, inventory: Inventory) -> tuple[int, int]:
    assert action.site is not None
    state = inventory.states.get(action.agent)
    linkages = state.linkages if state is not None else ()
    linked = sum(
        1 for lk in linkages if lk.asset_type == URL and page_belongs(action.site, lk.asset_name)
    )
    if action.site.max_pages is None:
        return max(0, ESTIMATED_PAGES - linked), 1
    return max(0, action.site.max_pages - linked), 0


def over_limits(needs: Needs, limits: Mapping[str, int]) -> list[str]:
    """One sentence per limit the needs exceed; limits not reported are not judged. Pure."""
    problems = [
        _over("files", needs.files, limits, "files: the plan adds {need} but {left} are left"),
        _over(
            "links",
            needs.links,
            limits,
            "links: crawls may link up to {need} pages but {left} are left",
            _estimate_note(needs),
        ),
        _over_storage(needs, limits),
    ]
    return [p for p in problems if p]


def _over(thing: str, need: int, limits: Mapping[str, int], words: str, tail: str = "") -> str:
    left = _left(limits, thing)
    if left is None or need <= left:
        return ""
    said = words.format(need=need, left=left)
    return f"{said} ({_usage(limits, thing)}): {need - left} over{tail}"


def _estimate_note(needs: Needs) -> str:
    if not needs.estimated_sites:
        return ""
    return (
        f"; {needs.estimated_sites} site(s) without max_pages counted as "
        f"{ESTIMATED_PAGES} pages, an estimate"
    )


def _over_storage(needs: Needs, limits: Mapping[str, int]) -> str:
    left = _left(limits, "storage_mb")
    need_mb = needs.storage_bytes / _MB
    if left is None or need_mb <= left:
        return ""
    return (
        f"storage: the plan uploads {need_mb:.2f} MB but {left} MB are left "
        f"({_usage(limits, 'storage_mb')} MB): {need_mb - left:.2f} MB over"
    )


def _left(limits: Mapping[str, int], thing: str) -> int | None:
    most, used = limits.get(f"max_{thing}"), limits.get(f"used_{thing}")
    return None if most is None or used is None else max(0, most - used)


def _usage(limits: Mapping[str, int], thing: str) -> str:
    return f"max {limits[f'max_{thing}']}, {limits[f'used_{thing}']} used"


def _recognised(limits: Mapping[str, int]) -> bool:
    return any(_left(limits, thing) is not None for thing in ("files", "links", "storage_mb"))


def check_limits(api: RobofyApi, plan: Plan, inventory: Inventory) -> LimitCheck:
    """Ask for the account's limits only when the plan adds something they count."""
    needs = needs_of(plan, inventory)
    if needs == Needs():
        return LimitCheck()
    try:
        limits = api.account_limits()
    except RobofyError as err:
        return LimitCheck(unavailable=f"the account-limit endpoint failed ({_short(err)})")
    if not _recognised(limits):
        return LimitCheck(unavailable="the account-limit endpoint answered no limit kbsync knows")
    return LimitCheck(problems=tuple(over_limits(needs, limits)))


def warn_limits(api: RobofyApi, plan: Plan, inventory: Inventory, stderr: TextIO) -> None:
    """For ``plan``: warn (stderr) when the plan would exceed a limit."""
    found = check_limits(api, plan, inventory)
    _say_unavailable(found, stderr)
    if found.problems:
        message = _message("Warning: apply will refuse this plan", found.problems)
        stderr.write(neutralise(message) + "\n")


def enforce_limits(api: RobofyApi, plan: Plan, inventory: Inventory, stderr: TextIO) -> None:
    """For ``apply``: GuardError (nothing sent) when the plan would exceed a limit."""
    found = check_limits(api, plan, inventory)
    _say_unavailable(found, stderr)
    if found.problems:
        raise GuardError(_message("apply refused; nothing was applied", found.problems))


def _message(head: str, problems: Sequence[str]) -> str:
    return f"{head}: it would exceed the account's limits: " + "; ".join(problems)


def _say_unavailable(found: LimitCheck, stderr: TextIO) -> None:
    if found.unavailable:
        stderr.write(neutralise(f"Note: account limits not checked: {found.unavailable}.") + "\n")


def _short(err: RobofyError) -> str:
    return f"HTTP {err.status}" if err.status else type(err).__name__
