"""No-op plan: the whole `kbsync plan` over an applied docs folder, cold and warm, next to
`sha256sum` of the same files.

Three corpora, each in a folder of its own beside a manifest that links every supported
file in it (``files: - path: docs/``):

- ``python3.11-doc``: the Python documentation, about 1,100 HTML and text files
  (Debian package ``python3.11-doc``, read from /usr/share/doc/python3.11/html);
- ``rust-doc``: the Rust documentation, about 32,000 HTML files (package ``rust-doc``,
  /usr/share/doc/rust-doc/html); left out by ``--quick``;
- ``synthetic``: generated, mostly small .md pages and a few large .pdf files.

Install the two packages with ``apt-get install python3.11-doc rust-doc`` (as root, after
``apt-get update``); a corpus that is not installed is skipped and says so. The files are
hard-linked (copied when that fails) into a temporary folder, applied once to
``python -m kbsync.emulator`` on loopback (setup, not timed), then each round times, each
as a subprocess under GNU time, one after another so all see the same load:

- ``sha256sum`` of the same files, listed by ``find`` (one process; the walk included),
  with the page cache dropped first;
- ``kbsync plan`` cold: page cache dropped, hash cache (.kbsync/hashcache.json) deleted;
- ``kbsync plan`` warm: hash cache present, page cache as the cold plan left it.

Dropping the page cache needs root (``/proc/sys/vm/drop_caches``); when that fails the
benchmark says so and its "cold" runs read from the page cache. Requests are counted by
the emulator, peak RSS and CPU seconds by GNU time.

Targets: cold <= 1.5x sha256sum (both cold); warm <= 25% of cold; requests == the economy
minimum (agent list pages + settings + persona + linked-asset pages); peak RSS < 200 MB.
Run: ``python benchmarks/noop_plan.py [--corpus python rust synthetic] [--rounds 3]
[--quick]``.
"""

from __future__ import annotations

import argparse
import base64
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from support import (
    BENCH_KEY,
    PROJECT,
    Emulator,
    Series,
    Timed,
    drop_caches,
    env_for_kbsync,
    kbsync_command,
    machine,
    record,
    run_timed,
)

from kbsync.apply.executor import apply_plan
from kbsync.desired.expand import load_desired_state
from kbsync.model import DONE
from kbsync.plan.pipeline import plan_options, read_and_plan
from kbsync.robofy.client import RobofyClient

PAGE = 200  # kbsync asks for the emulator's maximum page size
MAX_FILE = int(9.9 * 1024 * 1024)
MANIFEST = """\
version: 1
project: 1
agents:
  docs:
    name: Docs bench
    language: en
    persona: {name: Ava}
    knowledge:
      files:
        - path: docs/
"""


SUPPORTED = (".pdf", ".docx", ".doc", ".xls", ".xlsx", ".txt", ".html", ".htm", ".md", ".json")
SUPPORTED += (".markdown",)
DEBIAN = {
    "python": ("python3.11-doc", Path("/usr/share/doc/python3.11/html")),
    "rust": ("rust-doc", Path("/usr/share/doc/rust-doc/html")),
}


def file_sizes(count: int, total: int, rng: random.Random) -> list[int]:
    """Mostly small pages (1-29 KB), about 0.3% large files (1-9.5 MB), scaled to ``total``."""
    large = max(1, round(count * 0.003))
    weights = [rng.uniform(1, 29) for _ in range(count - large)]
    weights += [rng.uniform(1000, 9500) for _ in range(large)]
    rng.shuffle(weights)
    scale = total / sum(weights)
    return [max(16, min(MAX_FILE, int(w * scale))) for w in weights]


def generate(root: Path, count: int, total_mb: float, seed: int = 8) -> tuple[int, int]:
    """Write the docs folder; returns (files, bytes)."""
    rng = random.Random(seed)
    block = base64.b64encode(rng.randbytes(3 * 1024 * 1024))  # 4 MB of text-like bytes
    written = 0
    sizes = file_sizes(count, int(total_mb * 1024 * 1024), rng)
    for i, size in enumerate(sizes):
        folder = root / "docs" / f"section-{i // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        ext = ".pdf" if size > 1024 * 1024 else ".md"
        head = f"# Page {i}\n\n".encode()
        (folder / f"page-{i:05d}{ext}").write_bytes(content(head, block, size, rng))
        written += size
    (root / "kbsync.yaml").write_text(MANIFEST)
    return len(sizes), written


