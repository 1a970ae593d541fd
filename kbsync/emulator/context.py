"""What a handler gets: the open transaction, the emulator time, the request, the project."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import NamedTuple

from kbsync.emulator.config import EmulatorConfig
from kbsync.emulator.wire import Request, Response


class Ctx(NamedTuple):
    db: sqlite3.Connection  # inside this request's one transaction
    now: float  # emulator clock, epoch seconds
    config: EmulatorConfig
    request: Request
    params: dict[str, str]  # path parameters of the matched route template
    project_id: int  # the authorised project (0 on routes without one)
    key_projects: tuple[int, ...]  # every project the caller's key may use
    start_fetch: Callable[[str], None]  # starts a fetch-mode crawl run in the background


Handler = Callable[[Ctx], Response]
