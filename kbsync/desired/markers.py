"""kbsync's ownership marker: the asset name that says "this is kbsync's, key K, content F".

Robofy keeps no metadata kbsync can rely on, so the marker lives in the one field
kbsync controls: a text's ``file_name`` / an uploaded file's name. Format (version 1)::

    <body>~kb1<kind>~<fp16><ext>

    docs%2Ffaq.md~kb1f~1a2b3c4d5e6f7a8b.md       file:docs/faq.md
    support-hours~kb1t~1a2b3c4d5e6f7a8b.txt      text:support-hours

- ``kind`` is ``f`` (key ``file:<path>``), ``t`` (``text:<name>``) or ``k`` (any other key;
  the body is then the whole key);
- ``body`` is the key without its kind prefix, with ``% / \\ ~ " ;``, control, format and
  separator characters (and a leading space or dot) escaped as ``%XX`` UTF-8 bytes;
- ``fp16`` is the first 16 hex digits of the content fingerprint;
- ``ext`` is the file's own extension (``.md``), ``.txt`` for texts, nothing otherwise.

A key too long for a 200-character name (or 255 UTF-8 bytes) is shortened to a readable
prefix + ``…`` + 16 hex digits of sha256(key) + its extension; ``marker_for`` shortens the
same way, so the planner compares ``key_id`` values, never raw keys. Pure; no I/O.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import NamedTuple

VERSION = 1
MAX_CHARS = 200
MAX_BYTES = 255  # what most file systems and Robofy's text file_name limit tolerate

_KINDS = {"t": "text:", "f": "file:", "k": ""}
_FP_LEN = 16
_ELLIPSIS = "…"
_ALWAYS_ESCAPED = frozenset('%/\\~";')
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_EXT = re.compile(r"\.[A-Za-z0-9]{1,10}")
_HEX16 = re.compile(r"[0-9a-f]{16}")
_MARKER = re.compile(
    r"(?P<body>[^~]*)~kb(?P<version>[1-9][0-9]{0,3})(?P<kind>[tfk])~(?P<fp>[0-9a-f]{16})"
    r"(?P<ext>(?:\.[A-Za-z0-9]{1,10})?)",
    re.DOTALL,
)
_ESCAPE_RUN = re.compile(r"(?:%[0-9A-F]{2})+")


class Marker(NamedTuple):
    key_id: str  # the source key, or its shortened form when too long for a name
    fingerprint: str  # the first 16 hex digits of the content fingerprint
    version: int


def marker_for(source_key: str, fingerprint: str) -> Marker:
    """The marker ``parse(encode(source_key, fingerprint))`` returns."""
    return Marker(_key_id(source_key), _short_fingerprint(fingerprint), VERSION)


def encode(source_key: str, fingerprint: str) -> str:
    """The asset name to upload under (text ``file_name`` / multipart file name)."""
    return _name(_key_id(source_key), _short_fingerprint(fingerprint))


def parse(name: str) -> Marker | None:
    """The marker in an asset name, or None when the name is not a kbsync marker (v1)."""
    if "~kb" not in name:  # most foreign names, without the regex
        return None
    match = _MARKER.fullmatch(name)
    if match is None or int(match["version"]) != VERSION:
        return None
    body = _unescape(match["body"])
    if body is None:
        return None
    key_id = _KINDS[match["kind"]] + body
    # only the exact name encode() writes counts: one key, one spelling
    if not _fits(name) or _name(key_id, match["fp"]) != name:
        return None
    return Marker(key_id, match["fp"], VERSION)


# --- key ids ------------------------------------------------------------------


def _key_id(source_key: str) -> str:
    """The key itself when its name fits; else a readable prefix + digest of the whole key."""
    if _fits(_name(source_key, "0" * _FP_LEN)):
        return source_key
    kind = _kind_of(source_key)
    prefix = _KINDS[kind]
    ext = _extension(source_key) if kind == "f" else ""  # only a file's ext is in its key
    stem = source_key[len(prefix) : len(source_key) - len(ext)]
    tail = _ELLIPSIS + _digest(source_key) + ext
    fixed = _name(prefix + tail, "0" * _FP_LEN)
    return prefix + _longest_fitting_prefix(stem, fixed) + tail


def _longest_fitting_prefix(stem: str, fixed_name: str) -> str:
    """The longest start of ``stem`` whose escaped form still fits beside ``fixed_name``."""
    chars, size = len(fixed_name), len(fixed_name.encode("utf-8"))
    end = 0
    for position, char in enumerate(stem):
        escaped = _escape_char(char, at_start=position == 0)
        chars += len(escaped)
        size += len(escaped.encode("utf-8"))
        if chars > MAX_CHARS or size > MAX_BYTES:
            break
        end = position + 1
    return stem[:end]


def _digest(source_key: str) -> str:
    return hashlib.sha256(source_key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _kind_of(key: str) -> str:
    if key.startswith("text:"):  # _KINDS spelled out: called twice per asset of a plan
        return "t"
    return "f" if key.startswith("file:") else "k"


def _extension(key: str) -> str:
    """The extension the name ends with: the file's own, ``.txt`` for texts, else none."""
    kind = _kind_of(key)
    if kind == "t":
        return ".txt"
    if kind == "k":
        return ""
    dot = key.rfind(".")
    if dot <= key.rfind("/") + 1:  # no dot in the last segment, or only a leading one
        return ""
    ext = key[dot + 1 :]  # [A-Za-z0-9]{1,10}, without a regex: called twice per asset
    return "." + ext if len(ext) <= 10 and ext.isascii() and ext.isalnum() else ""


