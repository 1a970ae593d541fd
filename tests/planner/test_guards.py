"""Guards: --max-delete N / P%, the default half rule, the single-asset exception,
empty expansions, and watch mode without --prune."""

from __future__ import annotations

from typing import Any

import pytest

from kbsync.errors import ConfigError
from kbsync.model import DELINK, REPLACE_FILE, DesiredAgent, RemoteLinkage

from .builders import (
    FP_B,
    agent,
    desired,
    file,
    foreign,
    inventory,
    owned,
    owned_key,
    remote,
    run,
    text,
)

KEEP = text("keep")


def state_with(kept: int, gone: int) -> list[RemoteLinkage]:
    """``kept`` linked assets that stay declared, ``gone`` that are no longer declared."""
    stay = [owned(i, text(f"keep{i}")) for i in range(kept)]
    return stay + [owned_key(100 + i, f"text:gone{i}") for i in range(gone)]


def keep_agent(kept: int, **kwargs: Any) -> DesiredAgent:
    return agent(texts=tuple(text(f"keep{i}") for i in range(kept)), **kwargs)


@pytest.mark.parametrize(
    ("kept", "gone", "max_delete", "refused"),
    [
        (2, 2, None, False),  # exactly half: allowed
        (1, 2, None, True),  # more than half
        (0, 1, None, False),  # a single asset, even all of them
        (0, 2, None, True),  # all of two
        (1, 2, "100%", False),
        (1, 2, "66%", True),
        (1, 2, "67%", False),
        (1, 2, "2", False),
        (1, 2, "1", True),
        (5, 1, "0", True),
        (5, 0, "0", False),
        (9, 1, "0%", True),
    ],
)
def test_max_delete(kept: int, gone: int, max_delete: str | None, refused: bool) -> None:
    result = run(keep_agent(kept), remote(*state_with(kept, gone)), max_delete=max_delete)
    assert sum(a.kind == DELINK for a in result.actions) == gone  # actions stay, for review
    assert bool(result.refusals) == refused


def test_default_refusal_message() -> None:
    result = run(keep_agent(1), remote(*state_with(1, 2)))
    assert result.refusals == (
        "agent 'support': the plan would delink 2 of its 3 linked assets, more than half "
        "(the default --max-delete) allows; review the plan and pass --max-delete "
        "(e.g. --max-delete 100%) to go ahead",
    )


def test_max_delete_n_is_per_agent() -> None:
    want = desired(keep_agent(4, key="a", name="A"), keep_agent(4, key="b", name="B"))
    have = inventory(
        a=remote(*state_with(4, 1), name="A"), b=remote(*state_with(4, 2), name="B", chatbot_id="2")
    )
    assert run(want, have, max_delete="2").refusals == ()  # 1 and 2: each within 2
    assert run(want, have, max_delete="1").refusals == (
        "agent 'b': the plan would delink 2 of its 6 linked assets, more than --max-delete 1 "
        "allows; review the plan and pass --max-delete (e.g. --max-delete 100%) to go ahead",
    )


def test_percent_is_per_agent() -> None:
    want = desired(keep_agent(1, key="a", name="A"), keep_agent(9, key="b", name="B"))
    have = inventory(
        a=remote(*state_with(1, 1), name="A"), b=remote(*state_with(9, 1), name="B", chatbot_id="2")
    )
    (refusal,) = run(want, have, max_delete="20%").refusals
    assert refusal.startswith("agent 'a': the plan would delink 1 of its 2 linked assets")


def test_replacements_are_not_deletions() -> None:
    files = [file(f"d{i}.md") for i in range(3)]
    want = agent(files=tuple(f._replace(fingerprint=FP_B) for f in files))
    result = run(want, remote(*(owned(i, f) for i, f in enumerate(files))), max_delete="0")
    assert [a.kind for a in result.actions] == [REPLACE_FILE] * 3
    assert result.refusals == ()


@pytest.mark.parametrize("prune", ["managed", "all"])
def test_empty_expansion_refuses_to_delink(prune: str) -> None:
    want = agent(declares_knowledge=True, prune=prune)  # e.g. files: docs/ matched nothing
    have = remote(owned_key(1, "file:docs/a.md"), owned_key(2, "file:docs/b.md"), foreign(3))
    result = run(want, have, max_delete="100%")
    assert result.refusals == (
        "agent 'support' declares knowledge but it expanded to nothing (an empty docs folder "
        f"or a mistyped path?); refusing to delink {2 if prune == 'managed' else 3} of its "
        "linked assets",
    )


def test_agent_without_knowledge_may_prune() -> None:
    want = agent(declares_knowledge=False)
    result = run(want, remote(owned_key(1, "file:docs/a.md")))
    assert [a.kind for a in result.actions] == [DELINK]
    assert result.refusals == ()


def test_empty_expansion_without_delinks_is_fine() -> None:
    assert run(agent(declares_knowledge=True), remote(foreign(1))).refusals == ()


def test_watch_without_prune_notes_instead_of_delinking() -> None:
    want = agent(texts=(KEEP,), files=(file("f.md", FP_B),))
    have = remote(owned(1, KEEP), owned(2, file("f.md")), owned_key(3, "text:old"))
    result = run(want, have, allow_delink=False)
    assert [(a.kind, a.source_key) for a in result.actions] == [(REPLACE_FILE, "file:f.md")]
    assert [n.message for n in result.notes] == [
        "would delink text:old (linkage 3, aaaaaaaa…) (not declared any more); run with --prune"
    ]
    assert result.refusals == ()


@pytest.mark.parametrize("bad", ["ten", "-1", "1.5", "50%%", ""])
def test_bad_max_delete_is_a_config_error(bad: str) -> None:
    with pytest.raises(ConfigError, match="--max-delete must be"):
        run(agent(), remote(), max_delete=bad)
