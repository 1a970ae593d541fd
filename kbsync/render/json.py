"""Plans and apply results as JSON: versioned, stable, byte-identical for the same plan.

The document's shape is ``kbsync/schemas/plan.schema.json``. It carries what a
reviewer needs and nothing more: fingerprints, sizes and relative paths, never
absolute paths or secrets; text bodies only for prompts and texts up to
``MAX_INLINE_TEXT`` characters, but the sha256 of every body whatever its length (a
saved plan's staleness check compares this document: a longer prompt that changed
must change it too). Only JSON-native values (lists, not tuples), so a
plan read back from a file compares equal to a fresh ``plan_to_json``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from kbsync.model import TEXT, UPDATE_PROMPT, Action, ApplyResult, DesiredSite, Outcome, Plan
from kbsync.render.counts import plan_counts, result_counts
from kbsync.render.style import show_value

FORMAT_VERSION = 1
MAX_INLINE_TEXT = 4096  # characters: enough to review a prompt or a short text


def plan_to_json(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "project": plan.project,
        "has_changes": plan.has_changes,
        "summary": plan_counts(plan),
        "agent_ids": dict(sorted(plan.agent_ids.items())),
        "actions": [action_to_json(a) for a in plan.actions],
        "notes": [{"agent": n.agent, "message": n.message} for n in plan.notes],
        "refusals": list(plan.refusals),
        "skipped": {
            agent: [{"path": s.path, "reason": s.reason} for s in files]
            for agent, files in sorted(plan.skipped.items())
        },
    }


def render_plan_json(plan: Plan) -> str:
    return _dump(plan_to_json(plan))


def result_to_json(result: ApplyResult) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "ok": not result.failed,
        "summary": result_counts(result),
        "outcomes": [_outcome(o) for o in result.outcomes],
        "notes": list(result.notes),
    }


def render_result_json(result: ApplyResult) -> str:
    return _dump(result_to_json(result))


def action_to_json(action: Action) -> dict[str, Any]:
    """Every key always present (null when it does not apply), so consumers need no guessing."""
    asset = action.asset
    return {
        "agent": action.agent,
        "kind": action.kind,
        "reason": action.reason,
        "source_key": action.source_key,
        "label": action.label,
        "linkage_ids": list(action.linkage_ids),
        "changes": [
            {"field": c.field, "old": _value(c.field, c.old), "new": _value(c.field, c.new)}
            for c in action.changes
        ],
        "fingerprint": asset.fingerprint if asset else None,
        "size": asset.size if asset else None,
        "path": asset.display_name if asset else None,
        "site": _site(action.site) if action.site else None,
        "run_id": action.run_id,
        "old_text": _inline(action, action.old_text),
        "new_text": _inline(action, action.new_text),
        "old_text_sha256": _sha256(action.old_text),
        "new_text_sha256": _sha256(action.new_text),
    }


def _outcome(outcome: Outcome) -> dict[str, Any]:
    return {
        "status": outcome.status,
        "message": outcome.message,
        "action": action_to_json(outcome.action),
    }


def _site(site: DesiredSite) -> dict[str, Any]:
    return {
        "url": site.url,
        "max_pages": site.max_pages,
        "max_depth": site.max_depth,
        "include": list(site.include),
        "exclude": list(site.exclude),
        "use_sitemap": site.use_sitemap,
        "main": site.main,
        "recrawl_seconds": site.recrawl_seconds,
    }


def _inline(action: Action, text: str | None) -> str | None:
    """Prompt and text bodies for review, when short; nothing else is ever inlined."""
    is_text = action.asset is not None and action.asset.kind == TEXT
    if text is None or not (is_text or action.kind == UPDATE_PROMPT):
        return None
    return text if len(text) <= MAX_INLINE_TEXT else None


def _sha256(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def _value(field: str, value: Any) -> Any:
    return "(hidden)" if show_value(field, value) == "(hidden)" else value


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
