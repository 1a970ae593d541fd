"""Resolving POSTs whose outcome is unknown by re-reading, never by blind re-sending.

A POST that failed after it may have reached Robofy (a dropped connection, a
timeout, a 5xx) raises UncertainWriteError in the sender. Here we look for its
effect: a linkage with the name we sent, a running crawl of our start URL, an
agent with our name. Found: that is the result. Absent: the write did not
happen, so sending again cannot duplicate it. What existed before a send (an
older, maybe failed copy of the same name) is never taken for its effect.

A listing may lag behind a write (an eventually consistent service), so one read
that misses the effect proves nothing: absence is believed only when ``Patience.reads``
reads spread over ``Patience.grace`` seconds all agree.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple, TypeVar

from kbsync.errors import RobofyError, UncertainWriteError
from kbsync.model import CrawlRun, RemoteAgent, RemoteLinkage

log = logging.getLogger("kbsync.robofy")

T = TypeVar("T")

ASSET_SENDS = 3  # the first send and at most two re-sends after proving absence
CRAWL_SENDS = 2
AGENT_SENDS = 2
ABSENCE_READS = 4  # reads that must all miss a write before it counts as not applied
ABSENCE_GRACE = 3.0  # seconds from the first of them to the last


class Patience(NamedTuple):
    """How absence is proven: ``reads`` reads, evenly spread over ``grace`` seconds."""

    sleep: Callable[[float], None]
    reads: int = ABSENCE_READS
    grace: float = ABSENCE_GRACE


def add_asset(
    send: Callable[[], RemoteLinkage],
    asset_name: str,
    list_linkages: Callable[[], list[RemoteLinkage]],
    known_ids: Callable[[], set[int]],
    patience: Patience,
) -> RemoteLinkage:
    """``known_ids()``: the linkage ids the client has already seen (its inventory read,
    earlier adds), so certainly not the result of the coming send. Asked in memory
    before every send: the fault-free path stays one POST."""
    older: set[int] = set()

    def send_once() -> RemoteLinkage:
        older.clear()
        older.update(known_ids())
        return send()

    def find() -> RemoteLinkage | None:
        links = list_linkages()
        named = [x for x in links if x.asset_name == asset_name and x.linkage_id not in older]
        return max(named, key=lambda link: (link.created_at, link.linkage_id), default=None)

    return _resolve(send_once, find, ASSET_SENDS, f"asset {asset_name!r}", patience)


def crawl(
    send: Callable[[], CrawlRun],
    start_url: str,
    crawl_runs: Callable[[], list[CrawlRun]],
    patience: Patience,
) -> CrawlRun:
    """Runs are told apart by id, not by clocks: the emulator's clock may be anywhere."""
    wanted = start_url.rstrip("/")
    before = {run.run_id for run in crawl_runs()}  # crawls are rare: one read is cheap

    def find() -> CrawlRun | None:
        runs = [r for r in crawl_runs() if r.run_id not in before and _starts_at(r, wanted)]
        return runs[0] if runs else None  # newest first

    return _resolve(send, find, CRAWL_SENDS, f"crawl of {start_url}", patience)


def create_agent(
    send: Callable[[], str],
    name: str,
    list_agents: Callable[[], list[RemoteAgent]],
    patience: Patience,
) -> str:
    def named() -> set[str]:
        return {agent.chatbot_id for agent in list_agents() if agent.name == name}

    before = named()  # agents are created rarely: one read is cheap

    def find() -> str | None:
        new = named() - before
        if len(new) > 1:
            raise UncertainWriteError(
                f"Creating agent {name!r} had an unknown outcome and {len(new)} new agents "
                "of that name now exist; pin the right one with `id` in the manifest"
            )
        return new.pop() if new else None

    return _resolve(send, find, AGENT_SENDS, f"agent {name!r}", patience)


def _resolve(
    send: Callable[[], T],
    find: Callable[[], T | None],
    sends: int,
    what: str,
    patience: Patience,
) -> T:
    last: UncertainWriteError | None = None
    for attempt in range(1, sends + 1):
        try:
            return send()
        except UncertainWriteError as err:
            last = err
        log.info("%s: outcome unknown (%s); re-reading", what, last)
        found = _find_patiently(find, last, patience)
        if found is not None:
            log.info("%s: found; it was applied", what)
            return found
        if attempt < sends:
            log.info("%s: not applied; sending again", what)
    assert last is not None
    raise UncertainWriteError.about(
        last, f"{last} — still unknown after {sends} attempts and re-reading"
    )


def _find_patiently(
    find: Callable[[], T | None], cause: UncertainWriteError, patience: Patience
) -> T | None:
    """The effect, or None once every one of ``patience.reads`` reads missed it."""
    pause = patience.grace / max(1, patience.reads - 1)
    for read in range(patience.reads):
        if read:
            patience.sleep(pause)  # give a lagging listing time to catch up
        found = _find(find, cause)
        if found is not None:
            return found
    return None


def _find(find: Callable[[], T | None], cause: UncertainWriteError) -> T | None:
    try:
        return find()
    except UncertainWriteError:
        raise
    except RobofyError as err:
        raise UncertainWriteError.about(
            cause, f"{cause}; re-reading to check failed too: {err}"
        ) from None


def _starts_at(run: CrawlRun, wanted: str) -> bool:
    return wanted in {url.rstrip("/") for url in run.start_urls}
