"""Planning an agent's own fields: profile, system prompt, AI settings, persona. Pure.

Only what the manifest declares is compared; Robofy's other values are left alone.
Values compare tolerantly (``0.3`` == ``"0.3"``, ``500`` == ``500.0``, ``True`` ==
``"true"``), because Robofy returns some numbers and booleans as strings; two
strings compare exactly (``"007"`` is not ``"7"``), since both sides meant text.
"""

from __future__ import annotations

from collections.abc import Mapping

from kbsync.model import (
    CREATE_AGENT,
    SECRET_FIELDS,
    UPDATE_AGENT,
    UPDATE_PERSONA,
    UPDATE_PROMPT,
    UPDATE_SETTINGS,
    Action,
    DesiredAgent,
    FieldChange,
    RemoteAgentState,
    Scalar,
)

_BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False}


def plan_new_agent(agent: DesiredAgent) -> list[Action]:
    """create_agent, then everything the new agent must be given."""
    profile = {"name": agent.name, **agent.profile}
    actions = [
        Action(
            agent.key,
            CREATE_AGENT,
            f"no agent named {agent.name!r} in the project",
            changes=_changes(profile, {}),
        )
    ]
    if agent.prompt is not None:
        actions.append(
            Action(agent.key, UPDATE_PROMPT, "new agent", old_text=None, new_text=agent.prompt)
        )
    if agent.settings:
        actions.append(
            Action(agent.key, UPDATE_SETTINGS, "new agent", changes=_changes(agent.settings, {}))
        )
    if agent.persona:
        actions.append(
            Action(agent.key, UPDATE_PERSONA, "new agent", changes=_changes(agent.persona, {}))
        )
    return actions


def plan_agent_fields(agent: DesiredAgent, state: RemoteAgentState) -> list[Action]:
    """update_agent / update_prompt / update_settings / update_persona for a matched agent."""
    actions = []
    profile = _changes(agent.profile, state.agent.profile)
    if profile:
        actions.append(
            Action(agent.key, UPDATE_AGENT, _differs("profile", profile), changes=profile)
        )
    if agent.prompt is not None and not same_prompt(agent.prompt, state.settings.prompt):
        actions.append(
            Action(
                agent.key,
                UPDATE_PROMPT,
                "system prompt differs",
                old_text=state.settings.prompt,
                new_text=agent.prompt,
            )
        )
    settings = _changes(agent.settings, state.settings.values)
    if settings:
        reason = _differs("settings", settings)
        actions.append(Action(agent.key, UPDATE_SETTINGS, reason, changes=settings))
    if agent.persona is not None:
        persona = _changes(agent.persona, state.persona or {})
        if persona:
            reason = _differs("persona", persona)
            actions.append(Action(agent.key, UPDATE_PERSONA, reason, changes=persona))
    return actions


def same_prompt(desired: str, remote: str) -> bool:
    """Equal up to line endings and trailing whitespace (a prompt file's final newline)."""
    return _normalize_text(desired) == _normalize_text(remote)


def same_value(desired: Scalar, remote: Scalar) -> bool:
    """Equal, tolerant of int/float/str-number and bool/str-bool differences.

    The tolerance is for a number or boolean that came back as a string; when both
    sides are strings they compare exactly ("2.0" differs from "2", "007" from "7").
    """
    if desired == remote and type(desired) is type(remote):
        return True
    if desired in (None, "") and remote in (None, ""):
        return True
    if isinstance(desired, str) and isinstance(remote, str):
        return False
    if isinstance(desired, bool) or isinstance(remote, bool):
        return _as_bool(desired) is not None and _as_bool(desired) == _as_bool(remote)
    number_d, number_r = _as_number(desired), _as_number(remote)
    if number_d is not None and number_r is not None:
        return number_d == number_r
    return desired == remote


def _changes(
    declared: Mapping[str, Scalar], remote: Mapping[str, Scalar]
) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(field, remote.get(field), value)
        for field, value in declared.items()
        if field not in SECRET_FIELDS and not same_value(value, remote.get(field))
    )


def _differs(what: str, changes: tuple[FieldChange, ...]) -> str:
    fields = ", ".join(c.field for c in changes)
    return f"{what} differ{'s' if what != 'settings' else ''}: {fields}"


def _normalize_text(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip()


def _as_number(value: Scalar) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value.strip())
    except ValueError:
        return None


def _as_bool(value: Scalar) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
        return _BOOL_WORDS[value.strip().lower()]
    return None
