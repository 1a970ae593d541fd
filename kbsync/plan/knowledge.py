"""Planning an agent's knowledge: texts and files (by ownership marker) and pages. Pure.

Produces adds and replacements, plus every delink *candidate* with its category;
the prune mode (``select_delinks``) decides which candidates become actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from kbsync.desired.markers import Marker, marker_for, parse
from kbsync.manifest.urls import page_belongs, page_in_scope
from kbsync.model import (
    ADD_FILE,
    ADD_TEXT,
    DELINK,
    FAILED,
    READY,
    REPLACE_FILE,
    REPLACE_TEXT,
    TEXT,
    URL,
    Action,
    ActionKind,
    DelinkReason,
    DesiredAgent,
    DesiredAsset,
    Note,
    PruneMode,
    RemoteLinkage,
    Word,
)


class Category(Word):
    """What a delink candidate is; which ones a prune mode delinks is in PRUNED_BY_MODE."""

    UNDECLARED_OWNED = "undeclared_owned"  # kbsync's asset whose key left the manifest
    DUPLICATE = "duplicate"  # another copy / unfinished old version of a declared key
    # a copy of a declared key (any fingerprint) that failed processing: it holds no content
    FAILED_COPY = "failed_copy"
    # an older version of a declared key whose declared version is ready: delinking it
    # finishes a replacement (say one applied with --no-wait), so every mode delinks it
    SUPERSEDED = "superseded"
    OUT_OF_RULES = "out_of_rules"  # a page under a declared site that its rules now exclude
    UNDECLARED_PAGE = "undeclared_page"  # a page of no declared site
    FOREIGN = "foreign"  # a text/file without a kbsync marker (added in the dashboard)


UNDECLARED_OWNED = Category.UNDECLARED_OWNED
DUPLICATE = Category.DUPLICATE
FAILED_COPY = Category.FAILED_COPY
SUPERSEDED = Category.SUPERSEDED
OUT_OF_RULES = Category.OUT_OF_RULES
UNDECLARED_PAGE = Category.UNDECLARED_PAGE
FOREIGN = Category.FOREIGN

# why the delink of a candidate is sent: all but these two remove content (a prune)
_REASON_OF = {SUPERSEDED: DelinkReason.SUPERSEDED, FAILED_COPY: DelinkReason.FAILED_COPY}

PRUNED_BY_MODE: dict[PruneMode, frozenset[Category]] = {
    PruneMode.MANAGED: frozenset({UNDECLARED_OWNED, DUPLICATE, FAILED_COPY, OUT_OF_RULES}),
    PruneMode.ALL: frozenset(
        {UNDECLARED_OWNED, DUPLICATE, FAILED_COPY, OUT_OF_RULES, UNDECLARED_PAGE, FOREIGN}
    ),
    PruneMode.NONE: frozenset(),
}


class Candidate(NamedTuple):
    category: Category
    action: Action  # a DELINK action of one linkage


class Owned(NamedTuple):
    linkage: RemoteLinkage
    marker: Marker


class AssetPlan(NamedTuple):
    actions: list[Action]
    candidates: list[Candidate]
    notes: list[Note]
    processing: list[str]  # declared items whose only usable copy is still processing


def plan_assets(agent: DesiredAgent, linkages: Sequence[RemoteLinkage]) -> AssetPlan:
    """Adds, replacements and delink candidates for the agent's texts, files and pages."""
    owned, foreign = _split_owned(linkages)
    result = AssetPlan([], [], [], [])
    declared: set[str] = set()
    for asset in agent.assets:
        marker = marker_for(asset.source_key, asset.fingerprint)
        declared.add(marker.key_id)
        _plan_one(agent.key, asset, marker, owned.get(marker.key_id, []), result)
    for key_id in sorted(set(owned) - declared):
        for item in owned[key_id]:
            reason = "not declared any more"
            result.candidates.append(_delink(agent.key, item, reason, UNDECLARED_OWNED))
    for linkage in foreign:
        action = Action(
            agent.key,
            DELINK,
            "not declared (added outside kbsync)",
            linkage_ids=(linkage.linkage_id,),
            label=linkage.asset_name,
        )
        result.candidates.append(Candidate(FOREIGN, action))
    return result


