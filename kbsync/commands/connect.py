"""Where the remote commands talk to: a real Robofy project or the sandbox."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from kbsync.robofy.api import RobofyApi


class Connection(NamedTuple):
    """Where the commands talk to: a real Robofy project or the sandbox."""

    sandbox: bool
    base_url: str | None = None
    parallelism: int = 8
    rate_limit_budget: float = 600.0  # seconds (--rate-limit-budget)


def open_api(
    connection: Connection,
    manifest_path: Path,
    project: int,
    env: Mapping[str, str],
    *,
    statuses: Mapping[str, str] | None = None,
) -> RobofyApi:
    """``statuses``: the manifest's `api:` section (Robofy status -> ready/pending/failed)."""
    if connection.sandbox:
        from kbsync.sandbox.connect import open_sandbox_client

        return open_sandbox_client(
            manifest_path, project, parallelism=connection.parallelism, statuses=statuses
        )
    from kbsync.robofy.client import client_from_env

    return client_from_env(
        env,
        project,
        base_url=connection.base_url,
        parallelism=connection.parallelism,
        rate_limit_budget=connection.rate_limit_budget,
        statuses=statuses,
    )
