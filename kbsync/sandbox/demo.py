"""``kbsync import --sandbox --seed-demo``: put the emulator's demo agent in the sandbox store.

The demo agent is made the way a person makes one in the dashboard (no kbsync
markers), so importing it shows what adopting an existing bot looks like.
"""

from __future__ import annotations

from pathlib import Path

from kbsync.emulator import EmulatorConfig, create_app
from kbsync.sandbox.connect import SANDBOX_KEY, sandbox_store

DEMO_AGENT_NAME = "Demo Support Bot"


def seed_sandbox_demo(manifest_path: Path, project_id: int) -> bool:
    """Seed the demo agent beside ``manifest_path`` unless it is there; True when created."""
    store = sandbox_store(manifest_path)
    store.parent.mkdir(parents=True, exist_ok=True)
    app = create_app(EmulatorConfig(db_path=str(store), api_keys={SANDBOX_KEY: (project_id,)}))
    try:
        agents = app.state()["agents"]
        if any(a["name"] == DEMO_AGENT_NAME and a["project_id"] == project_id for a in agents):
            return False
        app.seed_demo(project_id)
        return True
    finally:
        app.close()
