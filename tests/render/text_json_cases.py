"""Fixed plans and results for the text and JSON golden files, made by the real planner
from small desired/remote states (so the goldens also show what the planner says)."""

from __future__ import annotations

from kbsync.model import (
    DONE,
    FAILED_OUTCOME,
    SKIPPED,
    STILL_RUNNING,
    ApplyResult,
    Outcome,
    Plan,
)
from tests.planner.builders import (
    FP_B,
    OLD,
    SITE,
    agent,
    crawl_run,
    desired,
    file,
    foreign,
    inventory,
    owned,
    owned_key,
    page,
    remote,
    run,
    site,
    text,
)

HOURS = text("support-hours", content="We answer Monday to Friday, 9:00-18:00 CET.")
FAQ = file("docs/faq.md")
GUIDE = site(SITE, include=(SITE + "guide/*",), recrawl_seconds=7 * 86400.0)


def no_changes() -> Plan:
    want = agent(texts=(HOURS,), files=(FAQ,), sites=(GUIDE,), prompt="Be kind.\n")
    have = remote(
        owned(1, HOURS),
        owned(2, FAQ),
        page(3, SITE + "guide/start"),
        page(4, "https://old.acme.example/pricing"),
        prompt="Be kind.",
    )
    return run(want, have)


def adds_only() -> Plan:
    support = agent(texts=(HOURS,), files=(FAQ, file("docs/billing.pdf")), sites=(GUIDE,))
    sales = agent(
        "sales",
        "Acme Sales",
        profile={"description": "Answers pricing questions", "language": "en"},
        prompt="You sell.\n",
        settings={"temperature": 0.2},
        persona={"name": "Sam"},
        texts=(text("pricing", content="Plans start at 10 EUR."),),
    )
    have = inventory(support=remote(page(9, SITE + "guide/old", created_at=OLD)))
    return run(desired(support, sales), have)


def replacements() -> Plan:
    want = agent(
        profile={"description": "Answers product questions"},
        prompt="You are Ava, Acme's support agent.\nBe concise.\nNever guess prices.\n",
        settings={"temperature": 0.3, "tone": "Professional And Friendly"},
        texts=(HOURS._replace(fingerprint=FP_B),),
        files=(file("docs/faq.md", FP_B),),
        sites=(GUIDE,),
    )
    have = remote(
        owned(1, HOURS),
        owned(2, FAQ),
        profile={"description": "Answers questions"},
        prompt="You are Ava, Acme's support agent.\nBe friendly.\n",
        settings={"temperature": "0.7", "tone": "Professional And Friendly"},
        crawls=(crawl_run("run-42", pages_found=120, pages_crawled=37),),
    )
    return run(want, have)


def deletions() -> Plan:
    want = agent(prune="all", texts=(HOURS,), sites=(GUIDE,))
    have = remote(
        owned(1, HOURS),
        owned(2, HOURS, created_at=OLD),
        owned_key(3, "file:docs/retired.md"),
        foreign(4, "dashboard-upload.pdf"),
        page(5, SITE + "guide/start"),
        page(6, SITE + "blog/launch"),
        page(7, "https://old.acme.example/pricing"),
    )
    return run(want, have, max_delete="100%")


def guard_refusal() -> Plan:
    want = agent(texts=(HOURS,))
    have = remote(owned(1, HOURS), *(owned_key(10 + i, f"file:docs/old-{i}.md") for i in range(3)))
    return run(want, have)


def watch_without_prune() -> Plan:
    want = agent(texts=(HOURS,))
    return run(want, remote(owned(1, HOURS), owned_key(2, "text:old-promo")), allow_delink=False)


PLANS = {
    "no_changes": no_changes,
    "adds_only": adds_only,
    "replacements": replacements,
    "deletions": deletions,
    "guard_refusal": guard_refusal,
    "watch_without_prune": watch_without_prune,
}


def partial_failure() -> ApplyResult:
    actions = {a.kind: a for a in replacements().actions}
    first_delink = deletions().actions[0]
    outcomes = (
        Outcome(actions["update_agent"], DONE, "updated"),
        Outcome(actions["update_prompt"], DONE),
        Outcome(actions["update_settings"], DONE),
        Outcome(actions["replace_text"], DONE),
        Outcome(actions["replace_file"], FAILED_OUTCOME, "Robofy reported the file as failed"),
        Outcome(actions["wait_crawl"], STILL_RUNNING, "still running after the wait timeout"),
        Outcome(first_delink, SKIPPED, "skipped: an add or replace failed in this run"),
    )
    return ApplyResult(outcomes, notes=("1 delink skipped because an upload failed",))


RESULTS = {"partial_failure": partial_failure}
