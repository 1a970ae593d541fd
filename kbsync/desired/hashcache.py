"""sha256 of files, read in chunks, in a thread pool, remembered across runs.

The cache lives in ``<manifest folder>/.kbsync/hashcache.json`` and maps a file's
path (relative to the manifest) to the (size, mtime_ns, inode) it had when hashed
and the resulting sha256. An entry is trusted only while all three still match, and
never when the file changed too close to the moment it was hashed (a later write in
the same timestamp tick would go unnoticed). A cache that cannot be read is ignored;
one that cannot be written is skipped: it only ever saves time.

Every file read for hashing is searched for the Robofy API key in the same pass (a
docs file holding it must not be uploaded). A remembered hash stands for "read and
found clean" only for the key it was searched for, so the cache carries a salted,
truncated digest of that key (never the key): another key means everything is read
again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from kbsync.atomic import write_atomically
from kbsync.desired.paths import state_folder
from kbsync.manifest.secrets import KEY_FOUND_REASON
from kbsync.safefiles import open_regular

CACHE_DIR = ".kbsync"
CACHE_FILE = "hashcache.json"
CACHE_VERSION = 2  # 2: entries are only valid for the key_check they were scanned for
CHUNK = 1024 * 1024
_RACY_NS = 100_000_000  # 100 ms: the file changed while (or just before) it was hashed
_COARSE_RACY_NS = 2_000_000_000  # a whole-second mtime: the filesystem may be coarse


class FileStat(NamedTuple):
    rel: str  # posix path relative to the manifest folder
    path: str  # absolute, as the file walk found it (a Path only at upload)
    size: int
    mtime_ns: int
    inode: int


def stat_file(rel: str, path: Path) -> FileStat:
    st = path.stat()
    return FileStat(rel, str(path), st.st_size, st.st_mtime_ns, st.st_ino)


class KeyFound(Exception):
    """The file holds the secret searched for: it must not be uploaded."""


def sha256_file(path: str | Path, secret: bytes | None = None) -> str:
    """Hash a regular file in chunks into one reused buffer: memory stays flat for any
    size. With ``secret``, KeyFound when the bytes contain it (across chunk borders too)."""
    buffer, view = _buffer()
    digest = hashlib.sha256()
    tail = b""  # the end of the previous chunk, for a secret split across two
    with open_regular(path) as f:
        while count := f.readinto(buffer):  # type: ignore[attr-defined]
            digest.update(view[:count])
            if secret and _holds(secret, tail, buffer, count):
                raise KeyFound(str(path))
            tail = bytes(view[max(0, count - len(secret or b"") + 1) : count])
    return digest.hexdigest()


def _holds(secret: bytes, tail: bytes, buffer: bytearray, count: int) -> bool:
    if buffer.find(secret, 0, count) != -1:
        return True
    return bool(tail) and secret in tail + bytes(buffer[: len(secret) - 1])


def key_check(secret: bytes | None, salt: str) -> str:
    """A salted, truncated digest telling which key files were searched for; it cannot
    be turned back into the key."""
    return hashlib.sha256(salt.encode() + b"\0" + (secret or b"")).hexdigest()[:16]


_buffers = threading.local()


def _buffer() -> tuple[bytearray, memoryview]:
    """This thread's read buffer, allocated once: a fresh zeroed megabyte per file cost
    more than hashing the typical small docs page."""
    if not hasattr(_buffers, "buffer"):
        _buffers.buffer = bytearray(CHUNK)
        _buffers.view = memoryview(_buffers.buffer)
    return _buffers.buffer, _buffers.view


class HashCache:
    """Hashes files, trusting remembered hashes of unchanged files."""

    def __init__(self, root: Path, *, enabled: bool = True, secret: bytes | None = None) -> None:
        folder = state_folder(root)  # None: .kbsync is a link; never write through it
        self.file = (folder or root / CACHE_DIR) / CACHE_FILE
        self.enabled = enabled and folder is not None
        self.hits = 0  # hashes answered from the cache
        self.misses = 0  # files actually read
        self.secret = secret
        self._salt = secrets.token_hex(8)
        self._old = self._load() if enabled else {}
        self._new: dict[str, list[object]] = {}

    def hash_files(self, files: Iterable[FileStat]) -> tuple[dict[str, str], dict[str, str]]:
        """(rel path -> sha256, rel path -> why it could not be read); reads only what
        the cache cannot answer."""
        result: dict[str, str] = {}
        failures: dict[str, str] = {}
        todo: list[FileStat] = []
        for f in files:
            cached = self._lookup(f)
            if cached is None:
                todo.append(f)
            else:
                result[f.rel] = cached
        self.hits += len(result)
        self.misses += len(todo)
        started_ns = time.time_ns()  # before any read: what a racy write must precede
        for f, digest in zip(todo, _hash_all(todo, self.secret), strict=True):
            if isinstance(digest, KeyFound):
                failures[f.rel] = f"{f.rel} {KEY_FOUND_REASON}"
                continue
            if isinstance(digest, OSError):
                failures[f.rel] = f"cannot read {f.rel}: {digest.strerror or digest}"
                continue
            result[f.rel] = digest
            self._remember(f, digest, started_ns)
        return result, failures

    def save(self) -> None:
        """Write the entries used in this run, atomically; only when something changed."""
        if not self.enabled or self._new == self._old:
            return
        with contextlib.suppress(OSError):
            self.file.parent.mkdir(exist_ok=True)
            check = key_check(self.secret, self._salt)
            header = {"version": CACHE_VERSION, "salt": self._salt, "key_check": check}
            document = {**header, "files": self._new}
            write_atomically(self.file, json.dumps(document, separators=(",", ":")))

    def _lookup(self, f: FileStat) -> str | None:
        entry = self._old.get(f.rel)
        if entry is None or entry[:3] != [f.size, f.mtime_ns, f.inode]:
            return None
        digest = entry[3]
        if not isinstance(digest, str):
            return None
        self._new[f.rel] = entry
        return digest

    def _remember(self, f: FileStat, digest: str, read_at_ns: int) -> None:
        window = _COARSE_RACY_NS if f.mtime_ns % 1_000_000_000 == 0 else _RACY_NS
        if read_at_ns - f.mtime_ns > window:  # a later write would change the mtime
            self._new[f.rel] = [f.size, f.mtime_ns, f.inode, digest]

    def _load(self) -> dict[str, list[object]]:
        try:  # a link or a pipe is not read; nesting too deep for json is corrupt too
            with open_regular(self.file, follow_links=False) as f:
                data = json.loads(f.read().decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return {}
        salt = data.get("salt")
        if not isinstance(salt, str) or data.get("key_check") != key_check(self.secret, salt):
            return {}  # searched for another key (or none): read everything again
        self._salt = salt
        files = data.get("files")
        if not isinstance(files, dict):
            return {}
        return {k: v for k, v in files.items() if isinstance(v, list) and len(v) == 4}


Hashed = str | OSError | KeyFound


def _hash_or_error(path: str, secret: bytes | None) -> Hashed:
    try:
        return sha256_file(path, secret)
    except (OSError, KeyFound) as e:
        return e


def _hash_all(files: list[FileStat], secret: bytes | None) -> list[Hashed]:
    if len(files) < 4:
        return [_hash_or_error(f.path, secret) for f in files]
    # imported here: a warm run (kbsync validate as a pre-commit hook) hashes nothing, and
    # concurrent.futures with logging costs it 10-20 ms of start-up
    from concurrent.futures import ThreadPoolExecutor

    workers = min(8, os.cpu_count() or 2)  # more threads than cores only fight over the GIL
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kbsync-hash") as pool:
        return list(pool.map(_hash_or_error, (f.path for f in files), [secret] * len(files)))
