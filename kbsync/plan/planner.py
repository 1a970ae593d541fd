"""The plan: what must change so the Robofy project matches the manifest. Pure.

``plan(desired, inventory, options)`` reads no file, network or clock (the time is
``options.now``). Per agent it diffs the agent's fields (plan_profile), its texts,
files and pages (plan_knowledge), its sites (plan_sites), applies the prune mode,
and finally the guards (guards), which turn into ``Plan.refusals``.
"""

from __future__ import annotations

from kbsync.desired.skipped import skip_summary
from kbsync.errors import ConfigError
from kbsync.model import (
    ACTION_KINDS,
    Action,
    DesiredAgent,
    DesiredState,
    Inventory,
    Note,
    Plan,
    PlanOptions,
    RemoteAgentState,
)
from kbsync.plan.guards import AgentDelinks, count_delinks, refusals
from kbsync.plan.knowledge import page_candidates, plan_assets, select_delinks
from kbsync.plan.profile import plan_agent_fields, plan_new_agent
from kbsync.plan.sites import plan_site
from kbsync.remote.matching import match_agents, select_agents

# match_agents lives in kbsync.remote.matching; it stays importable from here
__all__ = ["match_agents", "plan"]


def plan(desired: DesiredState, inventory: Inventory, options: PlanOptions) -> Plan:
    agents = select_agents(desired.agents, options.agents)
    actions: list[Action] = []
    notes: list[Note] = []
    counts: list[AgentDelinks] = []
    for agent in agents:
        state = inventory.states.get(agent.key)
        agent_actions, agent_notes = _plan_agent(agent, state, options)
        actions += sorted(agent_actions, key=_order)
        notes += agent_notes
        notes += [Note(agent.key, skip_summary(agent.skipped))] if agent.skipped else []
        linked = len(state.linkages) if state else 0
        counts.append(AgentDelinks(agent, count_delinks(agent_actions), linked))
    return Plan(
        project=desired.project,
        actions=tuple(actions),
        notes=tuple(notes),
        refusals=tuple(refusals(counts, options.max_delete)),
        agent_ids={a.key: s.agent.chatbot_id for a in agents if (s := inventory.states.get(a.key))},
        skipped={a.key: a.skipped for a in agents if a.skipped},
    )


# --- one agent ----------------------------------------------------------------


def _plan_agent(
    agent: DesiredAgent, state: RemoteAgentState | None, options: PlanOptions
) -> tuple[list[Action], list[Note]]:
    if state is None:
        if agent.id is not None:
            raise ConfigError(f"agent {agent.key!r}: no agent with the pinned id {agent.id!r}")
        return _plan_created_agent(agent), []
    actions = plan_agent_fields(agent, state)
    assets = plan_assets(agent, state.linkages)
    actions += assets.actions
    actions += _site_actions(agent, state, options)
    delinks, notes = select_delinks(
        agent, assets.candidates + page_candidates(agent, state.linkages)
    )
    if assets.processing:
        delinks, held = _hold_prunes(agent, delinks, assets.processing)
        notes += held
    if not options.allow_delink:
        # superseded versions still go: they finish a replacement, they are no prune
        kept = sorted((a for a in delinks if not a.superseded), key=_order)
        finished = [a for a in delinks if a.superseded]
        return actions + finished, assets.notes + notes + [_would_delink(a) for a in kept]
    return actions + delinks, assets.notes + notes


def _plan_created_agent(agent: DesiredAgent) -> list[Action]:
    actions = plan_new_agent(agent)
    actions += plan_assets(agent, ()).actions
    for site in agent.sites:
        found = plan_site(agent.key, site, (), None, now=0.0, recrawl=())
        actions += [found] if found else []
    return actions


def _site_actions(
    agent: DesiredAgent, state: RemoteAgentState, options: PlanOptions
) -> list[Action]:
    found = (
        plan_site(
            agent.key, site, state.linkages, state.crawls, now=options.now, recrawl=options.recrawl
        )
        for site in agent.sites
    )
    return [a for a in found if a is not None]


def _hold_prunes(
    agent: DesiredAgent, delinks: list[Action], processing: list[str]
) -> tuple[list[Action], list[Note]]:
    """Nothing is pruned while declared content is still processing: it may yet fail.

    Superseded versions and failed copies still go: the one finishes a replacement,
    the other holds no content.
    """
    prunes = [a for a in delinks if a.is_prune]
    if not prunes:
        return delinks, []
    names = ", ".join(sorted(processing)[:3]) + (" and more" if len(processing) > 3 else "")
    message = (
        f"{len(prunes)} delink(s) held: {names} still processing in Robofy; "
        "nothing is pruned before the new content is ready (plan again once it is)"
    )
    going = [a for a in delinks if not a.is_prune]
    return going, [Note(agent.key, message)]


def _would_delink(action: Action) -> Note:
    return Note(action.agent, f"would delink {action.label} ({action.reason}); run with --prune")


def _order(action: Action) -> tuple[int, str, str, tuple[int, ...]]:
    """ACTION_KINDS order, then source key, then label and linkage ids (stable output)."""
    return (
        ACTION_KINDS.index(action.kind),
        action.source_key or "",
        action.label,
        action.linkage_ids,
    )
