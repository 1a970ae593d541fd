"""Turn the validated YAML tree into AgentSpecs, checking what a schema cannot say.

It runs even when the schema found problems, so one run reports everything: values
of the wrong type are simply left out here (the schema already said so).
"""

from __future__ import annotations

import re

from kbsync.errors import Problem
from kbsync.manifest.knowledge import build_files, build_sites, build_texts
from kbsync.manifest.schema import (
    AGENT_KEY_PATTERN,
    CHECK,
    PERSONA,
    PROFILE,
    PROMPT,
    PRUNE,
    SETTINGS,
)
from kbsync.manifest.specs import AgentSpec, PromptSpec
from kbsync.manifest.validation import Schema, Str, conforms
from kbsync.manifest.yamlload import Loc, YNode
from kbsync.model import GoldenCheck, Scalar

_FLOAT_SETTINGS = ("temperature",)
_STR_SETTINGS = ("thinking_mode",)


def build_agents(tree: YNode, file: str) -> tuple[tuple[AgentSpec, ...], list[Problem]]:
    agents_node = child(tree, "agents")
    if agents_node is None or not isinstance(agents_node.value, dict):
        return (), []
    problems: list[Problem] = []
    if not agents_node.value:
        problems.append(_at(file, agents_node.loc, "agents: no agents declared"))
    defaults = child(tree, "defaults")
    specs: list[AgentSpec] = []
    named: list[AgentSpec] = []  # agents whose name is really written (not the key standing in)
    for key, node in agents_node.value.items():
        key_loc = agents_node.key_locs.get(key, node.loc)
        if not re.match(AGENT_KEY_PATTERN, key):
            message = f"agents: bad agent key '{key}' (letters, digits, '_', '.', '-')"
            problems.append(_at(file, key_loc, message))
        spec, agent_problems = _build_agent(key, key_loc, node, defaults, file)
        problems += agent_problems
        if spec is not None:
            specs.append(spec)
            named += [spec] if _has_name(node) else []
    problems += _check_unique_agents(named, file)
    return tuple(specs), problems


def _build_agent(
    key: str, loc: Loc, node: YNode, defaults: YNode | None, file: str
) -> tuple[AgentSpec | None, list[Problem]]:
    if not isinstance(node.value, dict):
        return None, []  # the schema reported it
    # a missing or bad name was reported by the schema; go on to report the rest too
    name = str(child_value(node, "name")) if _has_name(node) else key
    where = f"agents.{key}"
    knowledge = child(node, "knowledge")
    texts, text_problems = build_texts(child(knowledge, "texts"), where, file)
    files, file_problems = build_files(child(knowledge, "files"), where, file)
    sites, site_problems = build_sites(child(knowledge, "websites"), where, file)
    spec = AgentSpec(
        key=key,
        loc=loc,
        name=name,
        id=_pinned_id(child(node, "id")),
        profile={"name": name, **_profile(node, defaults)},
        prompt=_prompt(merged_child(node, defaults, "prompt")),
        settings=_settings(node, defaults),
        persona=_persona(node, defaults),
        prune=_prune(node, defaults),
        declares_knowledge=bool(texts or files or sites),
        texts=texts,
        files=files,
        sites=sites,
        checks=_checks(child(node, "checks")),
    )
    return spec, text_problems + file_problems + site_problems


def _has_name(node: YNode) -> bool:
    name = child(node, "name")  # an unset ${VAR} (validate) is no name yet: the key stands in
    return name is not None and not name.placeholder and valid(Str(min_length=1), name)


def _pinned_id(node: YNode | None) -> str | None:
    if node is None or node.value is None or isinstance(node.value, (bool, float)):
        return None
    return str(node.value) if isinstance(node.value, (str, int)) else None


def _profile(node: YNode, defaults: YNode | None) -> dict[str, Scalar]:
    profile: dict[str, Scalar] = {}
    for field, schema in PROFILE.items():
        value = merged_child(node, defaults, field)
        if value is not None and valid(schema, value):
            profile[field] = _scalar(value)
    return profile


