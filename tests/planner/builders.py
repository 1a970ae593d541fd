"""Small builders for desired and remote states, so each planner test is one readable row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kbsync.desired.markers import encode
from kbsync.model import (
    FILE,
    READY,
    TEXT,
    URL,
    Action,
    CrawlRun,
    DesiredAgent,
    DesiredAsset,
    DesiredSite,
    DesiredState,
    Inventory,
    Plan,
    PlanOptions,
    RemoteAgent,
    RemoteAgentState,
    RemoteLinkage,
    RemoteSettings,
    Scalar,
)
from kbsync.plan.planner import plan

FP_A = "a" * 64
FP_B = "b" * 64
FP_C = "c" * 64
NOW = 1_795_000_000.0  # 2026-11-18 11:06:40 UTC: every test plans at this time
RECENT = "2026-11-18 08:00:00"
OLD = "2026-10-01 08:00:00"
SITE = "https://docs.acme.example/"


def text(name: str, fp: str = FP_A, content: str = "We answer 9-18.") -> DesiredAsset:
    return DesiredAsset(f"text:{name}", TEXT, fp, len(content), name, content=content)


def file(path: str, fp: str = FP_A) -> DesiredAsset:
    return DesiredAsset(f"file:{path}", FILE, fp, 1234, path, path=Path("/m") / path)


def site(url: str = SITE, **kwargs: Any) -> DesiredSite:
    return DesiredSite(f"site:{url}", url, **kwargs)


def agent(key: str = "support", name: str = "Support", **kwargs: Any) -> DesiredAgent:
    profile = {"name": name, **kwargs.pop("profile", {})}
    knowledge = any(kwargs.get(k) for k in ("texts", "files", "sites"))
    kwargs.setdefault("declares_knowledge", knowledge)
    return DesiredAgent(key, name, profile=profile, **kwargs)


def desired(*agents: DesiredAgent) -> DesiredState:
    return DesiredState(1, tuple(agents), Path("/m/kbsync.yaml"), "f" * 64)


def owned(
    lid: int,
    asset: DesiredAsset,
    fp: str | None = None,
    *,
    state: str = READY,
    created_at: str = RECENT,
) -> RemoteLinkage:
    name = encode(asset.source_key, fp or asset.fingerprint)
    return RemoteLinkage(lid, lid + 1000, asset.kind, name, state, state, created_at)


def owned_key(lid: int, key: str, fp: str = FP_A, kind: str = TEXT) -> RemoteLinkage:
    return RemoteLinkage(lid, lid + 1000, kind, encode(key, fp), READY, "ready", RECENT)


def foreign(lid: int, name: str = "handbook.pdf", kind: str = FILE) -> RemoteLinkage:
    return RemoteLinkage(lid, lid + 1000, kind, name, READY, "ready", RECENT)


def page(lid: int, url: str, created_at: str = RECENT) -> RemoteLinkage:
    return RemoteLinkage(lid, lid + 1000, URL, url, READY, "ready", created_at)


def crawl_run(
    run_id: str = "run-1", state: str = "pending", url: str = SITE, **kw: Any
) -> CrawlRun:
    return CrawlRun(run_id, state, (url,), started_at="2026-11-18 09:00:00", **kw)


def remote(
    *linkages: RemoteLinkage,
    chatbot_id: str = "cb-1",
    name: str = "Support",
    profile: dict[str, Scalar] | None = None,
    prompt: str = "",
    settings: dict[str, Scalar] | None = None,
    persona: dict[str, Scalar] | None = None,
    crawls: tuple[CrawlRun, ...] | None = None,
) -> RemoteAgentState:
    agent_ = RemoteAgent(chatbot_id, name, {"name": name, **(profile or {})})
    return RemoteAgentState(
        agent_, RemoteSettings(prompt, dict(settings or {})), persona, tuple(linkages), crawls
    )


def inventory(**states: RemoteAgentState) -> Inventory:
    return Inventory(tuple(s.agent for s in states.values()), dict(states))


def run(
    want: DesiredState | DesiredAgent, have: Inventory | RemoteAgentState | None, **options: Any
) -> Plan:
    """Plan ``want`` against ``have`` (a single state is the agent "support"'s)."""
    state = desired(want) if isinstance(want, DesiredAgent) else want
    if isinstance(have, RemoteAgentState):
        have = inventory(support=have)
    return plan(state, have or inventory(), PlanOptions(now=NOW, **options))


def rows(actions: tuple[Action, ...] | Plan) -> list[tuple[str, str | None, tuple[int, ...]]]:
    """(kind, source key, linkage ids) per action: what a table row expects."""
    found = actions.actions if isinstance(actions, Plan) else actions
    return [(a.kind, a.source_key, a.linkage_ids) for a in found]
