"""Progress: plain lines off a terminal, a rich bar on one."""

from __future__ import annotations

import io

import pytest

from kbsync.render.progress import BarProgress, LineProgress, make_progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_off_a_terminal_one_per_tenth_and_per_new_message() -> None:
    out = io.StringIO()
    progress = make_progress(out)
    assert isinstance(progress, LineProgress)
    progress.start(20, "Uploading")
    for _ in range(20):
        progress.advance(1)
    progress.update("3 processing")
    progress.update("3 processing")
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines[0] == "Uploading: 0/20"
    assert lines[-2] == "Uploading: 20/20"
    assert lines[-1] == "Uploading: 3 processing"
    assert len(lines) == 1 + 10 + 1  # start, each tenth, one message (repeat suppressed)


def test_a_new_phase_starts_counting_again() -> None:
    out = io.StringIO()
    progress = make_progress(out)
    progress.start(1, "Creating agents")
    progress.advance(1)
    progress.start(2, "Waiting")
    progress.advance(2)
    assert out.getvalue().splitlines() == [
        "Creating agents: 0/1",
        "Creating agents: 1/1",
        "Waiting: 0/2",
        "Waiting: 2/2",
    ]


def test_a_bar_on_a_terminal() -> None:
    out = Terminal()
    progress = make_progress(out)
    assert isinstance(progress, BarProgress)
    progress.start(4, "Waiting")
    progress.advance(4)
    progress.update("all settled")
    progress.close()
    assert "Waiting" in out.getvalue()
    assert "4/4" in out.getvalue()


def _last_frame(out: Terminal, label: str) -> str:
    """The bar as last drawn (rich redraws it in place, after cursor controls)."""
    frames = out.getvalue().replace("\r", "\n").splitlines()
    return [frame for frame in frames if label in frame][-1]


def test_the_final_frame_keeps_no_stale_message() -> None:
    out = Terminal()
    progress = make_progress(out)
    progress.start(2, "Waiting")
    progress.update("1 crawl running")
    progress.advance(2)
    progress.close()
    last = _last_frame(out, "Waiting")
    assert "2/2" in last and "crawl running" not in last


def test_without_colour_the_unfilled_part_of_the_bar_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # the environment, read by rich's Console
    out = Terminal()
    progress = make_progress(out)
    progress.start(4, "Uploading")
    progress.advance(1)
    progress.close()
    last = _last_frame(out, "Uploading")
    assert "━" * 10 + "─" * 30 in last, last  # a quarter done, three quarters to go
