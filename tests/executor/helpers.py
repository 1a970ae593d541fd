"""Builders for desired state and a World: the emulator in-process plus the real client."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from kbsync import markers
from kbsync.emulator import BackgroundServer, EmulatorConfig, create_app
from kbsync.executor import apply_plan
from kbsync.inventory import read_inventory
from kbsync.model import (
    FILE,
    TEXT,
    ApplyResult,
    DesiredAgent,
    DesiredAsset,
    DesiredSite,
    DesiredState,
    Inventory,
    Plan,
    PlanOptions,
    Scalar,
)
from kbsync.planner import plan as make_plan
from kbsync.robofy.client import RobofyClient
from tests.conftest import DIALECT_STATUSES

KEY = "test-key"
PROJECT = 1
MANUAL_EPOCH = 1767225600.0  # the emulator's manual clock starts at 2026-01-01 00:00:00 UTC


def text(name: str, content: str) -> DesiredAsset:
    data = content.encode()
    fingerprint = hashlib.sha256(name.encode() + b"\0" + data).hexdigest()
    return DesiredAsset(f"text:{name}", TEXT, fingerprint, len(data), name, content=content)


def file(root: Path, relative: str, content: str) -> DesiredAsset:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    data = path.read_bytes()
    fingerprint = hashlib.sha256(data).hexdigest()
    return DesiredAsset(f"file:{relative}", FILE, fingerprint, len(data), relative, path=path)


def site(url: str, **options: Any) -> DesiredSite:
    return DesiredSite(f"site:{url}", url, **options)


def marker(asset: DesiredAsset) -> str:
    return markers.encode(asset.source_key, asset.fingerprint)


def agent(
    key: str = "support",
    *,
    texts: Sequence[DesiredAsset] = (),
    files: Sequence[DesiredAsset] = (),
    sites: Sequence[DesiredSite] = (),
    prune: str = "managed",
    persona: dict[str, Scalar] | None = None,
    prompt: str | None = None,
    settings: dict[str, Scalar] | None = None,
    declares_knowledge: bool | None = None,
) -> DesiredAgent:
    name = f"Agent {key}"
    knowledge = bool(texts or files or sites) if declares_knowledge is None else declares_knowledge
    return DesiredAgent(
        key=key,
        name=name,
        profile={"name": name, "language": "en"},
        prompt=prompt,
        settings=settings or {},
        persona=persona,
        prune=prune,
        declares_knowledge=knowledge,
        texts=tuple(texts),
        files=tuple(files),
        sites=tuple(sites),
    )


def desired(*agents: DesiredAgent, root: Path = Path("/nonexistent")) -> DesiredState:
    return DesiredState(
        project=PROJECT,
        agents=tuple(agents),
        manifest_path=root / "kbsync.yaml",
        manifest_fingerprint="0" * 64,
    )


class World:
    """One emulator on a manual clock, the real client through WSGITransport, fake time."""

    def __init__(self, *, loopback: bool = False, **config: Any) -> None:
        config.setdefault("manual_clock", True)
        self.app = create_app(EmulatorConfig(**config))
        statuses = DIALECT_STATUSES[self.app.config.dialect]
        self.now = 0.0
        self.server = BackgroundServer(self.app) if loopback else None
        transport = None if self.server else httpx.WSGITransport(app=self.app)
        self.api = RobofyClient(
            KEY,
            PROJECT,
            self.server.base_url if self.server else "http://emulator.test",
            transport=transport,
            sleep=self.sleep,
            clock=self.clock,
            rng=random.Random(0),
            statuses=statuses,
        )

    def close(self) -> None:
        self.api.close()
        if self.server is not None:
            self.server.close()
        self.app.close()

    # time: the executor and the client sleep on the emulator's clock
    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.app.advance_clock(seconds)

    # looking at the emulator
    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = self.app.state()
        return state

    def by_route(self) -> dict[str, int]:
        counts: dict[str, int] = self.state()["requests"]["by_route"]
        return dict(counts)

    def writes(self) -> int:
        return sum(n for route, n in self.by_route().items() if not route.startswith("GET "))

    def linked(self) -> list[dict[str, Any]]:
        return [lk for lk in self.state()["linkages"] if lk["linked"]]

    def linked_names(self, agent_name: str | None = None) -> list[str]:
        """Names of linked assets, of one agent (by name) or of all."""
        ids = {a["chatbot_id"] for a in self.state()["agents"] if a["name"] == agent_name}
        return [
            str(lk["asset_name"])
            for lk in self.linked()
            if agent_name is None or lk["chatbot_id"] in ids
        ]

    # the pipeline under test
    def inventory(self, state: DesiredState, **options: Any) -> Inventory:
        return read_inventory(self.api, state, **options)

    def plan(self, state: DesiredState, **options: Any) -> Plan:
        options.setdefault("now", MANUAL_EPOCH + self.now)
        return make_plan(state, self.inventory(state), PlanOptions(**options))

    def apply(self, state: DesiredState, **options: Any) -> ApplyResult:
        plan_options = {k: options.pop(k) for k in list(options) if k in PlanOptions._fields}
        plan = self.plan(state, **plan_options)
        options.setdefault("clock", self.clock)
        options.setdefault("sleep", self.sleep)
        return apply_plan(self.api, plan, **options)
