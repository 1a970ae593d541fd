"""`kbsync doctor`: judge a probe of a live account and say it for people. Pure.

``kbsync.robofy.probe`` asks each read endpoint once; here each answer is judged:
does the endpoint work, is its shape the contract's canonical one, an accepted
variant, or nothing known (then its top-level keys are shown, never values), and
does kbsync need it. The key and the content (names, prompts, texts) are never shown.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from kbsync.manifest.statuses import ambiguous, api_line
from kbsync.model import PENDING
from kbsync.plan.sites import parse_created_at
from kbsync.robofy import contract as c
from kbsync.robofy.contract.readers import parse_linkage
from kbsync.robofy.probe import ShapeReport

DOCTOR_FORMAT_VERSION = 1
DAY = 86_400.0

# endpoint -> (what kbsync uses it for, needed: a failure means kbsync cannot work)
_ROLES = {
    c.GET_PROJECT.endpoint: ("the project", False),
    c.ACCOUNT_LIMIT.endpoint: ("account limits", False),
    c.LIST_AGENTS.endpoint: ("list agents", True),
    c.GET_SETTINGS.endpoint: ("prompt and settings", True),
    c.GET_PERSONA.endpoint: ("persona", True),
    c.LIST_LINKAGES.endpoint: ("linked assets (one page)", True),
    c.CRAWL_STATUS.endpoint: ("crawl status", True),
    c.LIST_SESSIONS.endpoint: ("inbox sessions (kbsync gaps)", False),
    c.LIST_SESSION_MESSAGES.endpoint: ("inbox messages (kbsync gaps)", False),
}
_AGENT_ROUTES = (c.GET_SETTINGS, c.GET_PERSONA, c.LIST_LINKAGES, c.CRAWL_STATUS)


class EndpointCheck(NamedTuple):
    endpoint: str
    purpose: str
    needed: bool
    status: int | None  # HTTP status; None: no answer (network)
    verdict: str  # c.CANONICAL / c.VARIANT / c.UNKNOWN_SHAPE, or "failed"
    detail: str  # the shape in words, or the error
    keys: str = ""  # top-level keys seen
    unknown_statuses: tuple[str, ...] = ()
    problem: str = ""  # an item apply could not read with confidence (it would refuse)

    @property
    def works(self) -> bool:
        return self.verdict in (c.CANONICAL, c.VARIANT)


class DoctorReport(NamedTuple):
    project: int
    auth: str  # one line each: what the agent listing says of the key and the project
    project_line: str
    endpoints: tuple[EndpointCheck, ...]
    notes: tuple[str, ...] = ()

    @property
    def healthy(self) -> bool:
        return not any(e.needed and not e.works for e in self.endpoints) and bool(self.endpoints)


FAILED = "failed"


LIMIT_NOTE = (
    f"the server rejected the `{c.PAGE_LIMIT_PARAM}` query parameter (HTTP 400); kbsync "
    "lists without it (the server's own page size, maybe more requests)"
)


def diagnose(
    project: int,
    reports: Sequence[ShapeReport],
    *,
    limit_rejected: bool = False,
    statuses: Mapping[str, str] | None = None,
    now: float | None = None,
) -> DoctorReport:
    """``statuses``: the manifest's `api:` section; ``now``: for the age of linked assets."""
    checks = tuple(_judge(r, statuses or {}) for r in reports)
    listing = next((e for e in checks if e.endpoint == c.LIST_AGENTS.endpoint), None)
    auth, project_line = _access(project, listing)
    notes = [LIMIT_NOTE] if limit_rejected else []
    notes += _status_suggestion(reports, statuses or {}, time.time() if now is None else now)
    if listing is not None and listing.works and len(checks) == 3:
        notes.append(
            "the project has no agents: settings, persona, linked assets and crawl status "
            "were not checked (create an agent, then run kbsync doctor again)"
        )
    return DoctorReport(project, auth, project_line, checks, tuple(notes))


def _status_suggestion(
    reports: Sequence[ShapeReport], statuses: Mapping[str, str], now: float
) -> list[str]:
    """Linked assets that have stayed in a status the docs leave open for over a day
    (their created_at tells): suggest the `api:` line that reads it as ready."""
    links = next((r for r in reports if r.endpoint == c.LIST_LINKAGES.endpoint and r.ok), None)
    if links is None or links.answer is None:
        return []
    items, _ = c.page_of(links.answer, "linked assets")
    old = []
    for link in (parse_linkage(links.answer, item, statuses) for item in items):
        created = parse_created_at(link.created_at)
        if link.state == PENDING and created is not None and now - created > DAY:
            old.append(link.raw_status)
    stale = ambiguous(old, statuses)
    if not stale:
        return []
    count = sum(1 for s in old if s in stale)
    return [
        f"{count} linked asset(s) of the first agent have stayed in status {', '.join(stale)} "
        "for more than a day; if that status is final for your account, add this line to "
        f"the manifest:  {api_line(stale)}"
    ]


