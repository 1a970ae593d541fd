"""Texts, files and pages: add, replace, duplicates, and each prune mode. One row per case."""

from __future__ import annotations

import pytest

from kbsync.model import (
    ADD_FILE,
    ADD_TEXT,
    DELINK,
    FAILED,
    FILE,
    PENDING,
    REPLACE_FILE,
    REPLACE_TEXT,
    TEXT,
    RemoteLinkage,
)

from .builders import (
    FP_B,
    FP_C,
    OLD,
    SITE,
    agent,
    file,
    foreign,
    owned,
    owned_key,
    page,
    remote,
    rows,
    run,
    site,
    text,
)

HOURS = text("hours")
FAQ = file("docs/faq.md")
FAQ_NEW = file("docs/faq.md", FP_B)
GUIDE = site(SITE, include=(SITE + "guide/*",))


def delink(key: str | None, *ids: int) -> tuple[str, str | None, tuple[int, ...]]:
    return (DELINK, key, ids)


@pytest.mark.parametrize(
    ("texts", "files", "linkages", "expected"),
    [
        pytest.param([HOURS], [], [], [(ADD_TEXT, "text:hours", ())], id="add-text"),
        pytest.param([], [FAQ], [], [(ADD_FILE, "file:docs/faq.md", ())], id="add-file"),
        pytest.param([HOURS], [FAQ], [owned(1, HOURS), owned(2, FAQ)], [], id="in-sync"),
        pytest.param([], [FAQ], [owned(1, FAQ, state=PENDING)], [], id="pending-is-enough"),
        pytest.param(
            [], [FAQ_NEW], [owned(1, FAQ)], [(REPLACE_FILE, "file:docs/faq.md", (1,))], id="changed"
        ),
        pytest.param(
            [HOURS],
            [],
            [owned(1, HOURS, state=FAILED)],
            [(REPLACE_TEXT, "text:hours", ()), delink("text:hours", 1)],
            id="failed-same-fingerprint-is-replaced",
        ),
        pytest.param(
            [],
            [FAQ_NEW],
            [owned(1, FAQ), owned(2, FAQ, FP_C, state=FAILED)],
            [(REPLACE_FILE, "file:docs/faq.md", (1,)), delink("file:docs/faq.md", 2)],
            id="replace-takes-every-usable-old-copy-and-delinks-failed-ones",
        ),
        pytest.param(
            [HOURS],
            [],
            [owned(1, HOURS, created_at=OLD), owned(2, HOURS)],
            [delink("text:hours", 1)],
            id="duplicate-keeps-newest",
        ),
        pytest.param(
            [HOURS],
            [],
            [owned(5, HOURS), owned(3, HOURS)],
            [delink("text:hours", 3)],
            id="duplicate-same-time-keeps-higher-linkage-id",
        ),
        pytest.param(
            [HOURS],
            [],
            [owned(1, HOURS, created_at=OLD), owned(2, HOURS, state=PENDING)],
            [delink("text:hours", 2)],
            id="duplicate-keeps-the-ready-one",
        ),
        pytest.param(
            [HOURS],
            [],
            [owned(1, HOURS), owned(2, HOURS, state=FAILED)],
            [delink("text:hours", 2)],
            id="failed-copy-beside-ready-one",
        ),
        pytest.param(
            [],
            [FAQ_NEW],
            [owned(1, FAQ, created_at=OLD), owned(2, FAQ_NEW)],
            [delink("file:docs/faq.md", 1)],
            id="interrupted-replace-finishes",
        ),
        pytest.param(
            [],
            [FAQ_NEW],
            [owned(1, FAQ, created_at=OLD), owned(2, FAQ_NEW, state=PENDING)],
            [],
            id="old-version-stays-while-new-one-processes",
        ),
        pytest.param(
            [],
            [],
            [owned(1, HOURS), owned_key(2, "file:old.pdf", kind=FILE)],
            [delink("file:old.pdf", 2), delink("text:hours", 1)],
            id="owned-but-no-longer-declared",
        ),
        pytest.param(
            [HOURS],
            [],
            [foreign(1, "hours.txt", TEXT), foreign(2)],
            [(ADD_TEXT, "text:hours", ())],
            id="foreign-assets-are-not-ours",
        ),
    ],
)
def test_assets_managed(
    texts: list, files: list, linkages: list[RemoteLinkage], expected: list
) -> None:
    result = run(
        agent(texts=tuple(texts), files=tuple(files)), remote(*linkages), max_delete="100%"
    )
    assert rows(result) == expected


# One remote state with every sort of asset, planned under each prune mode.
MIXED = remote(
    owned(1, HOURS),  # declared, in sync
    owned(2, HOURS, created_at=OLD),  # duplicate
    owned_key(3, "text:retired"),  # owned, no longer declared
    foreign(4, "dashboard.pdf"),  # added in the dashboard
    page(5, SITE + "guide/start"),  # belongs to the site
    page(6, SITE + "blog/news"),  # under the site, outside its include rules
    page(7, "https://old.example/page"),  # a site no longer declared
)
MIXED_AGENT = {"texts": (HOURS,), "sites": (GUIDE,)}


@pytest.mark.parametrize(
    ("prune", "expected"),
    [
        (
            "managed",
            [delink("site:" + SITE, 6), delink("text:hours", 2), delink("text:retired", 3)],
        ),
        (
            "all",
            [
                delink(None, 4),  # sorted by label: dashboard.pdf, then the page URL
                delink(None, 7),
                delink("site:" + SITE, 6),
                delink("text:hours", 2),
                delink("text:retired", 3),
            ],
        ),
        ("none", []),
    ],
)
def test_prune_modes(prune: str, expected: list) -> None:
    result = run(agent(prune=prune, **MIXED_AGENT), MIXED, max_delete="100%")
    assert rows(result) == expected
    assert not result.refusals


