"""``--sandbox``: an in-process Robofy emulator instead of a real account.

The store lives in ``.kbsync/sandbox.sqlite`` beside the manifest, so a second
run sees what the first one made. No API key is needed or read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kbsync.desired.paths import state_folder
from kbsync.errors import ConfigError
from kbsync.safefiles import NotRegularFile, refuse_link_or_special

if TYPE_CHECKING:
    from kbsync.robofy.client import RobofyClient

# Not a secret: it only opens the local sandbox store.
SANDBOX_KEY = "kbsync-sandbox"
SANDBOX_BASE_URL = "http://sandbox.kbsync.invalid"
SQLITE_COMPANIONS = ("-journal", "-wal", "-shm")


def sandbox_store(manifest_path: Path) -> Path:
    return manifest_path.resolve().parent / ".kbsync" / "sandbox.sqlite"


def sandbox_banner(manifest_path: Path) -> str:
    store = sandbox_store(manifest_path)
    try:
        shown = store.relative_to(Path.cwd())
    except ValueError:
        shown = store
    return f"sandbox: using the local Robofy emulator ({shown}); no Robofy account is touched."


def _refuse_links(store: Path) -> None:
    """SQLite opens its files by name and follows links: the store and its journal
    files must be regular files of ours (or not exist yet)."""
    for path in (store, *(store.with_name(store.name + s) for s in SQLITE_COMPANIONS)):
        try:
            refuse_link_or_special(path)
        except NotRegularFile as e:
            raise ConfigError(
                f"{path} is {e.strerror}; the sandbox never writes through it: remove it"
            ) from None


def open_sandbox_client(
    manifest_path: Path,
    project_id: int,
    *,
    parallelism: int,
    statuses: Mapping[str, str] | None = None,
) -> RobofyClient:
    store = sandbox_store(manifest_path)
    if state_folder(store.parent.parent) is None:
        raise ConfigError(
            f"{store.parent} is a symlink or a file; the sandbox keeps its store in that "
            "folder and never writes through a link: remove it"
        )
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(f"cannot write {store.parent}: {e.strerror or e}") from None
    _refuse_links(store)
    # imported here, not at the top: every command prints the banner, only the sandbox
    # needs the emulator and sqlite3 (kbsync plan against an account loads neither)
    import sqlite3

    import httpx

    from kbsync.emulator import EmulatorConfig, create_app
    from kbsync.robofy.client import RobofyClient

    try:
        app = create_app(EmulatorConfig(db_path=str(store), api_keys={SANDBOX_KEY: (project_id,)}))
    except sqlite3.Error as e:
        raise ConfigError(f"cannot open the sandbox store {store}: {e}") from None
    transport = httpx.WSGITransport(app=app)
    return RobofyClient(
        SANDBOX_KEY,
        project_id,
        SANDBOX_BASE_URL,
        transport=transport,
        parallelism=parallelism,
        statuses=statuses,
    )
