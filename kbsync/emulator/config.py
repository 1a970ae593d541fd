"""The emulator's configuration: one immutable value, evolved with ``_replace``."""

from __future__ import annotations

from typing import NamedTuple


class EmulatorConfig(NamedTuple):
    """Everything the emulator can be told at start-up (faults can change later at run time)."""

    db_path: str = ":memory:"  # a file path survives restarts
    api_keys: dict[str, tuple[int, ...]] = {"test-key": (1,)}  # key -> project ids
    crawl_mode: str = "simulate"  # or "fetch"
    crawl_pages_per_second: float = 10.0  # simulate pace on the emulator clock
    processing_seconds: float = 0.5  # text/file linkages: Processing -> Active after this long
    manual_clock: bool = False  # True: starts at 2026-01-01 00:00:00 UTC, moves only when told
    latency_ms: float = 0
    fail_rate: float = 0.0
    rate_limit_rps: float = 0.0  # 0 = off
    drop_after_commit_rate: float = 0.0
    seed: int = 0
    listing_lag_reads: int = 0  # a new linkage is left out of this many listings...
    listing_lag_seconds: float = 0.0  # ...and of every listing this long after it was made
    page_size: int = 50
    max_page_size: int = 200
    fetch_timeout: float = 5.0
    fetch_max_bytes: int = 2_000_000
    chat_per_minute: int = 30  # fair use: chat messages per API key and minute (0 = off)
    chat_per_day: int = 5_000  # ... and per rolling day (0 = off)
    dialect: str = "canonical"  # or "documented": answers as EVIDENCE.md says Robofy may


CRAWL_MODES = ("simulate", "fetch")
