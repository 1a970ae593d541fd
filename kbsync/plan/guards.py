"""Safety guards on delinks, decided at plan time (pure) so nothing is ever sent.

- ``--max-delete N``: at most N delinks per agent;
- ``--max-delete P%``: at most P% of each agent's linked assets (``100%`` lifts the guard);
- default: no agent may lose more than half of its linked assets, unless that is one asset;
- an agent that declares knowledge which expanded to nothing may not delink anything.

Replacements are not counted: their old version is swapped, not lost; nor are the
delinks of superseded versions (an older version whose new one is ready), nor of
failed copies (they hold no content).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from kbsync.errors import ConfigError
from kbsync.model import Action, DesiredAgent

_LIMIT = re.compile(r"\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<percent>%?)\s*")


class MaxDelete(NamedTuple):
    number: float
    percent: bool


class AgentDelinks(NamedTuple):
    agent: DesiredAgent
    delinks: int  # linkages the plan would delink
    linked: int  # linkages the agent has now


def parse_max_delete(value: str | None) -> MaxDelete | None:
    """``"N"`` or ``"P%"``; None (the default rule) when not given."""
    if value is None:
        return None
    match = _LIMIT.fullmatch(value)
    if match is None or (not match["percent"] and "." in match["number"]):
        raise ConfigError(
            f"--max-delete must be a whole number N or a percentage P% (got {value!r})"
        )
    return MaxDelete(float(match["number"]), bool(match["percent"]))


def count_delinks(actions: Sequence[Action]) -> int:
    """Linkages the actions prune; superseded versions are swapped and failed copies
    hold no content, so neither is lost."""
    return sum(len(a.linkage_ids) for a in actions if a.is_prune)


def refusals(counts: Sequence[AgentDelinks], max_delete: str | None) -> list[str]:
    """Every guard refusal for the plan, agents in the order given."""
    limit = parse_max_delete(max_delete)
    found = [r for c in counts if (r := _empty_expansion(c))]
    found += [r for c in counts if (r := _agent_share(c, limit))]
    return found


def _empty_expansion(count: AgentDelinks) -> str:
    agent = count.agent
    expanded = agent.texts or agent.files or agent.sites
    if not count.delinks or not agent.declares_knowledge or expanded:
        return ""
    return (
        f"agent {agent.key!r} declares knowledge but it expanded to nothing (an empty docs "
        f"folder or a mistyped path?); refusing to delink {count.delinks} of its linked assets"
    )


def _agent_share(count: AgentDelinks, limit: MaxDelete | None) -> str:
    if not count.delinks:
        return ""
    if limit is None:
        if count.delinks == 1 or count.delinks * 2 <= count.linked:
            return ""
        allowed = "half (the default --max-delete)"
    elif limit.percent:
        if count.delinks * 100 <= limit.number * count.linked:
            return ""
        allowed = f"--max-delete {_number(limit.number)}%"
    else:
        if count.delinks <= limit.number:
            return ""
        allowed = f"--max-delete {_number(limit.number)}"
    return (
        f"agent {count.agent.key!r}: the plan would delink {count.delinks} of its "
        f"{count.linked} linked assets, more than {allowed} allows; review the plan and "
        "pass --max-delete (e.g. --max-delete 100%) to go ahead"
    )


def _number(value: float) -> str:
    return f"{value:g}"
