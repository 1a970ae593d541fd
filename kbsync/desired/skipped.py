"""What folder expansions leave out, said in one line: by reason, then by extension.

``validate`` prints the line under each agent, ``plan`` makes it a note of the agent
(text, Markdown and JSON), and ``plan --format json`` lists every path as well.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Sequence

from kbsync.model import SKIP_REASONS, SkippedFile

MAX_EXTENSIONS = 8  # per reason; the rest are counted as "N other"


def skip_summary(skipped: Sequence[SkippedFile]) -> str:
    """'skipped 4 files kbsync does not upload: unsupported type: 2 .cpp, 1 .png;
    over 10 MB: 1 .pdf'"""
    groups = [_group(reason, skipped) for reason in SKIP_REASONS]
    described = "; ".join(g for g in groups if g)
    files = "file" if len(skipped) == 1 else "files"
    return f"skipped {len(skipped):,} {files} kbsync does not upload: {described}"


def _group(reason: str, skipped: Sequence[SkippedFile]) -> str:
    counts = Counter(extension(s.path) for s in skipped if s.reason == reason)
    if not counts:
        return ""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    shown = [f"{n:,} {ext}" for ext, n in ranked[:MAX_EXTENSIONS]]
    rest = sum(n for _, n in ranked[MAX_EXTENSIONS:])
    shown += [f"{rest:,} other"] if rest else []
    return f"{reason}: {', '.join(shown)}"


def extension(path: str) -> str:
    ext = posixpath.splitext(posixpath.basename(path))[1].lower()
    return ext or "(no extension)"
