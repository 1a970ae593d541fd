"""The manifest's `api:` section: which Robofy status strings mean ready, pending or failed.

Robofy's docs list status examples (``Uploaded, Processing, Linked, Fail...``) without
saying which is final (EVIDENCE.md, E4). A status named here overrides kbsync's built-in
mapping, compared case-insensitively, so a real account's vocabulary needs no code change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kbsync.errors import Problem
from kbsync.model import FAILED, PENDING, READY, ApplyResult
from kbsync.robofy.contract import is_ambiguous_status
from kbsync.schema import Arr, Obj, Str
from kbsync.yamlload import YNode

STATUS_LISTS = {"ready_statuses": READY, "pending_statuses": PENDING, "failed_statuses": FAILED}
_STATUS_LIST = "Robofy status strings read as {}, compared case-insensitively; they override "
API = Obj(
    {
        name: Arr(Str(min_length=1), _STATUS_LIST.format(state) + "kbsync's built-in mapping.")
        for name, state in STATUS_LISTS.items()
    },
    "How to read Robofy's answers where its docs leave them open (status strings).",
)


def api_statuses(tree: YNode, file: str) -> tuple[dict[str, str], list[Problem]]:
    """lower-case status -> state from a checked manifest tree; a status in two lists is a
    problem (which one would win is not obvious)."""
    section = _child(tree, "api")
    statuses: dict[str, str] = {}
    problems: list[Problem] = []
    for name, state in STATUS_LISTS.items():
        entries = _child(section, name)
        listed = entries.value if entries is not None else None
        for entry in listed if isinstance(listed, list) else []:
            if not isinstance(entry, YNode) or not isinstance(entry.value, str):
                continue  # the schema check has reported it
            if not entry.value.strip():
                continue  # the schema check has reported it
            raw = entry.value.strip().lower()
            if statuses.get(raw, state) != state:
                message = f"api: status {entry.value!r} is in two lists; name it in one"
                problems.append(Problem(file, entry.line, entry.col, message))
            statuses[raw] = state
    return statuses, problems


def _child(node: YNode | None, key: str) -> YNode | None:
    value = node.value if node is not None else None
    child = value.get(key) if isinstance(value, dict) else None
    return child if isinstance(child, YNode) else None


def api_line(statuses: list[str]) -> str:
    """The exact manifest line that reads ``statuses`` as ready."""
    return "api: {ready_statuses: [" + ", ".join(statuses) + "]}"


def ambiguous(statuses: Iterable[str], overrides: Mapping[str, str]) -> list[str]:
    """The statuses the docs leave open (Linked, Uploaded, unknown ones) that ``api:``
    does not settle, as Robofy spelled them."""
    found = {s for s in statuses if s.strip() and is_ambiguous_status(s, overrides)}
    return sorted(found, key=str.lower)


def status_hint(statuses: list[str]) -> str:
    return (
        f"{len(statuses)} status(es) still read as not ready ({', '.join(statuses)}): Robofy's "
        "docs do not say whether they are final. If they are for your account, add this "
        f"line to the manifest:  {api_line(statuses)}"
    )


def with_status_hint(result: ApplyResult, overrides: Mapping[str, str]) -> ApplyResult:
    """A wait that ended on ambiguous statuses gets the `api:` line that settles them."""
    open_ = ambiguous(result.pending_statuses, overrides)
    if not open_:
        return result
    return result._replace(notes=(*result.notes, status_hint(open_)))
