"""Which remote agent each desired agent manages: by pinned id, else by exact name. Pure.

Shared by the inventory (what to read), the planner and ``kbsync check``, so it lives
apart from all three and depends on the model and the errors only.
"""

from __future__ import annotations

from collections.abc import Sequence

from kbsync.errors import ConfigError, ShapeError
from kbsync.model import DesiredAgent, RemoteAgent


def select_agents(agents: Sequence[DesiredAgent], keys: Sequence[str]) -> list[DesiredAgent]:
    """The agents named by ``keys`` (all when empty); an unknown key is an error."""
    declared = [a.key for a in agents]
    unknown = [k for k in keys if k not in declared]
    if unknown:
        raise ConfigError(
            f"unknown agent key(s) {', '.join(unknown)}; "
            f"the manifest declares: {', '.join(declared) or 'none'}"
        )
    return [a for a in agents if not keys or a.key in keys]


def match_agents(
    desired: Sequence[DesiredAgent], remote: Sequence[RemoteAgent]
) -> dict[str, RemoteAgent]:
    """Desired agent key -> remote agent, by pinned ``id``, else by exact name.

    Raises ConfigError for a pinned id that does not exist, for a name two remote
    agents share, and for two desired agents that would manage the same chatbot;
    ShapeError when an agent is matched by name while a listed agent's name is unreadable.
    """
    _refuse_unreadable_names(desired, remote)
    by_id = {r.chatbot_id: r for r in remote}
    matched: dict[str, RemoteAgent] = {}
    for agent in desired:
        found = _match_one(agent, remote, by_id)
        if found is not None:
            matched[agent.key] = found
    _refuse_shared_chatbots(matched)
    return matched


def _refuse_unreadable_names(
    desired: Sequence[DesiredAgent], remote: Sequence[RemoteAgent]
) -> None:
    """Fail closed: an agent whose name kbsync cannot read may be the one a manifest
    declares by name; matching (and so creating) by name could duplicate it."""
    unread = [r for r in remote if r.unreadable]
    by_name = [a.key for a in desired if a.id is None]
    if unread and by_name:
        raise ShapeError(
            f"{len(unread)} listed agent(s) have no name kbsync can read, so agent(s) "
            f"{', '.join(repr(k) for k in by_name)} cannot be matched by name and would be "
            f"created again: refusing before any write. Seen: {unread[0].unreadable}. "
            "Run `kbsync doctor`; pin agents with `id:` to manage them anyway.",
            endpoint=unread[0].unreadable.split(" (")[0],
        )


def _match_one(
    agent: DesiredAgent, remote: Sequence[RemoteAgent], by_id: dict[str, RemoteAgent]
) -> RemoteAgent | None:
    if agent.id is not None:
        found = by_id.get(str(agent.id))
        if found is None:
            raise ConfigError(
                f"agent {agent.key!r}: the pinned id {agent.id!r} is not an agent of this project"
            )
        return found
    named = [r for r in remote if r.name == agent.name]
    if len(named) > 1:
        ids = ", ".join(sorted(r.chatbot_id for r in named))
        raise ConfigError(
            f"agent {agent.key!r}: {len(named)} agents in the project are named {agent.name!r} "
            f"(ids {ids}); pin the one to manage with `id:` in the manifest"
        )
    return named[0] if named else None


def _refuse_shared_chatbots(matched: dict[str, RemoteAgent]) -> None:
    owners: dict[str, list[str]] = {}
    for key, remote in matched.items():
        owners.setdefault(remote.chatbot_id, []).append(key)
    for chatbot_id, keys in owners.items():
        if len(keys) > 1:
            raise ConfigError(
                f"agents {', '.join(repr(k) for k in keys)} would all manage chatbot {chatbot_id}; "
                "give each its own `name` or `id`"
            )
