"""The steps every remote command shares: connect, read, plan. No printing here."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from kbsync.guards import parse_max_delete
from kbsync.inventory import read_inventory
from kbsync.model import CRAWL, DesiredState, Inventory, Plan, PlanOptions
from kbsync.planner import plan as make_plan
from kbsync.robofy.api import RobofyApi


class Connection(NamedTuple):
    """Where the commands talk to: a real Robofy project or the sandbox."""

    sandbox: bool
    base_url: str | None = None
    parallelism: int = 8
    rate_limit_budget: float = 600.0  # seconds (--rate-limit-budget)


class Planned(NamedTuple):
    desired: DesiredState
    inventory: Inventory
    options: PlanOptions
    plan: Plan


def open_api(
    connection: Connection,
    manifest_path: Path,
    project: int,
    env: Mapping[str, str],
    *,
    statuses: Mapping[str, str] | None = None,
) -> RobofyApi:
    """``statuses``: the manifest's `api:` section (Robofy status -> ready/pending/failed)."""
    if connection.sandbox:
        from kbsync.sandbox import open_sandbox_client

        return open_sandbox_client(
            manifest_path, project, parallelism=connection.parallelism, statuses=statuses
        )
    from kbsync.robofy.client import client_from_env

    return client_from_env(
        env,
        project,
        base_url=connection.base_url,
        parallelism=connection.parallelism,
        rate_limit_budget=connection.rate_limit_budget,
        statuses=statuses,
    )


def plan_options(
    *,
    max_delete: str | None = None,
    recrawl: Sequence[str] = (),
    agents: Sequence[str] = (),
    allow_delink: bool = True,
    now: float | None = None,
) -> PlanOptions:
    """ConfigError for a malformed ``--max-delete``: before connecting, not after reading."""
    parse_max_delete(max_delete)
    return PlanOptions(
        now=time.time() if now is None else now,
        max_delete=max_delete,
        recrawl=tuple(recrawl),
        agents=tuple(agents),
        allow_delink=allow_delink,
    )


def read_and_plan(
    api: RobofyApi, desired: DesiredState, options: PlanOptions, *, parallelism: int
) -> Planned:
    inventory = read_inventory(api, desired, agents=options.agents, parallelism=parallelism)
    plan = make_plan(desired, inventory, options)
    unread = _crawl_runs_unread(plan, inventory)
    if unread:
        # A recrawl is planned for a site that has pages, so its runs were not read (a
        # no-op plan stays cheap). Read them now so a crawl already running is waited
        # for instead of started twice.
        inventory = _with_crawl_runs(api, inventory, unread)
        plan = make_plan(desired, inventory, options)
    return Planned(desired, inventory, options, plan)


def _crawl_runs_unread(plan: Plan, inventory: Inventory) -> list[str]:
    crawling = {a.agent for a in plan.actions if a.kind == CRAWL}
    return sorted(
        k for k in crawling if k in inventory.states and inventory.states[k].crawls is None
    )


def _with_crawl_runs(api: RobofyApi, inventory: Inventory, keys: list[str]) -> Inventory:
    states = dict(inventory.states)
    for key in keys:
        state = states[key]
        runs = tuple(api.crawl_runs(state.agent.chatbot_id))
        states[key] = state._replace(crawls=runs)
    return inventory._replace(states=states)
