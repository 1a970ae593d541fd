"""One apply at a time per manifest folder on this machine: an advisory lock file.

``.kbsync/apply.lock`` beside the manifest is held (``flock``) from before the remote
state is read until the apply has finished, so a second apply started at the same
moment waits, then plans from the state the first one left instead of uploading
everything a second time. The kernel releases the lock when its process ends, even
by SIGKILL, so a crash never leaves a stale lock behind.

It protects one machine only. Two machines applying the same manifest at once can
upload an item twice; the next apply delinks the extra copy (the planner's duplicate
rule), and CI should serialize deploys with a concurrency group (see
docs/contributing/reliability.md). Where ``flock`` does not exist (Windows), the folder is
read-only or ``.kbsync`` is a symlink (never written through), apply runs unlocked.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TextIO

from kbsync.errors import ConfigError
from kbsync.paths import state_folder
from kbsync.safefiles import NotRegularFile, open_state_file

LOCK_FILE = "apply.lock"


@contextmanager
def apply_lock(manifest_path: Path, notice: TextIO) -> Iterator[None]:
    """Hold the manifest folder's apply lock; say so on ``notice`` when we have to wait."""
    folder = state_folder(manifest_path.resolve().parent)
    handle = None if folder is None else _open_lock_file(folder / LOCK_FILE)
    if handle is None:
        yield
        return
    with handle:
        if not _lock(handle, wait=False):
            notice.write("Waiting for another kbsync apply of this manifest to finish...\n")
            notice.flush()
            _lock(handle, wait=True)
        yield


def _open_lock_file(path: Path) -> IO[bytes] | None:
    if sys.platform == "win32":
        return None
    try:
        path.parent.mkdir(exist_ok=True)
        return open_state_file(path)  # never through a link, not even a dangling one
    except NotRegularFile as e:
        raise ConfigError(
            f"{path} is {e.strerror}; kbsync never writes through it: remove it"
        ) from None
    except OSError:  # a read-only checkout: better unlocked than not at all
        return None


def _lock(handle: IO[bytes], *, wait: bool) -> bool:
    """True when we hold the lock; False when another process does (only if not waiting)."""
    if sys.platform == "win32":
        return True
    import fcntl

    try:
        fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
