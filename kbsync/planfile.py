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
from collections.abc import Callable
from math import isfinite
from pathlib import Path
from typing import Any, NamedTuple

from kbsync import __version__
from kbsync.errors import ConfigError, StalePlanError
from kbsync.inventory import remote_fingerprint
from kbsync.model import DesiredState, Inventory, Plan, PlanOptions
from kbsync.render.json import plan_to_json
from kbsync.safefiles import read_regular

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
        document = json.loads(read_regular(path).decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return False
    return isinstance(document, dict) and document.get("kind") == KIND


def load_plan(path: Path) -> SavedPlan:
    try:
        document = json.loads(read_regular(path).decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"{path}: not a readable kbsync plan file ({e})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not a kbsync plan file (nested too deeply)") from None
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise ConfigError(f"{path}: not a kbsync plan file (made by `kbsync plan --out`)")
    if document.get("format_version") != FORMAT_VERSION:
        raise ConfigError(
            f"{path}: plan format version {document.get('format_version')!r} is not supported "
            f"by kbsync {__version__} (expected {FORMAT_VERSION}); run `kbsync plan --out` again"
        )
    return _saved_from(path, document)


def _saved_from(path: Path, document: dict[str, Any]) -> SavedPlan:
    """Every field type-checked: a hand-edited plan is a ConfigError naming the field."""
    get = _Fields(path)
    raw = get(document, "options", "an object", _is_dict)
    options = PlanOptions(
        now=float(get(raw, "options.now", "a finite number", _is_number)),
        max_delete=get(raw, "options.max_delete", "a string or null", _is_opt_str, None),
        recrawl=tuple(get(raw, "options.recrawl", "a list of strings", _is_str_list, [])),
        agents=tuple(get(raw, "options.agents", "a list of strings", _is_str_list, [])),
        allow_delink=get(raw, "options.allow_delink", "true or false", _is_bool, True),
    )
    return SavedPlan(
        manifest=_manifest_path(path, get(document, "manifest", "a string", _is_str), document),
        manifest_fingerprint=get(document, "manifest_fingerprint", "a string", _is_str),
        file_fingerprints=dict(
            get(document, "file_fingerprints", "an object of strings", _is_str_map)
        ),
        remote_fingerprint=get(document, "remote_fingerprint", "a string", _is_str),
        options=options,
        plan=dict(get(document, "plan", "an object", _is_dict)),
    )


_REQUIRED = object()


class _Fields:
    """Reads one field of a saved plan, or raises ConfigError naming it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(
        self,
        container: dict[str, Any],
        name: str,
        expected: str,
        ok: Callable[[Any], bool],
        default: Any = _REQUIRED,
    ) -> Any:
        key = name.rsplit(".", 1)[-1]
        if key not in container and default is not _REQUIRED:
            return default
        if key not in container:
            raise ConfigError(f"{self.path}: damaged kbsync plan file ({name} is missing)")
        if not ok(container[key]):
            raise ConfigError(f"{self.path}: damaged kbsync plan file ({name} must be {expected})")
        return container[key]


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_opt_str(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and isfinite(value)


def _is_dict(value: Any) -> bool:
    return isinstance(value, dict)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_str_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _manifest_path(plan_path: Path, recorded_path: str, document: dict[str, Any]) -> Path:
    recorded = Path(recorded_path)
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
