"""`kbsync validate`: check the manifest and every file it names, without any network."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from kbsync.desired.expand import load_desired_state
from kbsync.desired.skipped import skip_summary
from kbsync.errors import Problem
from kbsync.manifest.load import display_path, resolve_manifest_path
from kbsync.model import DesiredAgent
from kbsync.render.neutralise import neutralise


def validate(manifest_option: str | None, env: Mapping[str, str], out: TextIO) -> int:
    """Print one summary line per agent and a final OK line; ManifestError when invalid."""
    path = resolve_manifest_path(manifest_option, env)
    # the shape, without the environment: plan and apply still need every variable
    state = load_desired_state(path, env, placeholders=True)
    for agent in state.agents:
        out.write(summarize_agent(agent) + "\n")
        if agent.skipped:  # a warning, not a problem: validate still passes
            out.write(f"  {skip_summary(agent.skipped)}\n")
    for where in state.unset:
        out.write(_placeholder_note(where) + "\n")
    count = len(state.agents)
    out.write(
        neutralise(f"OK: {display_path(path)} ({count} agent{'' if count == 1 else 's'})") + "\n"
    )
    return 0


def _placeholder_note(where: Problem) -> str:
    at = where._replace(message=f"note: environment variable {where.message} is not set")
    return f"{at}; validated as a placeholder (plan and apply need it)"


def summarize_agent(agent: DesiredAgent) -> str:
    """support: 3 texts, 12 files, 1 website (48.2 KB)"""
    parts = [
        _count(len(agent.texts), "text"),
        _count(len(agent.files), "file"),
        _count(len(agent.sites), "website"),
    ]
    total = sum(asset.size for asset in agent.assets)
    return f"{agent.key}: {', '.join(parts)} ({format_bytes(total)})"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def format_bytes(size: int) -> str:
    """1536 -> '1.5 KB' (binary units, one decimal)."""
    value, unit = float(size), "B"
    for bigger in ("KB", "MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