def test_managed_says_it_leaves_pages_of_undeclared_sites() -> None:
    result = run(agent(prune="managed", **MIXED_AGENT), MIXED, max_delete="100%")
    assert [n.message for n in result.notes] == [
        "1 linked page(s) belong to no declared site and are left linked "
        "(prune: managed; use prune: all to delink them): https://old.example/page"
    ]


@pytest.mark.parametrize(
    ("linkage", "reason", "label"),
    [
        (
            owned(2, HOURS, created_at=OLD),
            "duplicate of text:hours",
            "text:hours (linkage 2, aaaaaaaa…)",
        ),
        (
            owned_key(3, "text:retired"),
            "not declared any more",
            "text:retired (linkage 3, aaaaaaaa…)",
        ),
        (foreign(4, "dashboard.pdf"), "not declared (added outside kbsync)", "dashboard.pdf"),
        (page(6, SITE + "blog/x"), f"outside the include/exclude rules of {SITE}", SITE + "blog/x"),
        (page(7, "https://old.example/"), "page of no declared site", "https://old.example/"),
    ],
)
def test_delink_reasons_and_labels(linkage: RemoteLinkage, reason: str, label: str) -> None:
    result = run(
        agent(prune="all", **MIXED_AGENT),
        remote(owned(1, HOURS), page(5, SITE + "guide/a"), linkage),
        max_delete="100%",
    )
    (action,) = result.actions
    assert (action.kind, action.reason, action.label) == (DELINK, reason, label)
    assert action.linkage_ids == (linkage.linkage_id,)


def test_replace_reason_names_both_fingerprints() -> None:
    (action,) = run(agent(files=(FAQ_NEW,)), remote(owned(9, FAQ))).actions
    assert action.reason == "docs/faq.md changed (fingerprint aaaaaaaa… -> bbbbbbbb…)"
    assert action.asset == FAQ_NEW


def test_replace_of_failed_upload_says_so() -> None:
    want = agent(prune="none", texts=(HOURS,))
    (action,) = run(want, remote(owned(1, HOURS, state=FAILED))).actions
    assert action.reason == "hours: the last upload failed in Robofy (failed); uploading again"
    assert action.new_text == HOURS.content


def test_processing_new_version_is_noted() -> None:
    have = remote(owned(1, FAQ, created_at=OLD), owned(2, FAQ_NEW, state=PENDING))
    result = run(agent(files=(FAQ_NEW,)), have)
    assert [n.message for n in result.notes] == [
        "docs/faq.md: the new version is still processing; the older version stays linked "
        "until it is ready"
    ]


def test_replacements_happen_even_when_prune_is_none() -> None:
    result = run(agent(prune="none", files=(FAQ_NEW,)), remote(owned(1, FAQ)))
    assert rows(result) == [(REPLACE_FILE, "file:docs/faq.md", (1,))]


def test_long_keys_match_their_shortened_markers() -> None:
    deep = file("a/" * 150 + "deep.md")
    assert rows(run(agent(files=(deep,)), remote(owned(1, deep)))) == []


def test_an_added_text_carries_its_content_for_review() -> None:
    (action,) = run(agent(texts=(HOURS,)), remote()).actions
    assert (action.asset, action.new_text) == (HOURS, "We answer 9-18.")


# --- superseded versions: the end of a replacement, not a prune ---------------------------

SUPERSEDED_STATE = remote(owned(1, FAQ, created_at=OLD), owned(2, FAQ_NEW))


@pytest.mark.parametrize("prune", ["managed", "all", "none"])
@pytest.mark.parametrize("allow_delink", [True, False])
def test_an_older_version_goes_once_the_new_one_is_ready(prune: str, allow_delink: bool) -> None:
    want = agent(prune=prune, files=(FAQ_NEW,))
    result = run(want, SUPERSEDED_STATE, allow_delink=allow_delink, max_delete="0")
    assert rows(result) == [delink("file:docs/faq.md", 1)]
    (action,) = result.actions
    assert action.superseded
    assert action.reason == (
        "older version of file:docs/faq.md (fingerprint aaaaaaaa…); the new one is ready"
    )
    assert result.refusals == ()  # not a prune: --max-delete 0 does not refuse it
    assert result.notes == ()


def test_duplicates_of_the_same_version_follow_the_prune_mode() -> None:
    have = remote(owned(1, HOURS, created_at=OLD), owned(2, HOURS))
    assert rows(run(agent(prune="none", texts=(HOURS,)), have)) == []
    watched = run(agent(texts=(HOURS,)), have, allow_delink=False)
    assert rows(watched) == []
    assert [n.message for n in watched.notes] == [
        "would delink text:hours (linkage 1, aaaaaaaa…) (duplicate of text:hours); run with --prune"
    ]
    (action,) = run(agent(texts=(HOURS,)), have).actions
    assert not action.superseded


def test_an_unfinished_older_version_waits_while_the_new_one_processes() -> None:
    have = remote(owned(1, FAQ, state=FAILED, created_at=OLD), owned(2, FAQ_NEW, state=PENDING))
    assert rows(run(agent(prune="none", files=(FAQ_NEW,)), have)) == []
    # managed: a failed copy holds no content, so it goes even while the new one processes
    (failed,) = run(agent(files=(FAQ_NEW,)), have).actions
    assert (failed.linkage_ids, failed.holds_no_content) == ((1,), True)
    # once the new version is ready, the failed old one goes as a superseded version
    ready = remote(owned(1, FAQ, state=FAILED, created_at=OLD), owned(2, FAQ_NEW))
    (action,) = run(agent(files=(FAQ_NEW,)), ready).actions
    assert (action.linkage_ids, action.superseded) == ((1,), True)
