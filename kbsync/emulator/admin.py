"""The /_emulator/ admin surface's data: the full state dump and body checks."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kbsync.emulator.clock import stamp
from kbsync.emulator.inbox import counts as inbox_counts
from kbsync.emulator.objects import agent_object, linkage_object, run_object
from kbsync.emulator.wire import bad_request

MAX_CLOCK_STEP = 1e9  # about 31 years: keeps timestamps formattable


def _rows(db: sqlite3.Connection, sql: str) -> list[sqlite3.Row]:
    return db.execute(sql).fetchall()


def _asset(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "asset_id": row["asset_id"],
        "project_id": row["project_id"],
        "asset_type": row["asset_type"],
        "name": row["name"],
        "url": row["url"],
        "sha256": row["sha256"],
        "size": row["size"],
        "metadata": row["metadata"],
        "text": row["text"],
        "created_at": stamp(row["created_at"]),
    }


def _linkage(row: sqlite3.Row, now: float) -> dict[str, Any]:
    extra = {
        "project_id": row["project_id"],
        "linked": bool(row["linked"]),
        "delinked_at": stamp(row["delinked_at"]),
        "run_id": row["run_id"],
    }
    return {**linkage_object(row, now), **extra}


def _json_map(db: sqlite3.Connection, table: str) -> dict[str, Any]:
    return {
        row["chatbot_id"]: json.loads(row["body"])
        for row in _rows(db, f"SELECT * FROM {table} ORDER BY chatbot_id")
    }


def state_dump(db: sqlite3.Connection, now: float) -> dict[str, Any]:
    """Everything in the store (delinked linkages too); the caller adds requests/faults/clock."""
    projects = [
        {"id": r["id"], "name": r["name"], "created_at": stamp(r["created_at"])}
        for r in _rows(db, "SELECT * FROM projects ORDER BY id")
    ]
    agents = [
        {**agent_object(db, r), "project_id": r["project_id"]}
        for r in _rows(db, "SELECT * FROM agents ORDER BY seq")
    ]
    runs = [
        {**run_object(r), "project_id": r["project_id"], "mode": r["mode"]}
        for r in _rows(db, "SELECT * FROM crawl_runs ORDER BY seq")
    ]
    return {
        "projects": projects,
        "agents": agents,
        "settings": _json_map(db, "settings"),
        "personas": _json_map(db, "personas"),
        "assets": [_asset(r) for r in _rows(db, "SELECT * FROM assets ORDER BY asset_id")],
        "linkages": [
            _linkage(r, now) for r in _rows(db, "SELECT * FROM linkages ORDER BY linkage_id")
        ],
        "crawl_runs": runs,
        "inbox": inbox_counts(db),  # counts only: a dump of 10,000 conversations helps no one
    }


def clock_seconds(body: dict[str, Any]) -> float:
    seconds = body.get("seconds")
    if set(body) - {"seconds"}:
        raise bad_request("clock body takes only: seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise bad_request("seconds must be a number >= 0")
    if not 0 <= seconds <= MAX_CLOCK_STEP:
        raise bad_request(f"seconds must be between 0 and {MAX_CLOCK_STEP}")
    return float(seconds)


def demo_project(body: dict[str, Any]) -> int:
    """The body's project_id (default 1), for seed-demo and the conversations seeding."""
    pid = body.get("project_id", 1)
    if isinstance(pid, bool) or not isinstance(pid, int):
        raise bad_request("project_id must be an integer")
    return pid