def content(head: bytes, block: bytes, size: int, rng: random.Random) -> bytes:
    """``size`` bytes: the head, then the block from a random offset, wrapping around."""
    parts, left, start = [head[:size]], size - len(head), rng.randrange(len(block))
    while left > 0:
        part = block[start : start + left]
        parts.append(part)
        left, start = left - len(part), 0
    return b"".join(parts)


def minimum_requests(files: int, agents: int = 1) -> int:
    """The economy property: agent list pages + settings + persona + linked-assets pages."""
    return math.ceil(max(1, agents) / PAGE) + 1 + 1 + max(1, math.ceil(files / PAGE))


def link_corpus(source: Path, docs: Path) -> tuple[int, int]:
    """Hard-link (or copy) every supported file of ``source`` under ``docs``, following
    links: kbsync takes no link that leaves the manifest's folder. Returns (files, bytes)."""
    files = size = 0
    for folder, _, names in os.walk(source, followlinks=True):
        for name in names:
            if not name.lower().endswith(SUPPORTED):
                continue
            src = Path(folder, name).resolve()
            if not src.is_file() or src.stat().st_size > MAX_FILE:
                continue
            dest = docs / Path(folder, name).relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(src, dest)
            except OSError:
                shutil.copy2(src, dest)
            files, size = files + 1, size + dest.stat().st_size
    return files, size


class Corpus(NamedTuple):
    name: str
    root: Path  # the manifest's folder
    files: int
    bytes: int


def prepare(name: str, root: Path, quick: bool) -> Corpus | None:
    root.mkdir(parents=True)
    (root / "kbsync.yaml").write_text(MANIFEST)
    if name == "synthetic":
        files, size = generate(root, 2000 if quick else 10_000, 60 if quick else 300)
        return Corpus(name, root, files, size)
    package, source = DEBIAN[name]
    if not source.is_dir():
        print(f"{name}: {source} is missing; install it with: apt-get install {package}")
        return None
    files, size = link_corpus(source, root / "docs")
    return Corpus(f"{name} ({package})", root, files, size)


SHA256SUM = "find docs -type f -print0 | xargs -0 sha256sum > /dev/null"


class Rounds:
    def __init__(self, emulator: Emulator, corpus: Corpus) -> None:
        self.emulator = emulator
        self.corpus = corpus
        self.sha = Series("sha256sum, cold")
        self.cold = Series("kbsync plan, cold")
        self.warm = Series("kbsync plan, warm")
        self.requests: list[int] = []
        self.emulator_cpu: list[float] = []  # per warm plan: the other side of the wire
        self.dropped = True

    def one(self) -> None:
        self.dropped &= drop_caches()
        done = run_timed(
            ["sh", "-c", SHA256SUM], env={"PATH": "/usr/bin:/bin"}, cwd=self.corpus.root
        )
        if done.code != 0:
            raise RuntimeError(f"sha256sum failed: {done.stderr[-2000:]}")
        self.sha.add(done)
        shutil.rmtree(self.corpus.root / ".kbsync", ignore_errors=True)
        self.dropped &= drop_caches()
        self.cold.add(self.plan())
        emulator_cpu = self.emulator.cpu_seconds()
        self.warm.add(self.plan())
        self.emulator_cpu.append(self.emulator.cpu_seconds() - emulator_cpu)

    def plan(self) -> Timed:
        before = self.emulator.requests()["total"]
        env = env_for_kbsync(self.emulator.base_url)
        done = run_timed(
            kbsync_command("plan", "--detailed-exitcode"), env=env, cwd=self.corpus.root
        )
        if done.code != 0:
            raise RuntimeError(
                f"kbsync plan exited {done.code} (not a no-op?):\n{done.stdout[-2000:]}"
            )
        self.requests.append(self.emulator.requests()["total"] - before)
        return done


