"""Convergence and idempotence: apply, then plan again: no changes, every item exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbsync import markers
from kbsync.model import DONE, DesiredAsset
from tests.executor.helpers import World, agent, desired, file, marker, site, text


def _assert_once_each(world: World, assets: list[DesiredAsset]) -> None:
    names = Counter(world.linked_names())
    for asset in assets:
        assert names[marker(asset)] == 1, asset.source_key


def test_a_new_agent_with_everything_converges(
    any_world: World, tmp_path: Path, dialect: str
) -> None:
    world = any_world
    texts = [text("hours", "Monday to Friday"), text("refund", "30 days, no questions")]
    files = [file(tmp_path, "docs/faq.md", "# FAQ\n"), file(tmp_path, "docs/a b.txt", "x")]
    support = agent(
        "support",
        texts=texts,
        files=files,
        sites=[site("https://docs.acme.example/", max_pages=6)],
        prompt="Be kind.",
        settings={"tone": "Professional And Friendly", "temperature": 0.3},
        persona={"name": "Ava", "style": "concise"},
    )
    want = desired(support, agent("sales", texts=[text("pricing", "cheap")]), root=tmp_path)

    result = world.apply(want)

    assert [o for o in result.outcomes if o.status != DONE] == []
    assert world.plan(want).actions == ()
    _assert_once_each(world, [*texts, *files, *want.agents[1].texts])
    pages = [lk for lk in world.linked() if lk["asset_type"] == "url"]
    assert 0 < len(pages) <= 6
    agents = {a["name"]: a for a in world.state()["agents"]}
    cid = agents["Agent support"]["chatbot_id"]
    assert world.state()["settings"][cid]["system_prompt_text"] == "Be kind."
    assert world.state()["personas"][cid] == {"name": "Ava", "style": "concise"}


def test_a_second_apply_sends_no_write(any_world: World, tmp_path: Path, dialect: str) -> None:
    world = any_world
    want = desired(
        agent(
            texts=[text("a", "1"), text("b", "2")],
            files=[file(tmp_path, "f.md", "# f")],
            sites=[site("https://docs.acme.example/", max_pages=4)],
            prompt="p",
            settings={"tone": "Casual"},
            persona={"name": "Bo"},
        ),
        root=tmp_path,
    )
    assert not world.apply(want).failed
    writes = world.writes()

    second = world.apply(want)

    assert second.outcomes == ()
    assert world.writes() == writes


def test_changed_and_removed_items_converge(world: World, tmp_path: Path) -> None:
    world.apply(desired(agent(texts=[text("a", "old"), text("b", "gone soon"), text("c", "same")])))
    now = [text("a", "new"), text("c", "same"), text("d", "added")]
    want = desired(agent(texts=now))

    result = world.apply(want)

    assert not result.failed, result
    assert world.plan(want).actions == ()
    _assert_once_each(world, now)
    assert len(world.linked()) == 3


# --- generated desired sets and starting states ------------------------------------------

NAMES = st.sampled_from(["hours", "refund", "faq", "help me", "ünïcode", "x" * 150])
CONTENTS = st.sampled_from(["one", "two", "three"])
# copies already linked: the same contents (duplicates), others (stale), failed processing
EXISTING = st.sampled_from(["one", "two", "four", "EMULATOR_FAIL_PROCESSING"])


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, list[str]], list[str], bool]:
    wanted = draw(st.dictionaries(NAMES, CONTENTS, max_size=4))
    # what is already linked before the apply: per key, the contents of owned copies
    existing = draw(st.dictionaries(NAMES, st.lists(EXISTING, min_size=1, max_size=3)))
    foreign = draw(st.lists(st.sampled_from(["notes.txt", "manual.pdf", "x"]), max_size=2))
    crawl_started = draw(st.booleans())
    return wanted, existing, foreign, crawl_started


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(scenarios(), st.sampled_from(["managed", "all"]))
def test_generated_states_converge(
    dialect: str,  # first: @given fills the last two parameters
    scenario: tuple[dict[str, str], dict[str, list[str]], list[str], bool],
    prune: str,
) -> None:
    wanted, existing, foreign, crawl_started = scenario
    world = World(dialect=dialect)
    docs = site("https://docs.acme.example/", max_pages=8)
    texts = [text(name, content) for name, content in sorted(wanted.items())]
    want = desired(agent(texts=texts, sites=[docs], prune=prune))
    cid = world.api.create_agent({"name": "Agent support", "language": "en"})
    for name, contents in existing.items():  # owned copies: duplicates, stale versions
        for content in contents:
            old = text(name, content)
            world.api.add_text(cid, markers.encode(old.source_key, old.fingerprint), content)
    for name in foreign:  # added on the dashboard: no marker
        world.api.add_text(cid, name, "dashboard text")
    world.sleep(1.0)  # the starting state has finished processing
    if crawl_started:  # a crawl half done when the plan is made
        world.api.crawl(cid, docs)
        world.sleep(0.3)

    first = world.apply(want, max_delete="100%")

    assert not first.failed, first
    assert world.plan(want, max_delete="100%").actions == ()
    _assert_once_each(world, texts)
    names = Counter(world.linked_names())
    owned = [n for n in names if markers.parse(n) is not None]
    assert len(owned) == len(texts)
    text_linkages = [lk for lk in world.linked() if lk["asset_type"] == "text"]
    expected_foreign = 0 if prune == "all" else len(foreign)
    assert len(text_linkages) == len(texts) + expected_foreign
    pages = [n for n in names if n.startswith("https://")]
    assert pages and all(names[p] == 1 for p in pages)
    assert len(world.state()["crawl_runs"]) == 1  # a running crawl is waited for, not repeated
    world.close()
