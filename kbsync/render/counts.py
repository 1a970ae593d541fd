"""The plan's and the result's numbers, shared by the text and JSON renderers."""

from __future__ import annotations

from kbsync.model import (
    ADD_KINDS,
    CRAWL,
    CREATE_AGENT,
    DELINK,
    DONE,
    FAILED_OUTCOME,
    REPLACE_KINDS,
    SKIPPED,
    STILL_RUNNING,
    UPDATE_KINDS,
    WAIT_CRAWL,
    ApplyResult,
    Plan,
)

# summary group -> the action kinds it counts ("add" counts new agents too, like Terraform)
PLAN_GROUPS = {
    "add": (CREATE_AGENT, *ADD_KINDS),
    "replace": REPLACE_KINDS,
    "update": UPDATE_KINDS,
    "delink": (DELINK,),
    "crawl": (CRAWL,),
    "wait": (WAIT_CRAWL,),
}
RESULT_STATUSES = (DONE, FAILED_OUTCOME, SKIPPED, STILL_RUNNING)


def plan_counts(plan: Plan) -> dict[str, int]:
    """Actions per summary group; ``delink`` counts linkages, not actions."""
    counts = {group: 0 for group in PLAN_GROUPS}
    for action in plan.actions:
        for group, kinds in PLAN_GROUPS.items():
            if action.kind in kinds:
                counts[group] += len(action.linkage_ids) if action.kind == DELINK else 1
    return counts


def result_counts(result: ApplyResult) -> dict[str, int]:
    counts: dict[str, int] = {status: 0 for status in RESULT_STATUSES}
    for outcome in result.outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts
