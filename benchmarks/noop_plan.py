"""No-op plan: `kbsync plan` over an applied docs folder, cold and warm, against sha256sum.

Generates a docs folder (default 10,000 files, mixed sizes, 300 MB: small .md pages and a
few large .pdf files), applies it once to ``python -m kbsync.emulator`` on loopback (setup,
not timed), then times, each as a subprocess and each ``--repeat`` times (median):

- ``sha256sum`` over the same files (one process; the cost of reading and hashing once),
- ``kbsync plan`` cold: the hash cache (.kbsync/hashcache.json) deleted first,
- ``kbsync plan`` warm: the hash cache present.

All three read the files from the page cache (the generation just wrote them; dropping
caches needs root and would disturb other work on the machine). Peak RSS of each plan
comes from wait4() of that child. Requests are counted by the emulator.

Targets: cold <= 1.5x sha256sum; warm <= 10% of cold; requests == the economy minimum
(list agents pages + settings + persona + linked-assets pages); peak RSS < 200 MB.
Run: ``python benchmarks/noop_plan.py [--files 10000] [--total-mb 300] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import base64
import math
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

from support import Emulator, Timed, env_for_kbsync, kbsync_command, machine, run_timed, verdict

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


class Figures(NamedTuple):
    sha256sum: float
    cold: list[Timed]
    warm: list[Timed]
    requests: list[dict[str, int]]  # per plan run (cold ones first), by route


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


def sha256sum_seconds(root: Path) -> float:
    files = sorted(str(p.relative_to(root)) for p in (root / "docs").rglob("*") if p.is_file())
    listing = root / "files.txt"
    listing.write_text("\0".join(files))
    command = f"xargs -0 -a {listing} sha256sum > /dev/null"
    done = run_timed(["sh", "-c", command], env={"PATH": "/usr/bin:/bin"}, cwd=root)
    if done.code != 0:
        raise RuntimeError(f"sha256sum failed: {done.stderr}")
    return done.seconds


def plan_once(emulator: Emulator, root: Path, cold: bool) -> tuple[Timed, dict[str, int]]:
    if cold:
        shutil.rmtree(root / ".kbsync", ignore_errors=True)
    before = emulator.requests()
    env = env_for_kbsync(emulator.base_url)
    done = run_timed(kbsync_command("plan", "--detailed-exitcode"), env=env, cwd=root)
    if done.code != 0:
        raise RuntimeError(f"kbsync plan exited {done.code} (not a no-op?):\n{done.stdout[-2000:]}")
    after = emulator.requests()
    return done, {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}


def setup(emulator: Emulator, root: Path, parallelism: int) -> None:
    env = env_for_kbsync(emulator.base_url)
    command = kbsync_command("apply", "--yes", "--parallelism", str(parallelism))
    done = run_timed(command, env=env, cwd=root)
    if done.code != 0:
        raise RuntimeError(f"setup apply exited {done.code}:\n{done.stderr[-2000:]}")
    print(f"setup: applied in {done.seconds:.1f} s (not part of the figures)", flush=True)


def measure(emulator: Emulator, root: Path, repeat: int) -> Figures:
    sha = statistics.median(sha256sum_seconds(root) for _ in range(repeat))
    cold, warm, counts = [], [], []
    for _ in range(repeat):
        timed, requests = plan_once(emulator, root, cold=True)
        cold.append(timed)
        counts.append(requests)
    for _ in range(repeat):
        timed, requests = plan_once(emulator, root, cold=False)
        warm.append(timed)
        counts.append(requests)
    return Figures(sha, cold, warm, counts)


def report(figures: Figures, files: int) -> None:
    cold = statistics.median(t.seconds for t in figures.cold)
    warm = statistics.median(t.seconds for t in figures.warm)
    rss = max(t.rss_mb for t in figures.cold + figures.warm)
    print(f"sha256sum          {figures.sha256sum:7.2f} s")
    print(
        f"kbsync plan cold   {cold:7.2f} s  ({', '.join(f'{t.seconds:.2f}' for t in figures.cold)})"
    )
    print(
        f"kbsync plan warm   {warm:7.2f} s  ({', '.join(f'{t.seconds:.2f}' for t in figures.warm)})"
    )
    print(f"peak RSS of plan   {rss:7.0f} MB")
    cpu = (
        statistics.median(t.cpu for t in figures.cold),
        statistics.median(t.cpu for t in figures.warm),
    )
    print(f"CPU seconds        cold {cpu[0]:.2f}, warm {cpu[1]:.2f} (user + system)")
    totals = sorted({r["total"] for r in figures.requests})
    print("requests per plan  " + ", ".join(f"{k}: {v}" for k, v in figures.requests[0].items()))
    minimum = minimum_requests(files)
    ratio = cold / figures.sha256sum
    verdict("cold plan vs sha256sum", ratio <= 1.5, f"{ratio:.2f}x (target <= 1.5x)")
    share = warm / cold
    verdict("warm plan vs cold plan", share <= 0.10, f"{share:.0%} (target <= 10%)")
    verdict("requests per plan", totals == [minimum], f"{totals} (economy minimum {minimum})")
    verdict("peak RSS of plan", rss < 200, f"{rss:.0f} MB (target < 200 MB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--total-mb", type=float, default=300.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--setup-parallelism", type=int, default=16)
    parser.add_argument(
        "--keep", type=Path, help="generate into and keep this folder; reuse it when it exists"
    )
    args = parser.parse_args(argv)
    print(machine())
    root = args.keep or Path(tempfile.mkdtemp(prefix="kbsync-noop-"))
    reuse = args.keep is not None and (root / "emulator.sqlite").exists()
    try:
        if reuse:  # generated and applied by an earlier run with the same --keep
            found = [p for p in (root / "docs").rglob("*") if p.is_file()]
            files, size = len(found), sum(p.stat().st_size for p in found)
        else:
            files, size = generate(root, args.files, args.total_mb)
        print(f"{files} files, {size / 1024 / 1024:.0f} MB in {root / 'docs'}", flush=True)
        with Emulator(extra=["--db", str(root / "emulator.sqlite")]) as emulator:
            if not reuse:
                setup(emulator, root, args.setup_parallelism)
            report(measure(emulator, root, args.repeat), files)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(machine().replace("machine:", "after:  "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
