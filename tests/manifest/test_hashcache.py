"""The file hash cache: unchanged files are not read again; anything doubtful is."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from kbsync.errors import ManifestError
from kbsync.hashcache import HashCache, sha256_file, stat_file
from kbsync.sources import load_desired_state
from tests.manifest.conftest import OLD, write

MANIFEST = "version: 1\nproject: 1\nagents:\n  a:\n    name: A\n    knowledge:\n      files:\n"


def tree(root: Path, count: int = 30) -> None:
    files: dict[str, str | bytes] = {
        f"docs/d{i % 3}/f{i}.md": f"# file {i}\n" * (i + 1) for i in range(count)
    }
    write(root, {"kbsync.yaml": MANIFEST + "        - path: docs\n", **files})


def expand(root: Path, cache: HashCache) -> dict[str, str]:
    files = [stat_file(p.relative_to(root).as_posix(), p) for p in sorted(root.rglob("*.md"))]
    hashes, failures = cache.hash_files(files)
    assert failures == {}
    cache.save()
    return hashes


def test_second_expansion_reads_nothing(tmp_path: Path) -> None:
    tree(tmp_path)
    cold = HashCache(tmp_path)
    first = expand(tmp_path, cold)
    assert (cold.hits, cold.misses) == (0, 30)
    warm = HashCache(tmp_path)
    assert expand(tmp_path, warm) == first
    assert (warm.hits, warm.misses) == (30, 0)


def test_load_desired_state_uses_and_writes_the_cache(tmp_path: Path) -> None:
    tree(tmp_path)
    first = load_desired_state(tmp_path / "kbsync.yaml", {})
    cache_file = tmp_path / ".kbsync" / "hashcache.json"
    entries = json.loads(cache_file.read_text())["files"]
    assert sorted(entries) == sorted(first.file_fingerprints)
    warm = HashCache(tmp_path)
    expand(tmp_path, warm)
    assert warm.misses == 0
    assert load_desired_state(tmp_path / "kbsync.yaml", {}) == first


def test_changed_file_is_read_again(tmp_path: Path) -> None:
    tree(tmp_path)
    expand(tmp_path, HashCache(tmp_path))
    changed = tmp_path / "docs/d1/f4.md"
    changed.write_text("new content")
    os.utime(changed, (OLD + 10, OLD + 10))
    same_size = tmp_path / "docs/d2/f5.md"
    same_size.write_text(same_size.read_text().upper())  # same size, other bytes
    os.utime(same_size, (OLD + 20, OLD + 20))
    cache = HashCache(tmp_path)
    hashes = expand(tmp_path, cache)
    assert (cache.hits, cache.misses) == (28, 2)
    assert hashes["docs/d1/f4.md"] == hashlib.sha256(b"new content").hexdigest()
    assert hashes["docs/d2/f5.md"] == sha256_file(same_size)


def test_replaced_file_with_same_size_and_mtime_is_read_again(tmp_path: Path) -> None:
    """A new inode (editors write a temp file and rename it) is enough to distrust."""
    tree(tmp_path)
    expand(tmp_path, HashCache(tmp_path))
    target = tmp_path / "docs/d1/f4.md"
    replacement = tmp_path / "docs/d1/new.tmp"
    replacement.write_bytes(target.read_bytes().replace(b"file", b"FILE"))
    os.utime(replacement, (OLD, OLD))
    os.replace(replacement, target)
    cache = HashCache(tmp_path)
    hashes = expand(tmp_path, cache)
    assert cache.misses == 1
    assert hashes["docs/d1/f4.md"] == sha256_file(target)


def test_recently_changed_files_are_not_trusted(tmp_path: Path) -> None:
    """A file written in the same timestamp tick as its hashing could change unseen."""
    write(tmp_path, {"a.md": "a"})
    fresh = tmp_path / "a.md"
    os.utime(fresh, None)  # now
    expand(tmp_path, HashCache(tmp_path))
    again = HashCache(tmp_path)
    expand(tmp_path, again)
    assert again.misses == 1


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    tree(tmp_path, 5)
    (tmp_path / ".kbsync").mkdir()
    for garbage in ("{not json", '{"version": 1, "files": []}', "[]", '{"version": 99}'):
        (tmp_path / ".kbsync/hashcache.json").write_text(garbage)
        cache = HashCache(tmp_path)
        expand(tmp_path, cache)
        assert cache.misses == 5
    wrong = {"version": 1, "files": {"docs/d0/f0.md": [0, 0, 0, 42]}}
    (tmp_path / ".kbsync/hashcache.json").write_text(json.dumps(wrong))
    cache = HashCache(tmp_path)
    expand(tmp_path, cache)
    assert cache.misses == 5


def test_no_cache_when_disabled(tmp_path: Path) -> None:
    tree(tmp_path, 3)
    load_desired_state(tmp_path / "kbsync.yaml", {}, use_cache=False)
    assert not (tmp_path / ".kbsync").exists()


def test_unwritable_cache_folder_is_not_an_error(tmp_path: Path) -> None:
    tree(tmp_path, 3)
    (tmp_path / ".kbsync").write_text("a file where the folder should be")
    state = load_desired_state(tmp_path / "kbsync.yaml", {})
    assert len(state.agents[0].files) == 3


def test_cache_is_not_rewritten_when_nothing_changed(tmp_path: Path) -> None:
    tree(tmp_path, 3)
    expand(tmp_path, HashCache(tmp_path))
    cache_file = tmp_path / ".kbsync/hashcache.json"
    os.utime(cache_file, (OLD, OLD))
    expand(tmp_path, HashCache(tmp_path))
    assert cache_file.stat().st_mtime_ns == OLD * 1_000_000_000  # watch mode sees no change


def test_large_file_hash_matches_hashlib(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)  # spans several read chunks
    (tmp_path / "big.pdf").write_bytes(data)
    assert sha256_file(tmp_path / "big.pdf") == hashlib.sha256(data).hexdigest()


def test_unreadable_file_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path, {"a.md": "a"})
    gone = stat_file("a.md", tmp_path / "a.md")
    (tmp_path / "a.md").unlink()
    hashes, failures = HashCache(tmp_path).hash_files([gone])
    assert hashes == {} and "cannot read a.md" in failures["a.md"]


def test_invalid_manifest_reads_no_document(tmp_path: Path) -> None:
    """Problems are reported without hashing every file first (nothing cached, nothing read)."""
    tree(tmp_path, 5)
    manifest = (tmp_path / "kbsync.yaml").read_text().replace("name: A", "name: A\n    promt: x")
    (tmp_path / "kbsync.yaml").write_text(manifest)
    with pytest.raises(ManifestError, match="unknown key 'promt'"):
        load_desired_state(tmp_path / "kbsync.yaml", {})
    assert not (tmp_path / ".kbsync").exists()
