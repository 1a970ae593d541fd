"""Hashing reuses one buffer per thread: a small file after a large one hashes its own bytes."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kbsync.desired.hashcache import HashCache, sha256_file, stat_file


def test_small_file_after_large_file(tmp_path: Path) -> None:
    large, small = tmp_path / "large.pdf", tmp_path / "small.md"
    large.write_bytes(b"L" * (3 * 1024 * 1024 + 17))
    small.write_bytes(b"tiny")
    assert sha256_file(large) == hashlib.sha256(large.read_bytes()).hexdigest()
    assert sha256_file(small) == hashlib.sha256(b"tiny").hexdigest()


def test_many_files_in_the_pool_each_get_their_own_hash(tmp_path: Path) -> None:
    files = []
    for i in range(40):
        path = tmp_path / f"page-{i}.md"
        path.write_bytes(bytes([i]) * (i * 50_000 + 1))
        files.append(stat_file(path.name, path))
    hashes, failures = HashCache(tmp_path, enabled=False).hash_files(files)
    assert failures == {}
    expected = {f.rel: hashlib.sha256(Path(f.path).read_bytes()).hexdigest() for f in files}
    assert hashes == expected
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(sha256_file, [f.path for f in files])) == list(expected.values())
