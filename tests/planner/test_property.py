"""Property: a remote state built FROM the desired state (every item present exactly once,
owned markers, ready, recently crawled) plans to nothing, whatever the prune mode."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from kbsync.model import (
    FILE,
    TEXT,
    DesiredAgent,
    DesiredAsset,
    DesiredSite,
    RemoteAgentState,
    Scalar,
)

from .builders import RECENT, agent, desired, inventory, owned, page, remote, run

names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60)
fingerprints = st.text("0123456789abcdef", min_size=64, max_size=64)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(-10, 10, allow_nan=False).map(lambda f: round(f, 3)),
    st.text(max_size=20),
)
hosts = st.sampled_from(["docs.acme.example", "help.acme.example", "b.example:8443"])


@st.composite
def assets(draw: st.DrawFn, kind: str) -> tuple[DesiredAsset, ...]:
    keys = draw(st.lists(names, max_size=6, unique=True))
    prefix = "text" if kind == TEXT else "file"
    return tuple(
        DesiredAsset(f"{prefix}:{k}", kind, draw(fingerprints), 1, k, content="c") for k in keys
    )


@st.composite
def sites(draw: st.DrawFn) -> tuple[DesiredSite, ...]:
    urls = draw(st.lists(hosts, max_size=3, unique=True))
    return tuple(
        DesiredSite(
            f"site:https://{h}/",
            f"https://{h}/",
            include=draw(st.sampled_from([(), (f"https://{h}/*",)])),
            recrawl_seconds=draw(st.sampled_from([None, 86400.0 * 7])),
        )
        for h in urls
    )


@st.composite
def agents(draw: st.DrawFn, key: str) -> DesiredAgent:
    return agent(
        key,
        f"Agent {key}",
        prompt=draw(st.one_of(st.none(), st.text(max_size=80))),
        settings=draw(st.dictionaries(st.sampled_from(["tone", "temperature", "x"]), scalars)),
        persona=draw(
            st.one_of(st.none(), st.dictionaries(st.sampled_from(["name", "s"]), scalars))
        ),
        prune=draw(st.sampled_from(["managed", "all", "none"])),
        texts=draw(assets(TEXT)),
        files=draw(assets(FILE)),
        sites=draw(sites()),
    )


def wire(value: Scalar) -> Scalar:
    """How Robofy might hand a value back: numbers and booleans sometimes as strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def mirror(want: DesiredAgent, chatbot_id: str, rng: random.Random) -> RemoteAgentState:
    linkages = [owned(i, a) for i, a in enumerate(want.assets, start=1)]
    linkages += [page(500 + i, s.url + "page", RECENT) for i, s in enumerate(want.sites)]
    rng.shuffle(linkages)
    return remote(
        *linkages,
        chatbot_id=chatbot_id,
        name=want.name,
        prompt=(want.prompt or "") + "\n",
        settings={k: wire(v) for k, v in want.settings.items()},
        persona=None if want.persona is None else dict(want.persona),
    )


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from("abcde"), min_size=1, max_size=3, unique=True).flatmap(
        lambda keys: st.tuples(*(agents(k) for k in keys))
    ),
    st.randoms(use_true_random=False),
)
def test_mirrored_state_plans_to_nothing(
    wants: tuple[DesiredAgent, ...], rng: random.Random
) -> None:
    have = inventory(**{w.key: mirror(w, f"cb-{w.key}", rng) for w in wants})
    result = run(desired(*wants), have)
    assert result.actions == ()
    assert result.refusals == ()
    assert result.agent_ids == {w.key: f"cb-{w.key}" for w in wants}
