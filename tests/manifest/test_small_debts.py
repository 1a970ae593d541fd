"""Written once: the atomic file write (hash cache, saved plans) and the duration pattern."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kbsync.atomic import write_atomically
from kbsync.manifest import schema
from kbsync.manifest.durations import DURATION_PATTERN, parse_duration


def test_an_atomic_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old", encoding="utf-8")

    write_atomically(target, "new")

    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_a_failed_atomic_write_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "hashcache.json"
    target.write_text("old", encoding="utf-8")

    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "half \ud800 written")  # a lone surrogate cannot be encoded

    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["hashcache.json"]


@pytest.mark.parametrize("text", ["30m", "12h", "7d", "2w", "1d12h", "90s", "0m", "1x", "m", ""])
def test_the_schema_and_the_parser_share_one_duration_pattern(text: str) -> None:
    assert schema.DURATION_PATTERN is DURATION_PATTERN
    try:
        parse_duration(text)
    except ValueError as error:
        parsed = "zero" in str(error)  # well formed, but not a positive duration
    else:
        parsed = True
    assert parsed == bool(re.match(DURATION_PATTERN, text))
