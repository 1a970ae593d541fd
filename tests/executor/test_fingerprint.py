"""remote_fingerprint: changes with what a plan depends on, not with transient states."""

from __future__ import annotations

from kbsync.remote.inventory import read_inventory, remote_fingerprint
from tests.executor.helpers import World, agent, desired, marker, text


def test_a_state_change_alone_keeps_it() -> None:
    world = World(processing_seconds=5.0)
    want = desired(agent(texts=[text("a", "1")]))
    assert not world.apply(want, wait=False).failed
    pending = read_inventory(world.api, want)
    world.sleep(10)  # Processing -> Active

    ready = read_inventory(world.api, want)

    assert [lk.state for lk in pending.states["support"].linkages] == ["pending"]
    assert [lk.state for lk in ready.states["support"].linkages] == ["ready"]
    assert remote_fingerprint(ready) == remote_fingerprint(pending)


def test_what_the_plan_depends_on_changes_it(world: World) -> None:
    want = desired(agent(texts=[text("a", "1")], prompt="p", persona={"name": "Ava"}))
    assert not world.apply(want).failed
    base = remote_fingerprint(read_inventory(world.api, want))
    cid = world.state()["agents"][0]["chatbot_id"]
    prints = []

    world.api.update_prompt(cid, "another prompt")
    prints.append(remote_fingerprint(read_inventory(world.api, want)))
    world.api.update_persona(cid, {"name": "Bo"})
    prints.append(remote_fingerprint(read_inventory(world.api, want)))
    world.api.add_text(cid, "dashboard.txt", "added by hand")
    prints.append(remote_fingerprint(read_inventory(world.api, want)))
    world.api.create_agent({"name": "a new colleague", "language": "en"})
    prints.append(remote_fingerprint(read_inventory(world.api, want)))

    assert len({base, *prints}) == 5
    assert marker(want.agents[0].texts[0]) in world.linked_names()
