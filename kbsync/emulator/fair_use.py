"""Robofy's fair-use chat limits: 30 messages per minute and 5,000 per day per account.

The policy page states the numbers, not how they are signalled; the emulator answers a
message over either limit with 429 ``RATE_LIMITED`` and ``Retry-After`` (whole seconds
until the oldest message of the window leaves it), on the emulator clock. A refused
message is not counted. Accounts are API keys, stored as a digest.
"""

from __future__ import annotations

import hashlib
import math

from kbsync.emulator.context import Ctx
from kbsync.emulator.wire import ApiError

MINUTE, DAY = 60.0, 86_400.0


def take_chat_turn(ctx: Ctx, api_key: str) -> None:
    """Record one chat message of this key, or raise 429 when it is over a limit."""
    account = hashlib.sha256(api_key.encode()).hexdigest()
    limits = ((ctx.config.chat_per_minute, MINUTE, "minute"), (ctx.config.chat_per_day, DAY, "day"))
    for limit, window, word in limits:
        if limit > 0:
            _check(ctx, account, limit, window, word)
    ctx.db.execute("INSERT INTO chat_log (account, at) VALUES (?, ?)", (account, ctx.now))
    ctx.db.execute("DELETE FROM chat_log WHERE at <= ?", (ctx.now - DAY,))


def _check(ctx: Ctx, account: str, limit: int, window: float, word: str) -> None:
    rows = ctx.db.execute(
        "SELECT at FROM chat_log WHERE account = ? AND at > ? ORDER BY at DESC LIMIT ?",
        (account, ctx.now - window, limit),
    ).fetchall()
    if len(rows) < limit:
        return
    oldest = float(rows[-1]["at"])
    retry_after = max(1, math.ceil(oldest + window - ctx.now))
    raise ApiError(
        429,
        "RATE_LIMITED",
        f"fair use: at most {limit} chat messages per {word}; retry in {retry_after} s",
        (("Retry-After", str(retry_after)),),
    )
