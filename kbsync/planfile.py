"""Saved plans (``plan --out``) and their staleness check.

A saved plan records what it was made from: the manifest's and every file's
fingerprint and a fingerprint of the remote state. ``apply PLAN`` re-reads both,
plans again with the saved options and refuses unless everything still matches,
so what is applied is exactly what was reviewed.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from kbsync import __version__
from kbsync.errors import ConfigError, StalePlanError
from kbsync.inventory import remote_fingerprint
from kbsync.model import DesiredState, Inventory, Plan, PlanOptions
from kbsync.render.json import plan_to_json

FORMAT_VERSION = 1
KIND = "kbsync-plan"


class SavedPlan(NamedTuple):
    manifest: Path
    manifest_fingerprint: str
    file_fingerprints: dict[str, str]
    remote_fingerprint: str
    options: PlanOptions
    plan: dict[str, Any]  # the plan as plan_to_json rendered it


def save_plan(
    path: Path, plan: Plan, desired: DesiredState, inventory: Inventory, options: PlanOptions
) -> None:
    """Write the plan to ``path``; ConfigError (nothing written) when the path is the
    manifest, a file the plan is made from, or any other file that is not a saved plan."""
    check_plan_target(path, desired)
    document = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "kbsync_version": __version__,
        "manifest": str(desired.manifest_path.resolve()),
        # for a runner whose checkout lives elsewhere: the manifest relative to the plan file
        "manifest_from_plan": os.path.relpath(
            desired.manifest_path.resolve(), path.resolve().parent
        ),
        "manifest_fingerprint": desired.manifest_fingerprint,
        "file_fingerprints": dict(sorted(desired.file_fingerprints.items())),
        "remote_fingerprint": remote_fingerprint(inventory),
        "options": options._asdict(),
        "plan": plan_to_json(plan),
    }
    try:
        _write_atomically(path, json.dumps(document, indent=2, sort_keys=True) + "\n")
    except OSError as e:
        raise ConfigError(f"cannot write the plan to {path}: {e.strerror or e}") from None


def check_plan_target(path: Path, desired: DesiredState) -> None:
    """ConfigError unless ``path`` is new or an earlier saved plan: `plan --out` must
    never overwrite the manifest, a prompt, a text or a document."""
    try:
        if not path.exists():
            return
        source = _source_at(path, desired)
        if source is not None:
            raise ConfigError(
                f"--out {path}: that is {source}, which the plan is made from; "
                "refusing to overwrite it (choose another path, e.g. plan.json)"
            )
        if not path.is_file() or not _is_saved_plan(path):
            raise ConfigError(
                f"--out {path}: exists and is not a kbsync plan file; refusing to "
                "overwrite it (remove it or choose another path)"
            )
    except OSError as e:
        raise ConfigError(f"--out {path}: cannot check the path: {e.strerror or e}") from None


def _source_at(path: Path, desired: DesiredState) -> str | None:
    """Which of the plan's own sources ``path`` is (same file, however it is spelled)."""
    root = desired.manifest_path.parent.resolve()
    sources = {"the manifest": desired.manifest_path}
    sources.update({rel: root / rel for rel in desired.file_fingerprints})
    for name, source in sources.items():
        if source.exists() and os.path.samefile(path, source):
            return name
    return None


def _is_saved_plan(path: Path) -> bool:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return False
    return isinstance(document, dict) and document.get("kind") == KIND


def load_plan(path: Path) -> SavedPlan:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"{path}: not a readable kbsync plan file ({e})") from None
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise ConfigError(f"{path}: not a kbsync plan file (made by `kbsync plan --out`)")
    if document.get("format_version") != FORMAT_VERSION:
        raise ConfigError(
            f"{path}: plan format version {document.get('format_version')!r} is not supported "
            f"by kbsync {__version__} (expected {FORMAT_VERSION}); run `kbsync plan --out` again"
        )
    return _saved_from(path, document)


def _saved_from(path: Path, document: dict[str, Any]) -> SavedPlan:
    try:
        raw = document["options"]
        options = PlanOptions(
            now=float(raw["now"]),
            max_delete=raw.get("max_delete"),
            recrawl=tuple(raw.get("recrawl", ())),
            agents=tuple(raw.get("agents", ())),
            allow_delink=bool(raw.get("allow_delink", True)),
        )
        return SavedPlan(
            manifest=_manifest_path(path, document),
            manifest_fingerprint=str(document["manifest_fingerprint"]),
            file_fingerprints=dict(document["file_fingerprints"]),
            remote_fingerprint=str(document["remote_fingerprint"]),
            options=options,
            plan=dict(document["plan"]),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise ConfigError(f"{path}: damaged kbsync plan file (missing or bad {e})") from None


def _manifest_path(plan_path: Path, document: dict[str, Any]) -> Path:
    recorded = Path(document["manifest"])
    relative = document.get("manifest_from_plan")
    if recorded.is_file() or not isinstance(relative, str):
        return recorded
    return plan_path.resolve().parent / relative


def check_fresh(saved: SavedPlan, desired: DesiredState, inventory: Inventory, plan: Plan) -> None:
    """Refuse (StalePlanError) unless the plan re-made now is exactly the saved one."""
    reasons = _local_changes(saved, desired)
    if remote_fingerprint(inventory) != saved.remote_fingerprint:
        reasons.append("the Robofy project changed since the plan was made")
    if not reasons and plan_to_json(plan) != saved.plan:
        reasons.append("planning again gives a different plan")
    if reasons:
        lines = "\n".join(f"  - {r}" for r in reasons)
        raise StalePlanError(
            f"the saved plan is stale; nothing was applied:\n{lines}\n"
            "Run `kbsync plan --out` again and review the new plan."
        )


def _local_changes(saved: SavedPlan, desired: DesiredState) -> list[str]:
    reasons = []
    if desired.manifest_fingerprint != saved.manifest_fingerprint:
        reasons.append(f"{desired.manifest_path.name} changed")
    old, new = saved.file_fingerprints, desired.file_fingerprints
    for name in sorted(set(old) | set(new)):
        if name not in new:
            reasons.append(f"{name} is gone")
        elif name not in old:
            reasons.append(f"{name} is new")
        elif old[name] != new[name]:
            reasons.append(f"{name} changed")
    return reasons


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