def page_candidates(agent: DesiredAgent, linkages: Sequence[RemoteLinkage]) -> list[Candidate]:
    """Pages that belong to no declared site: outside a site's rules, or of no site at all."""
    candidates = []
    for page in (lk for lk in linkages if lk.asset_type == URL):
        url = page.asset_name
        if any(page_belongs(site, url) for site in agent.sites):
            continue
        site = next((s for s in agent.sites if page_in_scope(s, url)), None)
        if site is not None:
            reason = f"outside the include/exclude rules of {site.url}"
            action = _page_delink(agent.key, page, reason, site.source_key)
            candidates.append(Candidate(OUT_OF_RULES, action))
        else:
            action = _page_delink(agent.key, page, "page of no declared site", None)
            candidates.append(Candidate(UNDECLARED_PAGE, action))
    return candidates


def select_delinks(
    agent: DesiredAgent, candidates: Sequence[Candidate]
) -> tuple[list[Action], list[Note]]:
    """The candidates the agent's prune mode delinks; a note for undeclared pages it keeps.

    Superseded versions are always chosen: they are the end of a replacement, not prunes.
    """
    pruned = PRUNED_BY_MODE[agent.prune] | {SUPERSEDED}
    chosen = [c.action for c in candidates if c.category in pruned]
    kept_pages = [c.action.label for c in candidates if c.category == UNDECLARED_PAGE]
    notes = []
    if kept_pages and UNDECLARED_PAGE not in pruned and agent.prune != PruneMode.NONE:
        notes.append(Note(agent.key, _kept_pages_message(kept_pages)))
    failed = sum(1 for c in candidates if c.category == FAILED_COPY)
    if failed and FAILED_COPY not in pruned:
        notes.append(Note(agent.key, _kept_failed_message(failed)))
    return chosen, notes


# --- one declared asset -------------------------------------------------------


def _plan_one(
    agent_key: str,
    asset: DesiredAsset,
    marker: Marker,
    owned: list[Owned],
    result: AssetPlan,
) -> None:
    current = [o for o in owned if o.marker.fingerprint == marker.fingerprint]
    usable = [o for o in current if o.linkage.state != FAILED]
    if not owned:
        kind = ADD_TEXT if asset.kind == TEXT else ADD_FILE
        reason = "not linked to this agent yet"
        result.actions.append(_upload(agent_key, kind, asset, reason, ()))
    elif not usable:
        # failed copies hold no content: they are delink candidates, not the old version
        kind = REPLACE_TEXT if asset.kind == TEXT else REPLACE_FILE
        old_ids = tuple(sorted(o.linkage.linkage_id for o in owned if o.linkage.state != FAILED))
        reason = _replace_reason(asset, marker, owned)
        result.actions.append(_upload(agent_key, kind, asset, reason, old_ids))
        for item in (o for o in owned if o.linkage.state == FAILED):
            result.candidates.append(_failed_copy(agent_key, asset.source_key, item))
    else:
        keep = newest(usable)
        if keep.linkage.state != READY:
            result.processing.append(asset.display_name)
        _plan_extra_copies(agent_key, asset, keep, owned, result)


def _plan_extra_copies(
    agent_key: str, asset: DesiredAsset, keep: Owned, owned: list[Owned], result: AssetPlan
) -> None:
    """Every owned copy but the one kept: duplicates, failed copies, older versions."""
    for item in owned:
        if item is keep:
            continue
        found = _extra_copy(asset.source_key, keep, item)
        if found is None:
            message = (
                f"{asset.display_name}: the new version is still processing; the older "
                "version stays linked until it is ready"
            )
            result.notes.append(Note(agent_key, message))
        else:
            reason, category = found
            result.candidates.append(_delink(agent_key, item, reason, category))


