"""Snapshots of existing agents -> the text of a manifest and its prompt files. Pure.

Every agent is pinned by ``id``. What the API cannot return (the content of texts
and files) is listed in a comment instead of declared, and such an agent gets
``prune: none``, so the first apply after an import changes nothing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, NamedTuple

import yaml

from kbsync.import_sites import ImportedSite, group_sites
from kbsync.import_values import (
    escape_dollars,
    persona_values,
    profile_values,
    settings_values,
)
from kbsync.importer import AgentSnapshot
from kbsync.markers import parse
from kbsync.model import PENDING, URL, RemoteLinkage

PROMPT_FOLDER = "prompts"
MAX_KEY_CHARS = 64  # a key names prompts/<key>.md: far below any file system's 255 bytes


class ImportedAgent(NamedTuple):
    key: str
    name: str
    prompt_file: str | None  # relative to the manifest
    sites: tuple[ImportedSite, ...]
    listed: tuple[RemoteLinkage, ...]  # texts/files listed in the comment
    left_out: tuple[str, ...]  # values not written, with why


class ImportedManifest(NamedTuple):
    text: str  # the manifest
    files: dict[str, str]  # relative path -> content (prompt files)
    agents: tuple[ImportedAgent, ...]


def build_manifest(project: int, snapshots: Sequence[AgentSnapshot]) -> ImportedManifest:
    keys = agent_keys([s.agent.name for s in snapshots])
    lines = [
        f"# Written by `kbsync import` from Robofy project {project}.",
        "# Review it, commit it, then run `kbsync plan`: it should show no changes.",
        *_dump({"version": 1, "project": project}),
        "agents:",
    ]
    files: dict[str, str] = {}
    agents = []
    for key, snapshot in zip(keys, snapshots, strict=True):
        agent, body, prompt = _agent(key, snapshot)
        lines += _indent(body, 2)
        if prompt is not None and agent.prompt_file is not None:
            files[agent.prompt_file] = prompt if prompt.endswith("\n") else prompt + "\n"
        agents.append(agent)
    return ImportedManifest("\n".join(lines) + "\n", files, tuple(agents))


def agent_keys(names: Sequence[str]) -> list[str]:
    """Readable, unique manifest keys of at most MAX_KEY_CHARS: "Demo Support Bot" ->
    demo-support-bot; a 255-character name is cut short, and a number keeps it unique."""
    keys: list[str] = []
    for name in names:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "agent"
        key, n = _shortened(base, ""), 2
        while key in keys:
            key, n = _shortened(base, f"-{n}"), n + 1
        keys.append(key)
    return keys


def _shortened(base: str, suffix: str) -> str:
    return base[: MAX_KEY_CHARS - len(suffix)].rstrip("-") + suffix


# --- one agent ----------------------------------------------------------------


def _agent(key: str, snap: AgentSnapshot) -> tuple[ImportedAgent, list[str], str | None]:
    """What the manifest says of one agent, its YAML lines, and its prompt (if any)."""
    prompt = snap.settings.prompt if snap.settings.prompt.strip() else None
    imported = ImportedAgent(
        key=key,
        name=snap.agent.name,
        prompt_file=f"{PROMPT_FOLDER}/{key}.md" if prompt is not None else None,
        sites=tuple(_sites(snap)),
        listed=tuple(lk for lk in snap.linkages if lk.asset_type != URL),
        left_out=(),
    )
    fields, left_out = _fields(imported, snap)
    imported = imported._replace(left_out=left_out)
    body = _dump({key: _escaped(fields)})
    body += _indent(_comments(imported.listed, left_out, snap), 2)
    return imported, body, prompt


def _fields(agent: ImportedAgent, snap: AgentSnapshot) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The agent's manifest entry, in the manifest's usual order; and what was left out."""
    profile = profile_values(snap.agent.profile)
    settings = settings_values(snap.settings.values)
    persona = persona_values(snap.persona or {})
    fields: dict[str, Any] = {"name": snap.agent.name, "id": snap.agent.chatbot_id}
    fields.update(profile.kept)
    optional: dict[str, Any] = {
        "prompt": {"file": agent.prompt_file} if agent.prompt_file else None,
        "settings": settings.kept,
        "persona": persona.kept,
        "prune": "none" if agent.listed else None,
        "knowledge": {"websites": [_site_entry(s) for s in agent.sites]} if agent.sites else None,
    }
    fields.update({k: v for k, v in optional.items() if v})
    return fields, tuple(profile.left_out + settings.left_out + persona.left_out)


def _sites(snap: AgentSnapshot) -> list[ImportedSite]:
    pages = [lk.asset_name for lk in snap.linkages if lk.asset_type == URL]
    starts = [url for run in snap.crawls for url in run.start_urls]
    return group_sites(pages, starts)


def _site_entry(site: ImportedSite) -> dict[str, Any]:
    entry: dict[str, Any] = {"url": site.url, "max_pages": site.pages}
    if site.include:
        entry["include"] = list(site.include)
    return entry


def _comments(
    listed: Sequence[RemoteLinkage], left_out: Sequence[str], snap: AgentSnapshot
) -> list[str]:
    lines: list[str] = []
    if any(run.state == PENDING for run in snap.crawls):
        lines.append("# A crawl was running during the import: websites show the pages so far.")
    if listed:
        lines += [
            "# Linked in Robofy, not declared here: the API cannot return the content of",
            "# texts and files, so kbsync cannot manage them yet. `prune: none` keeps them",
            "# linked. To manage one, declare it under knowledge (texts: or files:) with its",
            "# content, apply, then delink the dashboard's copy in Robofy.",
            *(f"#   {_listed(lk)}" for lk in listed),
        ]
    if snap.persona is None:
        lines.append("# The persona could not be read (the endpoint answered 404); not declared.")
    lines += [f"# Not imported: {why}" for why in left_out]
    return lines


def _listed(linkage: RemoteLinkage) -> str:
    marker = parse(linkage.asset_name)
    name = json.dumps(linkage.asset_name, ensure_ascii=False)
    status = linkage.raw_status or linkage.state
    owner = f", kbsync's {marker.key_id}" if marker is not None else ""
    return f"{linkage.asset_type} {name} (linkage {linkage.linkage_id}, {status}{owner})"


# --- YAML -----------------------------------------------------------------------


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return escape_dollars(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _dump(data: dict[str, Any]) -> list[str]:
    text = yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )
    return text.rstrip("\n").split("\n")


def _indent(lines: Sequence[str], spaces: int) -> list[str]:
    pad = " " * spaces
    return [pad + line if line else line for line in lines]