def setup(emulator: Emulator, root: Path, parallelism: int) -> None:
    """Apply the corpus once, through kbsync's library (not timed). Not the command: its
    account-limit guard would refuse rust-doc's 32,000 files (the emulator reports a
    limit of 10,000 files, and does not enforce it)."""
    started = time.perf_counter()
    desired = load_desired_state(root / "kbsync.yaml", {}, use_cache=False)
    client = RobofyClient(BENCH_KEY, PROJECT, emulator.base_url, parallelism=parallelism)
    try:
        planned = read_and_plan(client, desired, plan_options(), parallelism=parallelism)
        result = apply_plan(client, planned.plan, parallelism=parallelism)
    finally:
        client.close()
    failed = [o for o in result.outcomes if o.status != DONE]
    if failed:
        raise RuntimeError(f"setup: {len(failed)} actions did not finish, e.g. {failed[0]}")
    print(f"setup: applied in {time.perf_counter() - started:.1f} s (not part of the figures)")


def measure(corpus: Corpus, rounds: int, parallelism: int) -> None:
    print(f"\n{corpus.name}: {corpus.files} files, {corpus.bytes / 1024 / 1024:.0f} MB", flush=True)
    with Emulator(extra=["--db", str(corpus.root / "emulator.sqlite")]) as emulator:
        setup(emulator, corpus.root, parallelism)
        runs = Rounds(emulator, corpus)
        for _ in range(rounds):
            runs.one()
    for series in (runs.sha, runs.cold, runs.warm):
        print(series.line())
    report(corpus, runs)


def report(corpus: Corpus, runs: Rounds) -> None:
    where = f"{corpus.name}, {corpus.files} files / {corpus.bytes / 1024 / 1024:.0f} MB"
    if not runs.dropped:
        print(
            "NOTE: the page cache could not be dropped (not root?): 'cold' runs read cached files"
        )
    cache = "page cache dropped" if runs.dropped else "page cache NOT dropped"
    ratio = runs.cold.median / runs.sha.median
    record(
        f"no-op plan cold, {where}",
        f"median {runs.cold.median:.2f} s (min {runs.cold.min:.2f}), CPU {runs.cold.cpu:.2f} s",
        against=f"sha256sum {runs.sha.median:.2f} s ({cache}): {ratio:.2f}x",
        target="<= 1.5x",
        ok=ratio <= 1.5,
    )
    share = runs.warm.median / runs.cold.median
    record(
        f"no-op plan warm, {where}",
        f"median {runs.warm.median:.2f} s (min {runs.warm.min:.2f}), CPU {runs.warm.cpu:.2f} s",
        against=f"{share:.0%} of cold; the emulator's CPU meanwhile "
        f"{statistics.median(runs.emulator_cpu):.2f} s",
        target="<= 25%",
        ok=share <= 0.25,
    )
    minimum = minimum_requests(corpus.files)
    counts = sorted(set(runs.requests))
    record(
        f"requests per no-op plan, {corpus.name}",
        f"{counts}",
        against=f"economy minimum {minimum}",
        target="= minimum",
        ok=counts == [minimum],
    )
    rss = max(runs.cold.rss_mb, runs.warm.rss_mb)
    record(
        f"peak RSS of no-op plan, {corpus.name}", f"{rss:.0f} MB", target="< 200 MB", ok=rss < 200
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--corpus", nargs="+", choices=["python", "rust", "synthetic"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--setup-parallelism", type=int, default=16)
    parser.add_argument("--quick", action="store_true", help="python + small synthetic, 2 rounds")
    args = parser.parse_args(argv)
    names = args.corpus or (
        ["python", "synthetic"] if args.quick else ["python", "rust", "synthetic"]
    )
    rounds = min(args.rounds, 2) if args.quick else args.rounds
    print(machine())
    with tempfile.TemporaryDirectory(prefix="kbsync-noop-") as tmp:
        for name in names:
            corpus = prepare(name, Path(tmp, name), args.quick)
            if corpus is not None:
                measure(corpus, rounds, args.setup_parallelism)
    print(machine().replace("machine:", "after:  "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
