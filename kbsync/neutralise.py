"""The one neutraliser for text kbsync prints: foreign strings cannot steer a terminal
or a CI log.

Names, URLs, statuses, error details and chat answers come from the server; prompts,
texts and names come from files. Any of them may hold terminal escapes (ESC, BEL,
OSC), carriage returns, bidi overrides or a newline followed by ``::add-mask::``. Every
block of output passes through ``neutralise`` just before it is written:

- control characters (C0 except newline and tab, DEL, C1), line and paragraph
  separators, bidi overrides and lone surrogates become ``\\uXXXX``: readable, valid
  inside JSON strings, and inert on a terminal;
- a line that would start (after blanks) with ``::`` or ``##[`` (GitHub Actions'
  workflow-command prefixes) gets a backslash in front, so only kbsync's own commands,
  which never pass through here, are ever obeyed.

In colour mode the SGR codes kbsync's own ``paint`` writes are kept; those only colour.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_OWN_COLOUR = re.compile(r"(\x1b\[(?:0|1|2|3[1236])m)")  # what render.style.paint writes
_COMMAND_START = re.compile(r"^([ \t]*)(::|##\[)", re.MULTILINE)


def neutralise(text: str, *, colour: bool = False) -> str:
    """``text`` safe to print (see the module docstring)."""
    text = text.replace("\r\n", "\n")  # a Windows line end is a line end, not a control
    if colour:
        parts = _OWN_COLOUR.split(text)  # odd items are our own colour codes
        text = "".join(p if i % 2 else _escape(p) for i, p in enumerate(parts))
    else:
        text = _escape(text)
    return _COMMAND_START.sub(r"\1\\\2", text)


def _escape(text: str) -> str:
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
