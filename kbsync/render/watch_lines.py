"""Watch mode's output: one compact line per cycle (text) or one JSON object per cycle."""

from __future__ import annotations

import json
import time

from kbsync.error_handler import redact
from kbsync.errors import KbsyncError
from kbsync.watch.engine import CycleReport

FORMAT_VERSION = 1
NAMES_SHOWN = 3  # changed paths named on a line before "and N more"

# how a count reads on the text line: key -> (one, many)
PHRASES = {
    "agents_created": ("agent created", "agents created"),
    "crawls_started": ("crawl started", "crawls started"),
    "crawls_finished": ("crawl finished", "crawls finished"),
}

SUMMARIES = {
    "unchanged": "no changes",
    "invalid": "manifest invalid, still watching the last good one",
    "refused": "refused, nothing applied",
}


def error_report(
    error: Exception, changed: tuple[str, ...], started_at: float, retry_in: float
) -> CycleReport:
    """A cycle that raised: one problem line, and when the loop tries again."""
    return CycleReport(
        changed,
        started_at,
        time.time() - started_at,
        problems=(describe_error(error),),
        retry=True,
        status="error",
        retry_in=retry_in,
    )


def describe_error(error: Exception) -> str:
    if isinstance(error, KbsyncError):
        return redact(" ".join(str(error).split()))
    return redact(f"{type(error).__name__}: {error}")


def render_report(report: CycleReport, fmt: str) -> str:
    return render_json(report) if fmt == "json" else render_text(report)


def render_text(report: CycleReport) -> str:
    """``12:03:44 docs/faq.md changed -> 1 replaced in 0.4s``, then notes and problems."""
    clock = time.strftime("%H:%M:%S", time.localtime(report.started_at))
    line = f"{clock} {what_changed(report.changed)} -> {summary(report)}"
    if report.status == "error":  # one line: the error itself and when we try again
        return f"{line}: {'; '.join(report.problems)}; retrying in {_secs(report.retry_in)}"
    extra = [f"  note: {n}" for n in report.notes]
    extra += [f"  ! {p}" for p in report.problems]
    return "\n".join([line, *extra])


def what_changed(changed: tuple[str, ...]) -> str:
    """``docs/a.md changed``; ``docs/a.md deleted`` when every path is gone."""
    if not changed:
        return "start"
    if all(path.endswith(DELETED) for path in changed):
        gone = tuple(path[: -len(DELETED)] for path in changed)
        return what_changed(gone).removesuffix(" changed") + " deleted"
    named = ", ".join(changed[:NAMES_SHOWN])
    more = len(changed) - NAMES_SHOWN
    return f"{named} and {more} more changed" if more > 0 else f"{named} changed"


DELETED = " (deleted)"  # how Syncer.shown marks a path that no longer exists


def summary(report: CycleReport) -> str:
    took = f"in {report.seconds:.1f}s"
    if report.status == "error":
        return "failed"
    if report.status in SUMMARIES:
        return f"{SUMMARIES[report.status]} {took}"
    done = [f"{n} {_phrase(key, n)}" for key, n in report.applied]
    if report.failed:
        done.append(f"{report.failed} failed" + (", will retry" if report.retry else ""))
    nothing = "nothing to apply" if report.changed else "up to date"
    return f"{', '.join(done) or nothing} {took}"


def _phrase(key: str, count: int) -> str:
    one, many = PHRASES.get(key, (key, key))
    return one if count == 1 else many


def _secs(seconds: float | None) -> str:
    value = seconds or 0.0
    return f"{value:.1f}s" if value < 10 else f"{value:.0f}s"


def render_json(report: CycleReport) -> str:
    """One object per line, stable keys, for tools reading the stream."""
    return json.dumps(
        {
            "format_version": FORMAT_VERSION,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(report.started_at)),
            "changed": list(report.changed),
            "status": report.status,
            "applied": dict(report.applied),
            "failed": report.failed,
            "notes": list(report.notes),
            "problems": list(report.problems),
            "seconds": round(report.seconds, 3),
            "retry_in": report.retry_in,
        },
        ensure_ascii=False,
    )
