"""Creating assets and their linkages (shared by the content, crawl and demo code)."""

from __future__ import annotations

import hashlib
import sqlite3
from typing import NamedTuple

FAIL_TOKEN = "EMULATOR_FAIL_PROCESSING"


class NewAsset(NamedTuple):
    project_id: int
    asset_type: str  # file | text | url
    name: str
    data: bytes  # what was uploaded (the text's UTF-8, the file, the page)
    text: str | None  # the readable text, for chat
    url: str | None = None
    metadata: str | None = None


def insert_asset(db: sqlite3.Connection, asset: NewAsset, now: float) -> int:
    cursor = db.execute(
        "INSERT INTO assets (project_id, asset_type, name, url, text, sha256, size, metadata,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            asset.project_id,
            asset.asset_type,
            asset.name,
            asset.url,
            asset.text,
            hashlib.sha256(asset.data).hexdigest(),
            len(asset.data),
            asset.metadata,
            now,
        ),
    )
    return int(cursor.lastrowid or 0)


class Processing(NamedTuple):
    ready_at: float  # emulator time at which the status stops being "Processing"
    final_status: str  # "Active" or "Failed"


def processing_for(data: bytes, now: float, seconds: float, ready: str = "Active") -> Processing:
    failed = FAIL_TOKEN.encode() in data
    return Processing(now + seconds, "Failed" if failed else ready)


def link_asset(
    db: sqlite3.Connection,
    asset: NewAsset,
    chatbot_id: str,
    llm_source: int,
    when: float,
    processing: Processing,
    run_id: str | None = None,
) -> sqlite3.Row:
    """Store the asset and link it to the agent; returns the new linkage row."""
    asset_id = insert_asset(db, asset, when)
    cursor = db.execute(
        "INSERT INTO linkages (asset_id, chatbot_id, project_id, asset_type, asset_name,"
        " asset_url, metadata, created_at, ready_at, final_status, llm_source, run_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            asset_id,
            chatbot_id,
            asset.project_id,
            asset.asset_type,
            asset.name,
            asset.url,
            asset.metadata,
            when,
            processing.ready_at,
            processing.final_status,
            llm_source,
            run_id,
        ),
    )
    row: sqlite3.Row = db.execute(
        "SELECT * FROM linkages WHERE linkage_id = ?", (cursor.lastrowid,)
    ).fetchone()
    return row
