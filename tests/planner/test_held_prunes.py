"""Nothing is pruned while a declared item's only usable copy is still processing."""

from __future__ import annotations

from kbsync.model import DELINK, PENDING

from .builders import FP_B, agent, file, foreign, owned, remote, rows, run

FAQ = file("docs/faq.md")
FAQ_V2 = file("docs/faq-v2.md", FP_B)
WARRANTY = file("docs/warranty.md")


def test_prunes_wait_for_a_declared_item_still_processing() -> None:
    # warranty.md was renamed to faq-v2.md last run; the new copy is still processing
    state = remote(owned(1, FAQ), owned(2, WARRANTY), owned(3, FAQ_V2, state=PENDING))
    plan = run(agent(files=(FAQ, FAQ_V2)), state)
    assert rows(plan) == []
    assert any("1 delink(s) held" in n.message and "faq-v2.md" in n.message for n in plan.notes)


def test_prunes_go_once_the_new_copy_is_ready() -> None:
    state = remote(owned(1, FAQ), owned(2, WARRANTY), owned(3, FAQ_V2))
    plan = run(agent(files=(FAQ, FAQ_V2)), state)
    assert rows(plan) == [(DELINK, "file:docs/warranty.md", (2,))]


def test_prune_all_also_waits_for_processing_content() -> None:
    state = remote(owned(1, FAQ_V2, state=PENDING), foreign(2))
    plan = run(agent(files=(FAQ_V2,), prune="all"), state)
    assert rows(plan) == []
