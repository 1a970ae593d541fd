"""Redaction of personal data in what visitors wrote, before kbsync shows any of it.

Conversations are user data. By default every question ``kbsync gaps`` reports passes
through ``redact``: e-mail addresses, URLs with a query string, phone numbers and long
digit runs (order, card, account numbers) become placeholders. Erring towards redacting
too much is the point: a date written as digits may become ``[phone]`` too.
"""

from __future__ import annotations

import re
import unicodedata

EMAIL = "[email]"
URL = "[url]"
PHONE = "[phone]"
NUMBER = "[number]"
PLACEHOLDERS = (EMAIL, URL, PHONE, NUMBER)

# order matters: an e-mail or a URL holds digits the later patterns would take apart
_PATTERNS = (
    (re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE), EMAIL),
    (re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s?#]*\?\S*", re.IGNORECASE), URL),
)
# 7 or more digits with +, spaces, dots, dashes, slashes or brackets between them
_SEPARATED_DIGITS = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().\-/]{0,3}\d){6,}(?!\w)")
_DIGIT_RUN = re.compile(r"\d{6,}")
_MAX_PHONE_DIGITS = 15  # E.164; longer is a card or account number


def redact(text: str) -> str:
    """``text`` with personal data replaced by EMAIL, URL, PHONE and NUMBER placeholders."""
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    text = _SEPARATED_DIGITS.sub(_phone_or_number, text)
    return _DIGIT_RUN.sub(NUMBER, text)


def _phone_or_number(found: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in found.group())
    separated = not found.group().isdigit()
    return PHONE if separated and digits <= _MAX_PHONE_DIGITS else NUMBER


def printable(text: str) -> str:
    """One line without control or format characters (no terminal escapes, no bidi tricks)."""
    if text.isprintable():  # the usual case, decided in C
        return " ".join(text.split())
    cleaned = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return " ".join(cleaned.split())