def _prompt(node: YNode | None) -> PromptSpec | None:
    if node is None or not valid(PROMPT, node):
        return None
    if isinstance(node.value, str):
        return PromptSpec(node.value, None, node.loc)
    file = child(node, "file")
    assert file is not None
    return PromptSpec(None, str(file.value), file.loc)


def _settings(node: YNode, defaults: YNode | None) -> dict[str, Scalar]:
    settings: dict[str, Scalar] = {}
    for source in (child(defaults, "settings"), child(node, "settings")):
        if source is None or not isinstance(source.value, dict):
            continue
        for field, value in source.value.items():
            schema = SETTINGS.fields.get(field)
            if schema is not None and valid(schema, value):
                settings[field] = _setting(field, _scalar(value))
    return settings


def _setting(field: str, value: Scalar) -> Scalar:
    if field in _FLOAT_SETTINGS and isinstance(value, int):
        return float(value)
    if field in _STR_SETTINGS and value is not None:
        return str(value)
    return value


def _persona(node: YNode, defaults: YNode | None) -> dict[str, Scalar] | None:
    sources = [s for s in (child(defaults, "persona"), child(node, "persona")) if s is not None]
    if not sources:
        return None
    persona: dict[str, Scalar] = {}
    for source in sources:
        if isinstance(source.value, dict) and PERSONA.values is not None:
            for field, value in source.value.items():
                if valid(PERSONA.values, value):
                    persona[field] = _scalar(value)
    return persona


def _prune(node: YNode, defaults: YNode | None) -> str:
    value = merged_child(node, defaults, "prune")
    # a placeholder (validate without the environment) stands for some valid mode
    if value is None or value.placeholder or not valid(PRUNE, value):
        return "managed"
    return str(value.value)


def _checks(node: YNode | None) -> tuple[GoldenCheck, ...]:
    if node is None or not isinstance(node.value, list):
        return ()
    return tuple(
        GoldenCheck(
            str(child_value(item, "ask")), _words(item, "expect"), _words(item, "expect_not")
        )
        for item in node.value
        if valid(CHECK, item)
    )


def _words(node: YNode, key: str) -> tuple[str, ...]:
    value = child(node, key)
    if value is None:
        return ()
    if isinstance(value.value, list):
        return tuple(str(v.value) for v in value.value)
    return (str(value.value),)


def _check_unique_agents(specs: list[AgentSpec], file: str) -> list[Problem]:
    problems: list[Problem] = []
    names: dict[str, AgentSpec] = {}
    ids: dict[str, AgentSpec] = {}
    for spec in specs:
        first = names.setdefault(spec.name, spec)
        if first is not spec:
            message = (
                f"agents.{spec.key}: name '{spec.name}' is already used by agent '{first.key}'"
            )
            problems.append(_at(file, spec.loc, message))
        if spec.id is not None:
            pinned = ids.setdefault(spec.id, spec)
            if pinned is not spec:
                message = f"agents.{spec.key}: id '{spec.id}' is already pinned by '{pinned.key}'"
                problems.append(_at(file, spec.loc, message))
    return problems


# --- small readers shared by the knowledge builders ---------------------------


def child(node: YNode | None, key: str) -> YNode | None:
    if node is None or not isinstance(node.value, dict):
        return None
    return node.value.get(key)


def child_value(node: YNode, key: str) -> object:
    found = child(node, key)
    return None if found is None else found.value


def merged_child(node: YNode, defaults: YNode | None, key: str) -> YNode | None:
    own = child(node, key)
    return own if own is not None else child(defaults, key)


def valid(schema: Schema, node: YNode) -> bool:
    return conforms(schema, node)


def _scalar(node: YNode) -> Scalar:
    value = node.value
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def _at(file: str, loc: Loc, message: str) -> Problem:
    return Problem(file, loc.line, loc.col, message)
