"""The Robofy API key, normalised once: every guard and every redaction derives from here.

A secret pasted into CI often carries a trailing newline or a stray space or tab. The
client sends the stripped value, so the stripped value is what must never appear in a
plan, a log or an upload; comparing against the raw value would miss it.
"""

from __future__ import annotations

from collections.abc import Mapping

KEY_VARIABLE = "ROBOFY_API_KEY"
MIN_GUARDED_LENGTH = 8  # shorter values are too common to refuse in free text


def normalise_key(raw: str) -> str:
    """The key as the client sends it: surrounding whitespace is never part of it."""
    return raw.strip()


def robofy_api_key(env: Mapping[str, str]) -> str:
    """The normalised key from ROBOFY_API_KEY ("" when unset)."""
    return normalise_key(env.get(KEY_VARIABLE, ""))


def guarded_key(env: Mapping[str, str]) -> str | None:
    """The key to search uploads for, or None when it is too short to search for."""
    key = robofy_api_key(env)
    return key if len(key) >= MIN_GUARDED_LENGTH else None
