"""Fixed plans and results for the Markdown golden files (built by hand, no planner)."""

from __future__ import annotations

from pathlib import Path

from kbsync.model import (
    ADD_FILE,
    ADD_TEXT,
    CRAWL,
    DELINK,
    DONE,
    FAILED_OUTCOME,
    FILE,
    REPLACE_TEXT,
    SKIPPED,
    STILL_RUNNING,
    TEXT,
    UPDATE_PERSONA,
    UPDATE_PROMPT,
    UPDATE_SETTINGS,
    WAIT_CRAWL,
    Action,
    ApplyResult,
    DesiredAsset,
    DesiredSite,
    FieldChange,
    Note,
    Outcome,
    Plan,
)

IDS = {"sales": "cb-sales-2", "support": "cb-support-1"}


def text_asset(name: str, content: str) -> DesiredAsset:
    return DesiredAsset(
        f"text:{name}", TEXT, f"sha-{name}", len(content.encode()), name, content=content
    )


def file_asset(path: str, size: int) -> DesiredAsset:
    return DesiredAsset(f"file:{path}", FILE, f"sha-{path}", size, path, path=Path("/m") / path)


def add_text(agent: str, name: str, content: str) -> Action:
    reason = f"The manifest declares text {name!r} and the agent has no text with that key."
    return Action(agent, ADD_TEXT, reason, f"text:{name}", asset=text_asset(name, content))


def add_file(agent: str, path: str, size: int) -> Action:
    reason = f"The file {path} is new in the docs folder."
    return Action(agent, ADD_FILE, reason, f"file:{path}", asset=file_asset(path, size))


def delink(agent: str, label: str, reason: str, ids: tuple[int, ...] = (7,)) -> Action:
    key = f"file:{label}" if "://" not in label else None
    return Action(agent, DELINK, reason, key, linkage_ids=ids, label=label)


def no_changes() -> Plan:
    notes = (
        Note("sales", "Pages of https://old.acme.example/ are left: that site left the manifest."),
    )
    return Plan(41, (), notes=notes, agent_ids=IDS)


def adds_only() -> Plan:
    actions = (
        add_file("support", "docs/faq.md", 2_048),
        add_text("support", "support-hours", "We answer Monday to Friday."),
        add_file("support", "docs/billing|refunds.md", 512),
        Action(
            "support",
            CRAWL,
            "No pages of this site are linked and no crawl is running.",
            "site:https://docs.acme.example/",
            site=DesiredSite("site:https://docs.acme.example/", "https://docs.acme.example/"),
        ),
        Action(
            "sales",
            WAIT_CRAWL,
            "A crawl of this site is still running.",
            "site:https://acme.example/",
            run_id="run-9",
        ),
    )
    return Plan(41, actions, agent_ids=IDS)


OLD_PROMPT = """You are Acme's support assistant.
Answer from the knowledge base only.
Be brief.
Never promise refunds."""

NEW_PROMPT = """You are Acme's support assistant.
Answer from the knowledge base only.
Be brief and friendly; use `code` for commands.
Never promise refunds.
Escalate billing questions to billing@acme.example."""


def replacements() -> Plan:
    actions = (
        Action(
            "support",
            REPLACE_TEXT,
            "The text's content changed in the manifest.",
            "text:refund-policy",
            asset=text_asset("refund-policy", "Refunds within 30 days."),
            old_text="Refunds within 14 days.\nNo refunds on sale items.",
            new_text="Refunds within 30 days.\nNo refunds on sale items.",
            linkage_ids=(12,),
        ),
        Action(
            "support",
            UPDATE_PROMPT,
            "The system prompt differs.",
            old_text=OLD_PROMPT,
            new_text=NEW_PROMPT,
        ),
        Action(
            "support",
            UPDATE_SETTINGS,
            "2 declared settings differ.",
            changes=(
                FieldChange("temperature", 0.3, 0.5),
                FieldChange("tone", "Formal", "Friendly | warm"),
            ),
        ),
        Action(
            "sales",
            UPDATE_PERSONA,
            "The persona's name differs.",
            changes=(FieldChange("name", None, "Ava"),),
        ),
    )
    return Plan(41, actions, agent_ids=IDS)


def deletions() -> Plan:
    actions = (
        add_file("support", "docs/new.md", 100),
        delink("support", "docs/old.md", "The file is no longer in the manifest."),
        delink(
            "support",
            "docs/dup.md",
            "Duplicates of an owned key: the newest ready one is kept.",
            (3, 4),
        ),
        delink(
            "sales",
            "https://acme.example/blog/1",
            "The page falls outside the site's include rules.",
        ),
    )
    return Plan(41, actions, agent_ids=IDS)


def guard_refusal() -> Plan:
    actions = tuple(
        delink("support", f"docs/page-{i}.md", "The file is no longer in the manifest.")
        for i in range(3)
    )
    refusals = (
        "support: the plan would delink 3 of 4 linked assets (75%),"
        " more than --max-delete allows (50%).",
    )
    return Plan(41, actions, refusals=refusals, agent_ids={"support": "cb-support-1"})


def partial_failure() -> ApplyResult:
    plan = deletions()
    new, old, dup, page = plan.actions
    crawl = adds_only().actions[3]
    outcomes = (
        Outcome(
            new, FAILED_OUTCOME, "Robofy answered 500 on POST /files (FILE_PROCESSING_FAILED)."
        ),
        Outcome(old, SKIPPED, "Skipped: an add failed in this run, so no delinks were sent."),
        Outcome(dup, SKIPPED, "Skipped: an add failed in this run, so no delinks were sent."),
        Outcome(page, DONE),
        Outcome(crawl, STILL_RUNNING, "The crawl was still running after --wait-timeout 600s."),
        Outcome(add_text("sales", "greeting", "Hi"), DONE),
    )
    return ApplyResult(outcomes, notes=("Run `kbsync apply` again to retry the failed actions.",))


PLANS = {
    "no_changes": no_changes,
    "adds_only": adds_only,
    "replacements": replacements,
    "deletions": deletions,
    "guard_refusal": guard_refusal,
}
