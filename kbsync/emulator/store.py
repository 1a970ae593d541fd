"""The SQLite store: one connection guarded by a lock, one transaction per request.

One connection (``check_same_thread=False``) serialises every request's transaction, which
keeps ":memory:" one shared database and makes each request atomic. Timestamps are stored as
epoch seconds on the emulator clock and formatted on the way out.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS agents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    chatbot_id TEXT NOT NULL UNIQUE, project_id INTEGER NOT NULL,
    name TEXT NOT NULL, description TEXT NOT NULL, type INTEGER NOT NULL,
    access_type INTEGER NOT NULL, avatar_url TEXT NOT NULL, llm_source INTEGER NOT NULL,
    language TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS settings (chatbot_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS personas (chatbot_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS assets (
    asset_id INTEGER PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL,
    asset_type TEXT NOT NULL, name TEXT NOT NULL, url TEXT, text TEXT,
    sha256 TEXT NOT NULL, size INTEGER NOT NULL, metadata TEXT, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS linkages (
    linkage_id INTEGER PRIMARY KEY AUTOINCREMENT, asset_id INTEGER NOT NULL,
    chatbot_id TEXT NOT NULL, project_id INTEGER NOT NULL, asset_type TEXT NOT NULL,
    asset_name TEXT NOT NULL, asset_url TEXT, metadata TEXT, created_at REAL NOT NULL,
    ready_at REAL NOT NULL, final_status TEXT NOT NULL, llm_source INTEGER NOT NULL,
    linked INTEGER NOT NULL DEFAULT 1, delinked_at REAL, run_id TEXT);
CREATE INDEX IF NOT EXISTS linkages_by_chatbot ON linkages (chatbot_id, linked);
CREATE TABLE IF NOT EXISTS crawl_runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL UNIQUE,
    project_id INTEGER NOT NULL, chatbot_id TEXT NOT NULL, mode TEXT NOT NULL,
    params TEXT NOT NULL, plan TEXT NOT NULL, pace REAL NOT NULL,
    status TEXT NOT NULL, pages_found INTEGER NOT NULL DEFAULT 0,
    pages_crawled INTEGER NOT NULL DEFAULT 0, pages_failed INTEGER NOT NULL DEFAULT 0,
    started_at REAL NOT NULL, finished_at REAL, error TEXT);
CREATE TABLE IF NOT EXISTS sessions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL,
    project_id INTEGER NOT NULL, chatbot_id TEXT NOT NULL, platform TEXT NOT NULL,
    created_at REAL NOT NULL, updated_at REAL NOT NULL, UNIQUE (chatbot_id, session_id));
CREATE TABLE IF NOT EXISTS messages (
    message_id INTEGER PRIMARY KEY AUTOINCREMENT, session_seq INTEGER NOT NULL,
    role TEXT NOT NULL, content TEXT NOT NULL, created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS messages_by_session ON messages (session_seq, message_id);
CREATE TABLE IF NOT EXISTS chat_log (account TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS chat_log_by_account ON chat_log (account, at);
"""

DATA_TABLES = (
    "agents",
    "settings",
    "personas",
    "assets",
    "linkages",
    "crawl_runs",
    "projects",
    "sessions",
    "messages",
    "chat_log",
)


class Store:
    """Owns the connection; ``transaction()`` is the only way in."""

    def __init__(self, path: str) -> None:
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._closed = False
        with self._lock:
            if path != ":memory:":
                # WAL + NORMAL: a commit survives the process dying, without an fsync per request
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Exclusive access to the database; commits on success, rolls back on any exception."""
        with self._lock:
            if self._closed:
                raise RuntimeError("emulator store is closed")
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()


def get_meta(db: sqlite3.Connection, key: str, default: str) -> str:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return str(row["value"]) if row else default


def set_meta(db: sqlite3.Connection, key: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def wipe(db: sqlite3.Connection) -> None:
    """Empty every data table. The clock offset in ``meta`` and the id sequences are kept, so
    an id handed out before a reset is never handed out again."""
    for table in DATA_TABLES:
        db.execute(f"DELETE FROM {table}")


def ensure_projects(db: sqlite3.Connection, project_ids: set[int], now: float) -> None:
    for pid in sorted(project_ids):
        db.execute(
            "INSERT OR IGNORE INTO projects (id, name, created_at) VALUES (?, ?, ?)",
            (pid, f"Project {pid}", now),
        )
