"""Waiting for crawls to finish and for new linkages to finish processing.

One poll reads each involved agent once (one linked-assets listing and/or one crawl-runs
listing), however many items of that agent are awaited. The interval starts at 0.25 s
and doubles up to 2 s; waiting stops at the timeout, and whatever is still running is
reported as such. The clock and the sleep are injected so tests run on an emulator
clock instead of real time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from kbsync.errors import RobofyError
from kbsync.model import FAILED, PENDING, READY, CrawlRun, RemoteLinkage
from kbsync.progress import NullProgress, Progress
from kbsync.robofy.api import RobofyApi

FIRST_INTERVAL = 0.25
MAX_INTERVAL = 2.0


class Watch(NamedTuple):
    """One thing to wait for: a new linkage (by id and/or marker name) or a crawl run."""

    chatbot_id: str
    asset_name: str = ""  # linkages: the marker the asset was uploaded under
    linkage_id: int | None = None  # linkages: the id the add returned, when known
    run_id: str | None = None  # crawls: the run to follow
    ready: bool = False  # linkages: the add's own answer already said ready; no poll needed

    @property
    def is_crawl(self) -> bool:
        return self.run_id is not None

    def describe(self) -> str:
        if self.run_id is not None:
            return f"crawl run {self.run_id}"
        return f"processing of {self.asset_name or f'linkage {self.linkage_id}'}"


class Settled(NamedTuple):
    """Where a watched item ended: READY, FAILED, or PENDING (still running at the timeout)."""

    state: str
    detail: str = ""
    statuses: tuple[str, ...] = ()  # PENDING linkages: the raw status strings last seen


class _Listing(NamedTuple):
    """One poll's reading of an agent; None where it was not read or could not be read."""

    linkages: list[RemoteLinkage] | None
    runs: list[CrawlRun] | None
    error: str = ""


def wait_until_settled(
    api: RobofyApi,
    watches: Sequence[Watch],
    *,
    timeout: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    progress: Progress | None = None,
) -> list[Settled]:
    """Poll until every watch is READY or FAILED, or ``timeout`` seconds have passed."""
    bar = progress or NullProgress()
    results = [
        Settled(READY, "ready") if w.ready else Settled(PENDING, "not checked yet") for w in watches
    ]
    open_ = {i for i, w in enumerate(watches) if not w.ready}
    deadline = clock() + timeout
    interval = FIRST_INTERVAL
    bar.start(len(watches), "Waiting")
    bar.advance(len(watches) - len(open_))
    while open_:
        settled_now = _poll(api, watches, open_, results)
        open_ -= settled_now
        bar.advance(len(settled_now))
        remaining = deadline - clock()
        if not open_ or remaining <= 0:
            break
        bar.update(_summary(watches, open_))
        sleep(min(interval, remaining))
        interval = min(interval * 2, MAX_INTERVAL)
    return results


def _poll(
    api: RobofyApi, watches: Sequence[Watch], open_: set[int], results: list[Settled]
) -> set[int]:
    """Read each agent with open watches once; record states; return the indexes now settled."""
    listings = {cid: _read(api, cid, watches, open_) for cid in _agents(watches, open_)}
    settled: set[int] = set()
    for i in sorted(open_):
        watch = watches[i]
        results[i] = _judge(watch, listings[watch.chatbot_id])
        if results[i].state != PENDING:
            settled.add(i)
    return settled


def _agents(watches: Sequence[Watch], open_: set[int]) -> list[str]:
    return sorted({watches[i].chatbot_id for i in open_})


def _read(api: RobofyApi, chatbot_id: str, watches: Sequence[Watch], open_: set[int]) -> _Listing:
    mine = [watches[i] for i in open_ if watches[i].chatbot_id == chatbot_id]
    try:
        linkages = api.list_linkages(chatbot_id) if any(not w.is_crawl for w in mine) else None
        runs = api.crawl_runs(chatbot_id) if any(w.is_crawl for w in mine) else None
    except RobofyError as e:  # a failed poll is not a failed item: try again next round
        return _Listing(None, None, f"last check failed: {e}")
    return _Listing(linkages, runs)


def _judge(watch: Watch, listing: _Listing) -> Settled:
    if listing.error:
        return Settled(PENDING, listing.error)
    if watch.run_id is not None:
        return _judge_crawl(watch.run_id, listing.runs or [])
    return _judge_linkage(watch, listing.linkages or [])


def _judge_crawl(run_id: str, runs: list[CrawlRun]) -> Settled:
    run = next((r for r in runs if r.run_id == run_id), None)
    if run is None:
        return Settled(PENDING, f"crawl run {run_id} is not listed yet")
    pages = f"{run.pages_crawled} pages crawled"
    if run.state == READY:
        return Settled(READY, pages)
    if run.state == FAILED:
        return Settled(FAILED, f"crawl failed after {pages}: {run.error or 'no reason given'}")
    return Settled(PENDING, f"crawl run {run_id} still running ({pages} of {run.pages_found})")


def _judge_linkage(watch: Watch, linkages: list[RemoteLinkage]) -> Settled:
    by_id = [lk for lk in linkages if lk.linkage_id == watch.linkage_id]
    same = by_id or [
        lk for lk in linkages if watch.asset_name and lk.asset_name == watch.asset_name
    ]
    states = {lk.state for lk in same}
    if READY in states:
        return Settled(READY, "ready")
    if PENDING in states:
        raws = tuple(sorted({lk.raw_status for lk in same if lk.state == PENDING}))
        raw = ", ".join(raws)
        return Settled(PENDING, f"{watch.describe()} still running ({raw or 'pending'})", raws)
    if FAILED in states:
        raw = ", ".join(sorted({lk.raw_status for lk in same}))
        return Settled(FAILED, f"Robofy failed to process it (status {raw or 'failed'})")
    return Settled(FAILED, "the new linkage is no longer listed for the agent")


def _summary(watches: Sequence[Watch], open_: set[int]) -> str:
    crawls = sum(1 for i in open_ if watches[i].is_crawl)
    processing = len(open_) - crawls
    parts = [f"{processing} processing"] if processing else []
    parts += [f"{crawls} crawl(s) running"] if crawls else []
    return ", ".join(parts)