def _extra_copy(key: str, keep: Owned, item: Owned) -> tuple[str, Category] | None:
    """(reason, category) of a copy beside the kept one; None: it stays linked for now."""
    failed = f"failed copy of {key} (it holds no content)", FAILED_COPY
    if item.marker.fingerprint == keep.marker.fingerprint:
        return failed if item.linkage.state == FAILED else (f"duplicate of {key}", DUPLICATE)
    older = f"older version of {key} (fingerprint {_short(item.marker.fingerprint)})"
    if keep.linkage.state == READY:
        return f"{older}; the new one is ready", SUPERSEDED
    if item.linkage.state == FAILED:
        return failed
    if item.linkage.state == READY:
        return None  # make-before-break: the only ready version stays until the new one is
    return older, DUPLICATE


def _replace_reason(asset: DesiredAsset, marker: Marker, owned: list[Owned]) -> str:
    same = [o for o in owned if o.marker.fingerprint == marker.fingerprint]
    previous = newest(same or owned)  # a copy of this very content failed: say so
    if previous.marker.fingerprint == marker.fingerprint:
        status = previous.linkage.raw_status or FAILED
        return f"{asset.display_name}: the last upload failed in Robofy ({status}); uploading again"
    old, new = _short(previous.marker.fingerprint), _short(marker.fingerprint)
    return f"{asset.display_name} changed (fingerprint {old} -> {new})"


def newest(items: Sequence[Owned]) -> Owned:
    """Ready before not ready, then the newest by created_at, then by linkage id."""
    return max(
        items,
        key=lambda o: (o.linkage.state == READY, o.linkage.created_at, o.linkage.linkage_id),
    )


# --- helpers ------------------------------------------------------------------


def _split_owned(
    linkages: Sequence[RemoteLinkage],
) -> tuple[dict[str, list[Owned]], list[RemoteLinkage]]:
    owned: dict[str, list[Owned]] = {}
    foreign = []
    for linkage in linkages:
        if linkage.asset_type == URL:
            continue
        marker = parse(linkage.asset_name)
        if marker is None:
            foreign.append(linkage)
        else:
            owned.setdefault(marker.key_id, []).append(Owned(linkage, marker))
    return owned, foreign


def _upload(
    agent_key: str, kind: ActionKind, asset: DesiredAsset, reason: str, old_ids: tuple[int, ...]
) -> Action:
    return Action(
        agent_key,
        kind,
        reason,
        source_key=asset.source_key,
        asset=asset,
        new_text=asset.content if asset.kind == TEXT else None,
        linkage_ids=old_ids,
    )


def _delink(agent_key: str, item: Owned, reason: str, category: Category) -> Candidate:
    lid = item.linkage.linkage_id
    action = Action(
        agent_key,
        DELINK,
        reason,
        source_key=item.marker.key_id,
        linkage_ids=(lid,),
        label=f"{item.marker.key_id} (linkage {lid}, {_short(item.marker.fingerprint)})",
        delink_reason=_REASON_OF.get(category, DelinkReason.PRUNE),
    )
    return Candidate(category, action)


def _failed_copy(agent_key: str, key: str, item: Owned) -> Candidate:
    return _delink(agent_key, item, f"failed copy of {key} (it holds no content)", FAILED_COPY)


def _page_delink(
    agent_key: str, page: RemoteLinkage, reason: str, source_key: str | None
) -> Action:
    return Action(
        agent_key,
        DELINK,
        reason,
        source_key=source_key,
        linkage_ids=(page.linkage_id,),
        label=page.asset_name,
    )


def _short(fingerprint: str) -> str:
    return fingerprint[:8] + "…"


def _kept_pages_message(urls: list[str]) -> str:
    shown = ", ".join(sorted(urls)[:3])
    more = f" and {len(urls) - 3} more" if len(urls) > 3 else ""
    return (
        f"{len(urls)} linked page(s) belong to no declared site and are left linked "
        f"(prune: managed; use prune: all to delink them): {shown}{more}"
    )


def _kept_failed_message(count: int) -> str:
    return (
        f"{count} failed copy(ies) of declared texts/files stay linked (prune: none never "
        "delinks; they hold no content, prune: managed delinks them)"
    )
