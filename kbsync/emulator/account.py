"""Handlers: retrieve project and account limit."""

from __future__ import annotations

from kbsync.emulator.clock import stamp
from kbsync.emulator.context import Ctx
from kbsync.emulator.wire import Response, ok

LIMITS = {"max_chatbots": 100, "max_files": 10_000, "max_links": 10_000, "max_storage_mb": 1024}


def get_project(ctx: Ctx) -> Response:
    row = ctx.db.execute("SELECT * FROM projects WHERE id = ?", (ctx.project_id,)).fetchone()
    return ok({"id": row["id"], "name": row["name"], "created_at": stamp(row["created_at"])})


def account_limit(ctx: Ctx) -> Response:
    """Limits are fixed; usage counts linked assets over every project of the caller's key."""
    marks = ",".join("?" * len(ctx.key_projects))
    agents = ctx.db.execute(
        f"SELECT COUNT(*) AS n FROM agents WHERE project_id IN ({marks})", ctx.key_projects
    ).fetchone()
    usage = ctx.db.execute(
        "SELECT SUM(l.asset_type = 'file') AS files, SUM(l.asset_type = 'url') AS links,"
        " SUM(a.size) AS size FROM linkages l JOIN assets a ON a.asset_id = l.asset_id"
        f" WHERE l.linked = 1 AND l.project_id IN ({marks})",
        ctx.key_projects,
    ).fetchone()
    used = {
        "used_chatbots": agents["n"],
        "used_files": usage["files"] or 0,
        "used_links": usage["links"] or 0,
        "used_storage_mb": round((usage["size"] or 0) / (1024 * 1024), 3),
    }
    return ok({**LIMITS, **used})