def _judge(report: ShapeReport, statuses: Mapping[str, str]) -> EndpointCheck:
    purpose, needed = _ROLES.get(report.endpoint, ("", False))
    if report.ok and report.verdict == c.UNKNOWN_SHAPE:
        verdict = c.UNKNOWN_SHAPE  # answered, but nothing kbsync recognises (limits)
    elif report.ok:
        verdict = report.verdict or c.VARIANT
    else:
        verdict = c.UNKNOWN_SHAPE if report.verdict == c.UNKNOWN_SHAPE else FAILED
    detail = report.shape if report.ok else _error_text(report)
    return EndpointCheck(
        report.endpoint,
        purpose,
        needed,
        report.status,
        verdict,
        detail,
        report.keys,
        tuple(s for s in report.unknown_statuses if s.strip().lower() not in statuses),
        report.problem,
    )


def _error_text(report: ShapeReport) -> str:
    """The error without the advice to run doctor (this is doctor)."""
    return report.shape.split(" Run `kbsync doctor`")[0]


def _access(project: int, listing: EndpointCheck | None) -> tuple[str, str]:
    if listing is None:
        return "not checked", "not checked"
    if listing.works or listing.verdict == c.UNKNOWN_SHAPE:
        return "ok: the key was accepted", f"ok: project {project} answered"
    status = listing.status
    if status == 401:
        return "FAILED: the key was refused (HTTP 401); check ROBOFY_API_KEY", "not checked"
    if status == 403:
        return "ok: the key is known", f"FAILED: the key has no access to project {project} (403)"
    if status == 404:
        return "ok: the key was accepted", f"FAILED: project {project} was not found (HTTP 404)"
    return f"unknown: {listing.detail}", "not checked"


# --- rendering -------------------------------------------------------------------


def render_doctor_text(report: DoctorReport, where: str) -> str:
    lines = [f"kbsync doctor: {where}, project {report.project} (read-only)"]
    lines += [f"  auth:     {report.auth}", f"  project:  {report.project_line}", ""]
    width = max([len("ENDPOINT"), *(len(e.endpoint) for e in report.endpoints)])
    lines.append(f"{'ENDPOINT':<{width}}  HTTP  SHAPE")
    for e in report.endpoints:
        status = str(e.status) if e.status is not None else "-"
        lines.append(f"{e.endpoint:<{width}}  {status:<4}  {_verdict_words(e)}")
        lines += [f"{'':<{width}}        {line}" for line in _details(e)]
    lines += [""] + [f"Note: {n}" for n in report.notes]
    lines.append(_conclusion(report))
    return "\n".join(line for i, line in enumerate(lines) if line or lines[i - 1])


def _verdict_words(e: EndpointCheck) -> str:
    words = {
        c.CANONICAL: "canonical",
        c.VARIANT: "accepted variant",
        c.UNKNOWN_SHAPE: "NOTHING KNOWN",
        FAILED: "FAILED",
    }[e.verdict]
    words = "ITEMS NOT READABLE" if e.problem else words
    need = "" if e.needed or e.works else " (optional: kbsync can do without it)"
    return f"{words} - {e.purpose}{need}"


def _details(e: EndpointCheck) -> list[str]:
    if e.verdict == c.UNKNOWN_SHAPE:
        return [f"seen: {e.keys}" if e.keys else e.detail] + ([e.problem] if e.problem else [])
    lines = [e.detail] if e.verdict in (c.VARIANT, FAILED) else []
    if e.unknown_statuses:
        shown = ", ".join(e.unknown_statuses)
        lines.append(f"status strings kbsync does not know (read as not ready): {shown}")
    return lines


def _conclusion(report: DoctorReport) -> str:
    broken = [e.purpose for e in report.endpoints if e.needed and not e.works]
    if broken:
        refusal = " Plan and apply would refuse" if any(e.problem for e in report.endpoints) else ""
        return (
            "Problems: kbsync cannot work with this account: "
            + ", ".join(broken)
            + "."
            + (f"{refusal} before any write." if refusal else "")
        )
    if not report.endpoints:
        return "Problems: nothing could be checked."
    if len(report.endpoints) == 3 and report.notes:
        return "OK so far: the endpoints checked answer in shapes kbsync knows."
    return "OK: every endpoint kbsync needs answers in a shape it knows."


def render_doctor_json(report: DoctorReport) -> str:
    document = {
        "format_version": DOCTOR_FORMAT_VERSION,
        "ok": report.healthy,
        "project": report.project,
        "auth": report.auth,
        "project_check": report.project_line,
        "endpoints": [
            {
                "endpoint": e.endpoint,
                "purpose": e.purpose,
                "needed": e.needed,
                "status": e.status,
                "verdict": e.verdict,
                "detail": e.detail,
                "keys": e.keys,
                "unknown_statuses": list(e.unknown_statuses),
                "problem": e.problem,
            }
            for e in report.endpoints
        ],
        "notes": list(report.notes),
    }
    return json.dumps(document, indent=2)
