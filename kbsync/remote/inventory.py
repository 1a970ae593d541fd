"""Read the remote state of the agents a manifest names, with as few requests as possible.

Per read: one agent listing (per page), then per matched agent one settings GET, one
persona GET only when the agent declares a persona, one linked-assets listing (per
page), and crawl runs only when a declared site has no linked page yet (the only case
where the plan must know whether a crawl is running). Agents are read in parallel.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from kbsync.manifest.urls import page_belongs
from kbsync.model import (
    URL,
    DesiredAgent,
    DesiredState,
    Inventory,
    RemoteAgent,
    RemoteAgentState,
    RemoteLinkage,
)
from kbsync.remote.matching import match_agents, select_agents
from kbsync.robofy.api import RobofyApi


def read_inventory(
    api: RobofyApi,
    desired: DesiredState,
    *,
    agents: Sequence[str] = (),
    parallelism: int = 8,
) -> Inventory:
    """What Robofy holds for the desired agents (restricted to ``agents`` keys when given)."""
    wanted = select_agents(desired.agents, agents)
    remote = api.list_agents()
    # match the whole manifest, so --agent cannot hide two agents managing one chatbot
    matched = match_agents(desired.agents, remote)
    pairs = [(a, matched[a.key]) for a in wanted if a.key in matched]
    workers = max(1, min(parallelism, len(pairs)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        states = list(pool.map(lambda pair: read_agent(api, *pair), pairs))
    return Inventory(
        agents=tuple(remote),
        states={a.key: s for (a, _), s in zip(pairs, states, strict=True)},
    )


def read_agent(api: RobofyApi, desired: DesiredAgent, remote: RemoteAgent) -> RemoteAgentState:
    """Read one matched agent: settings, persona if declared, linkages, crawls if needed."""
    cid = remote.chatbot_id
    settings = api.get_settings(cid)
    persona = api.get_persona(cid) if desired.persona is not None else None
    linkages = tuple(api.list_linkages(cid))
    crawls = tuple(api.crawl_runs(cid)) if needs_crawl_runs(desired, linkages) else None
    return RemoteAgentState(remote, settings, persona, linkages, crawls)


def needs_crawl_runs(desired: DesiredAgent, linkages: Sequence[RemoteLinkage]) -> bool:
    """True when a declared site has no linked page: only then can a running crawl matter."""
    pages = [lk.asset_name for lk in linkages if lk.asset_type == URL]
    return any(not any(page_belongs(site, p) for p in pages) for site in desired.sites)


def remote_fingerprint(inventory: Inventory) -> str:
    """sha256 of what a plan depends on; transient states and crawl progress are left out.

    A saved plan carries it; apply refuses the plan when the remote no longer matches.
    """
    canonical = {
        "agents": sorted(
            ([a.chatbot_id, a.name, _sorted(a.profile)] for a in inventory.agents),
            key=lambda row: (str(row[0]), str(row[1])),
        ),
        "states": {key: _state_view(s) for key, s in sorted(inventory.states.items())},
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _state_view(state: RemoteAgentState) -> dict[str, object]:
    ordered = sorted(state.linkages, key=lambda lk: lk.linkage_id)
    linkages = [[lk.linkage_id, lk.asset_id, lk.asset_type, lk.asset_name] for lk in ordered]
    return {
        "chatbot_id": state.agent.chatbot_id,
        "prompt": state.settings.prompt,
        "settings": _sorted(state.settings.values),
        "persona": None if state.persona is None else _sorted(state.persona),
        "linkages": linkages,
    }


def _sorted(values: Mapping[str, object]) -> list[list[object]]:
    return [[k, values[k]] for k in sorted(values)]