# --- names ----------------------------------------------------------------------


def _name(key_id: str, fp16: str) -> str:
    kind = _kind_of(key_id)
    body = _escape(key_id[len(_KINDS[kind]) :])
    return f"{body}~kb{VERSION}{kind}~{fp16}{_extension(key_id)}"


def _fits(name: str) -> bool:
    return len(name) <= MAX_CHARS and len(name.encode("utf-8")) <= MAX_BYTES


def _short_fingerprint(fingerprint: str) -> str:
    short = fingerprint[:_FP_LEN].lower()
    if not _HEX16.fullmatch(short):
        raise ValueError(f"a fingerprint must start with {_FP_LEN} hex digits: {fingerprint!r}")
    return short


def _escape(text: str) -> str:
    if text.isascii():  # the common case, without a Python call per character
        if text[:1] in (" ", "."):
            return _escape_char(text[0], at_start=True) + _escape_ascii(text[1:])
        return _escape_ascii(text)
    return "".join(_escape_char(c, at_start=i == 0) for i, c in enumerate(text))


def _escape_ascii(text: str) -> str:
    """``text.translate(_ASCII_ESCAPES)``, faster: str.replace for the printable ones
    ('%' first: the others' escapes start with it), translate only for control chars."""
    for char, escaped in _PRINTABLE_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text.translate(_CONTROL_ESCAPES) if _ASCII_CONTROL.search(text) else text


def _escape_char(char: str, *, at_start: bool) -> str:
    if _needs_escape(char) or (at_start and char in " ."):
        return "".join(f"%{b:02X}" for b in char.encode("utf-8", "surrogatepass"))
    return char


def _needs_escape(char: str) -> bool:
    return char in _ALWAYS_ESCAPED or unicodedata.category(char) in _ESCAPED_CATEGORIES


# what _escape_char does to each ASCII character that needs it (str.translate table)
_ASCII_ESCAPES = {
    code: _escape_char(chr(code), at_start=False) for code in range(128) if _needs_escape(chr(code))
}
_PRINTABLE_ESCAPES = sorted(
    ((chr(code), esc) for code, esc in _ASCII_ESCAPES.items() if chr(code).isprintable()),
    key=lambda pair: pair[0] != "%",
)
_CONTROL_ESCAPES = {c: esc for c, esc in _ASCII_ESCAPES.items() if not chr(c).isprintable()}
_ASCII_CONTROL = re.compile("[" + "".join(re.escape(chr(c)) for c in _CONTROL_ESCAPES) + "]")


def _unescape(body: str) -> str | None:
    """Undo ``_escape``; None when an escape is not valid UTF-8."""
    if body.count("%") == body.count("%2F"):  # no escapes, or only '/': every file path
        return body.replace("%2F", "/")
    try:
        return _ESCAPE_RUN.sub(_decode_run, body)
    except UnicodeDecodeError:
        return None


def _decode_run(match: re.Match[str]) -> str:
    raw = bytes.fromhex(match.group(0).replace("%", ""))
    return raw.decode("utf-8", "surrogatepass")
