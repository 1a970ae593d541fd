"""Under injected 5xx, 429 and drop-after-commit, every add lands exactly once."""

from __future__ import annotations

import logging
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from kbsync.errors import UncertainWriteError
from kbsync.model import DesiredSite
from kbsync.robofy.client import RobofyClient
from tests.robofy.conftest import emulator_robofy

Robofy = tuple[RobofyClient, Any]


def _add_all(client: RobofyClient, cid: str, names: list[str]) -> list[str]:
    """Add every name in parallel; return those whose outcome stayed unknown."""

    def add(name: str) -> str | None:
        try:
            client.add_text(cid, name, f"content of {name}")
        except UncertainWriteError:
            return name
        return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        return [name for name in pool.map(add, names) if name is not None]


def _converge(client: RobofyClient, cid: str, names: list[str]) -> int:
    """What a second apply does: add only what is missing. Returns the number of passes."""
    missing = _add_all(client, cid, names)
    passes = 1
    while missing and passes < 3:
        present = {link.asset_name for link in client.list_linkages(cid)}
        missing = _add_all(client, cid, [n for n in names if n not in present])
        passes += 1
    return passes


def _names_stored(app: Any, cid: str) -> Counter[str]:
    """Every linkage ever made for the agent (delinked ones too): duplicates would show."""
    return Counter(
        link["asset_name"] for link in app.state()["linkages"] if link["chatbot_id"] == cid
    )


def test_5xx_and_drops_never_duplicate(robofy: Robofy) -> None:
    client, app = robofy
    cid = client.create_agent({"name": "Faulty", "language": "en"})
    app.set_faults(fail_rate=0.1, drop_after_commit_rate=0.1, seed=7)
    names = [f"kb~doc-{i:03d}.md" for i in range(80)]
    assert _converge(client, cid, names) <= 2
    app.set_faults(fail_rate=0.0, drop_after_commit_rate=0.0)
    stored = _names_stored(app, cid)
    assert stored == Counter(names)  # each exactly once, nothing else
    requests = app.state()["requests"]["by_route"]
    assert requests["POST /v1/ai-agent/link_content/{pid}"] > len(names)  # faults really hit


def test_rate_limit_with_all_faults_never_duplicates(
    emulator_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Real pauses: Retry-After is whole seconds of wall time, so keep this one small."""
    app = emulator_app
    caplog.set_level(logging.INFO, logger="kbsync.robofy")
    with emulator_robofy(app, parallelism=4, sleep=time.sleep) as client:
        cid = client.create_agent({"name": "Limited", "language": "en"})
        app.set_faults(rate_limit_rps=25, fail_rate=0.1, drop_after_commit_rate=0.05, seed=3)
        names = [f"kb~page-{i:02d}.md" for i in range(40)]
        assert _converge(client, cid, names) <= 2
        app.set_faults(rate_limit_rps=0, fail_rate=0.0, drop_after_commit_rate=0.0)
        assert _names_stored(app, cid) == Counter(names)
    assert "rate limited (429); pausing all requests" in caplog.text


def test_crawl_under_drops_starts_at_most_one_run(
    emulator_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = emulator_app
    caplog.set_level(logging.INFO, logger="kbsync.robofy")
    with emulator_robofy(app, sleep=lambda s: None) as client:
        for seed in range(8):
            cid = client.create_agent({"name": f"Crawl {seed}", "language": "en"})
            app.set_faults(drop_after_commit_rate=0.4, fail_rate=0.2, seed=seed)
            site = DesiredSite("site:https://ex.test/", "https://ex.test/", max_pages=3)
            try:
                run_id: str | None = client.crawl(cid, site).run_id
            except UncertainWriteError:
                run_id = None
            app.set_faults(drop_after_commit_rate=0.0, fail_rate=0.0)
            runs = [r["run_id"] for r in app.state()["crawl_runs"] if r["chatbot_id"] == cid]
            assert len(runs) <= 1
            assert run_id is None or runs == [run_id]
    assert "outcome unknown" in caplog.text  # the uncertain path really ran


def test_create_agent_under_drops_creates_at_most_one(
    emulator_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = emulator_app
    caplog.set_level(logging.INFO, logger="kbsync.robofy")
    with emulator_robofy(app, sleep=lambda s: None) as client:
        for seed in range(8):
            app.set_faults(drop_after_commit_rate=0.4, fail_rate=0.2, seed=seed)
            try:
                cid: str | None = client.create_agent({"name": f"Once {seed}", "language": "en"})
            except UncertainWriteError:
                cid = None
            app.set_faults(drop_after_commit_rate=0.0, fail_rate=0.0)
            ids = [a["chatbot_id"] for a in app.state()["agents"] if a["name"] == f"Once {seed}"]
            assert len(ids) <= 1
            assert cid is None or ids == [cid]
    assert "outcome unknown" in caplog.text


def test_delink_under_drops_is_idempotent(robofy: Robofy) -> None:
    client, app = robofy
    cid = client.create_agent({"name": "Delinks", "language": "en"})
    ids = [client.add_text(cid, f"t{i}.md", "x").linkage_id for i in range(30)]
    app.set_faults(drop_after_commit_rate=0.3, fail_rate=0.1, seed=11)
    done = [i for batch in (ids[:10], ids[10:20], ids[20:]) for i in client.delink(cid, batch)]
    app.set_faults(drop_after_commit_rate=0.0, fail_rate=0.0)
    assert done == ids
    assert client.list_linkages(cid) == []
