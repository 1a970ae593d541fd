"""Failed copies of declared texts/files: they hold no content, so prune managed/all
delinks them (even while other content processes, never counted by --max-delete);
prune none keeps them and says so."""

from __future__ import annotations

import pytest

from kbsync.model import DELINK, FAILED, PENDING, REPLACE_FILE, REPLACE_TEXT
from kbsync.plan.guards import count_delinks

from .builders import FP_B, FP_C, OLD, agent, file, owned, remote, rows, run, text

HOURS = text("hours")
FAQ = file("docs/faq.md")
FAQ_NEW = file("docs/faq.md", FP_B)
# the declared hours failed twice (same fingerprint); faq has a failed copy of another version
STILL_FAILING = remote(
    owned(1, HOURS, state=FAILED, created_at=OLD),
    owned(2, HOURS, state=FAILED),
    owned(3, FAQ, created_at=OLD),
    owned(4, FAQ_NEW, state=FAILED),
    owned(5, FAQ, FP_C, state=FAILED, created_at=OLD),
)
RETRIED = [
    (REPLACE_FILE, "file:docs/faq.md", (3,)),
    (REPLACE_TEXT, "text:hours", ()),
    (DELINK, "file:docs/faq.md", (4,)),
    (DELINK, "file:docs/faq.md", (5,)),
    (DELINK, "text:hours", (1,)),
    (DELINK, "text:hours", (2,)),
]


@pytest.mark.parametrize(
    ("prune", "expected"),
    [
        pytest.param("managed", RETRIED, id="managed"),
        pytest.param("all", RETRIED, id="all"),
        pytest.param("none", RETRIED[:2], id="none"),
    ],
)
def test_failed_copies_are_delinked_unless_prune_is_none(prune: str, expected: list) -> None:
    want = agent(prune=prune, texts=(HOURS,), files=(FAQ_NEW,))
    result = run(want, STILL_FAILING, max_delete="0")
    assert sorted(rows(result)) == sorted(expected)
    assert result.refusals == ()  # --max-delete 0: failed copies are not counted
    delinks = [a for a in result.actions if a.kind == DELINK]
    assert all(a.holds_no_content and not a.superseded for a in delinks)
    assert count_delinks(result.actions) == 0
    kept = [n.message[:54] for n in result.notes if "failed copy" in n.message]
    assert kept == (
        ["4 failed copy(ies) of declared texts/files stay linked"] if prune == "none" else []
    )


def test_a_retry_of_content_whose_last_upload_failed_says_so() -> None:
    want = agent(files=(FAQ_NEW,))
    (replace, _) = run(
        want, remote(owned(3, FAQ, created_at=OLD), owned(4, FAQ_NEW, state=FAILED))
    ).actions
    assert replace.kind == REPLACE_FILE
    assert replace.reason == (
        "docs/faq.md: the last upload failed in Robofy (failed); uploading again"
    )


def test_failed_copies_go_while_other_content_still_processes() -> None:
    # a pending new faq holds every prune, but not the delink of a failed copy
    have = remote(
        owned(1, HOURS, created_at=OLD),
        owned(2, HOURS),
        owned(3, FAQ_NEW, state=PENDING),
        owned(4, FAQ_NEW, state=FAILED, created_at=OLD),
        owned(5, FAQ, created_at=OLD),
    )
    result = run(agent(texts=(HOURS,), files=(FAQ_NEW,)), have)
    assert rows(result) == [(DELINK, "file:docs/faq.md", (4,))]
    assert any("1 delink(s) held" in n.message for n in result.notes)  # the hours duplicate
    assert 5 not in {i for a in result.actions for i in a.linkage_ids}  # make-before-break


def test_a_watch_without_prune_only_says_it_would_delink_failed_copies() -> None:
    have = remote(owned(1, HOURS), owned(2, HOURS, state=FAILED))
    result = run(agent(texts=(HOURS,)), have, allow_delink=False)
    assert rows(result) == []
    assert [n.message for n in result.notes] == [
        "would delink text:hours (linkage 2, aaaaaaaa…) (failed copy of text:hours (it holds "
        "no content)); run with --prune"
    ]
