"""Find, read and validate the manifest into typed specs (no filesystem beyond the manifest).

``load_manifest`` reports every problem of the manifest itself at once; what the
files it names hold (prompt files, text files, docs folders) is read by
kbsync.desired.expand, which adds its own problems to the same report.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from kbsync.errors import ConfigError, ManifestError, Problem
from kbsync.manifest.build import build_agents
from kbsync.manifest.schema import MANIFEST
from kbsync.manifest.secrets import find_literal_secrets
from kbsync.manifest.specs import AgentSpec
from kbsync.manifest.statuses import api_statuses
from kbsync.manifest.validation import check, coerce
from kbsync.manifest.yamlload import YNode, read_yaml
from kbsync.model import NO_NAMES

DEFAULT_MANIFEST = "kbsync.yaml"
SUPPORTED_VERSIONS = (1,)
MAX_PROBLEMS = 200


class Manifest(NamedTuple):
    path: Path  # absolute path of the manifest file
    display: str  # the path as the user gave it (used in messages)
    root: Path  # the manifest's folder, symlinks resolved: no path may leave it
    project: int
    agents: tuple[AgentSpec, ...]
    fingerprint: str  # sha256 of the manifest file's bytes
    unset: tuple[Problem, ...] = ()  # placeholders (validate): first use of each unset ${VAR}
    # `api:`: lower-case Robofy status -> ready/pending/failed
    statuses: Mapping[str, str] = NO_NAMES


def resolve_manifest_path(option: str | None, env: Mapping[str, str]) -> Path:
    """``-f`` value, else KBSYNC_FILE, else ./kbsync.yaml; ConfigError if it is not a file."""
    given = option or env.get("KBSYNC_FILE") or DEFAULT_MANIFEST
    path = Path(given)
    if not path.exists():
        hint = "" if option or env.get("KBSYNC_FILE") else " (use -f FILE or set KBSYNC_FILE)"
        raise ConfigError(f"manifest not found: {given}{hint}")
    if not path.is_file():
        raise ConfigError(f"manifest is not a file: {given}")
    return path


def load_manifest(path: Path, env: Mapping[str, str]) -> Manifest:
    """Read and validate the manifest; ManifestError carries EVERY problem found."""
    manifest, problems = parse_manifest(path, env)
    if problems or manifest is None:
        raise ManifestError(sort_problems(problems))
    return manifest


def parse_manifest(
    path: Path, env: Mapping[str, str], *, placeholders: bool = False
) -> tuple[Manifest | None, list[Problem]]:
    """The manifest as far as it could be read, and the problems found on the way.

    ``placeholders`` (validate): an unset ``${VAR}`` may hold any value, and is noted."""
    display = display_path(path)
    read = read_yaml(path, display, env, placeholders=placeholders)
    problems = list(read.problems)
    if read.tree is None:
        return None, problems
    tree = read.tree
    if not isinstance(tree.value, dict):
        message = "the manifest must be a mapping (version, project, agents)"
        return None, [*problems, Problem(display, tree.line, tree.col, message)]
    tree = coerce(MANIFEST, tree)
    problems += check(MANIFEST, tree, "", display)
    problems += _check_version(tree, display)
    problems += find_literal_secrets(tree, display, env)
    agents, agent_problems = build_agents(tree, display)
    problems += agent_problems
    statuses, status_problems = api_statuses(tree, display)
    problems += status_problems
    project = _int(tree, "project")
    manifest = Manifest(
        path=path.absolute(),
        display=display,
        root=path.absolute().parent.resolve(),
        project=project if project is not None else 0,
        agents=agents,
        fingerprint=hashlib.sha256(read.data).hexdigest(),
        unset=read.unset,
        statuses=statuses,
    )
    return manifest, problems


def _check_version(tree: YNode, file: str) -> list[Problem]:
    if not isinstance(tree.value, dict):
        return []
    version = tree.value.get("version")
    if (
        version is not None
        and isinstance(version.value, int)
        and not isinstance(version.value, bool)
        and version.value not in SUPPORTED_VERSIONS
    ):
        supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        message = f"version {version.value} is not supported (this kbsync reads: {supported})"
        return [Problem(file, version.line, version.col, message)]
    return []


def _int(tree: YNode, key: str) -> int | None:
    if not isinstance(tree.value, dict) or key not in tree.value:
        return None
    value = tree.value[key].value
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def display_path(path: Path) -> str:
    """The path as shown in messages and annotations: relative to cwd when inside it."""
    if not path.is_absolute():
        return path.as_posix()
    try:
        return Path(os.path.relpath(path)).as_posix() if _under_cwd(path) else path.as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def _under_cwd(path: Path) -> bool:
    try:
        path.relative_to(Path.cwd())
    except ValueError:
        return False
    return True


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Stable report order: by file, then line, then column; exact repeats dropped; at
    most MAX_PROBLEMS (a garbled 5 MB file must not print a million lines)."""
    ordered = sorted(dict.fromkeys(problems), key=lambda p: (p.file, p.line, p.col))
    if len(ordered) <= MAX_PROBLEMS:
        return ordered
    hidden = len(ordered) - MAX_PROBLEMS
    more = Problem(ordered[0].file, 0, 0, f"... and {hidden} more problems not shown")
    return [*ordered[:MAX_PROBLEMS], more]
