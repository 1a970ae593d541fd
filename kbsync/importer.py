"""`kbsync import`: read existing agents of a project into snapshots (the I/O half).

Reading is all GETs: the agent list, then per chosen agent its settings, persona,
linked assets and crawl runs. ``kbsync.import_manifest`` turns the snapshots into a
manifest (pure).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple, TypeVar

from kbsync.errors import ConfigError, NotFoundError, ShapeError
from kbsync.model import CrawlRun, RemoteAgent, RemoteLinkage, RemoteSettings, Scalar
from kbsync.robofy.api import RobofyApi

T = TypeVar("T")


class AgentSnapshot(NamedTuple):
    """Everything import reads about one agent."""

    agent: RemoteAgent
    settings: RemoteSettings
    persona: dict[str, Scalar] | None  # None: the persona endpoint answered 404
    linkages: tuple[RemoteLinkage, ...]
    crawls: tuple[CrawlRun, ...] = ()


def choose_agents(remote: Sequence[RemoteAgent], wanted: Sequence[str]) -> list[RemoteAgent]:
    """The agents named (by exact name or chatbot id) in ``wanted``; every agent when empty."""
    if not remote:
        raise ConfigError("the project has no agents to import")
    chosen = list(remote) if not wanted else _named(remote, wanted)
    _refuse_shared_names(chosen)
    return chosen


def _named(remote: Sequence[RemoteAgent], wanted: Sequence[str]) -> list[RemoteAgent]:
    chosen: list[RemoteAgent] = []
    for item in wanted:
        found = [a for a in remote if item in (a.chatbot_id, a.name)]
        if not found:
            names = ", ".join(f"{a.name!r} ({a.chatbot_id})" for a in remote)
            raise ConfigError(f"--agent {item!r}: no agent with that name or id (agents: {names})")
        chosen += [a for a in found if a not in chosen]
    return chosen


def _refuse_shared_names(agents: Sequence[RemoteAgent]) -> None:
    """A manifest names each agent once; same-named agents go to separate manifests."""
    for agent in agents:
        twins = [a.chatbot_id for a in agents if a.name == agent.name]
        if len(twins) > 1:
            raise ConfigError(
                f"{len(twins)} agents are named {agent.name!r} (ids {', '.join(twins)}); "
                "a manifest can hold only one of them: import each into its own manifest "
                "with --agent ID -o FILE"
            )


def _refuse_unreadable(agents: Sequence[RemoteAgent]) -> None:
    """Fail closed: a manifest needs each agent's name; one kbsync cannot read is refused."""
    unread = [a for a in agents if a.unreadable]
    if unread:
        raise ShapeError(
            f"cannot import {len(unread)} agent(s) whose name kbsync cannot read: "
            f"{unread[0].unreadable}. Nothing was written. Run `kbsync doctor`.",
            endpoint=unread[0].unreadable.split(" (")[0],
        )


def read_snapshots(
    api: RobofyApi, wanted: Sequence[str] = (), *, parallelism: int = 8
) -> list[AgentSnapshot]:
    """Snapshots of the chosen agents, in the project's listing order."""
    agents = choose_agents(api.list_agents(), wanted)
    _refuse_unreadable(agents)
    workers = max(1, min(parallelism, len(agents)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda agent: read_snapshot(api, agent), agents))


def read_snapshot(api: RobofyApi, agent: RemoteAgent) -> AgentSnapshot:
    cid = agent.chatbot_id
    return AgentSnapshot(
        agent=agent,
        settings=api.get_settings(cid),
        persona=_or_none(lambda: api.get_persona(cid)),
        linkages=tuple(api.list_linkages(cid)),
        crawls=tuple(_or_none(lambda: api.crawl_runs(cid)) or ()),
    )


def _or_none(read: Callable[[], T]) -> T | None:
    """A read some accounts may not offer (404): None instead of failing the import."""
    try:
        return read()
    except NotFoundError:
        return None
