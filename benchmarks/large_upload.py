"""Large uploads: `kbsync apply` of 50 files of 9.9 MB each, memory and throughput.

Writes 50 incompressible .pdf files of 9.9 MB, starts ``python -m kbsync.emulator`` on
loopback (no injected latency, processing 0 s), and runs ``kbsync apply --yes`` as a
subprocess under GNU time: wall time (start-up, hashing every file, inventory read,
uploads, wait), throughput (bytes uploaded / wall time) and the peak RSS of the kbsync
process. Files are streamed from disk in chunks, never held whole, so the peak should not
grow with the file size or the parallelism. The emulator's own peak RSS is reported for
the record (it reads each request body whole; that is the emulator, not kbsync).

Target: peak RSS of kbsync < 150 MB. Run: ``python benchmarks/large_upload.py
[--files 50] [--mb 9.9] [--parallelism 8]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from support import Emulator, env_for_kbsync, kbsync_command, machine, record, run_timed

RSS_TARGET_MB = 150
MANIFEST = """\
version: 1
project: 1
agents:
  manuals:
    name: Large upload bench
    language: en
    knowledge:
      files:
        - path: manuals/
"""


def generate(root: Path, files: int, size: int) -> None:
    folder = root / "manuals"
    folder.mkdir(parents=True)
    chunk = 1024 * 1024
    for i in range(files):
        with (folder / f"manual-{i:02d}.pdf").open("wb") as f:
            f.write(b"%PDF-1.4\n")
            left = size - 9
            while left > 0:  # random bytes: nothing along the way can compress them
                f.write(os.urandom(min(chunk, left)))
                left -= chunk
    (root / "kbsync.yaml").write_text(MANIFEST)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--mb", type=float, default=9.9)
    parser.add_argument("--parallelism", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="20 files")
    args = parser.parse_args(argv)
    if args.quick:
        args.files = min(args.files, 20)
    print(machine())
    size = int(args.mb * 1024 * 1024)
    total_mb = args.files * size / 1024 / 1024
    root = Path(tempfile.mkdtemp(prefix="kbsync-large-"))
    try:
        generate(root, args.files, size)
        print(f"{args.files} files of {args.mb:g} MB ({total_mb:.0f} MB), P = {args.parallelism}")
        with Emulator() as emulator:
            env = env_for_kbsync(emulator.base_url)
            command = kbsync_command("apply", "--yes", "--parallelism", str(args.parallelism))
            emulator_cpu = emulator.cpu_seconds()
            done = run_timed(command, env=env, cwd=root)
            emulator_cpu = emulator.cpu_seconds() - emulator_cpu
            state = emulator.state()
            requests = emulator.requests()
            emulator_rss = emulator.peak_rss_mb()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if done.code != 0:
        print(done.stdout[-3000:], done.stderr[-3000:])
    stored = [a for a in state["assets"] if a["size"] == size]
    print(f"kbsync apply       {done.seconds:7.2f} s  (exit {done.code})")
    print(f"throughput         {total_mb / done.seconds:7.1f} MB/s")
    print(f"peak RSS of kbsync {done.rss_mb:7.0f} MB")
    print(f"CPU seconds        kbsync {done.cpu:.2f}, emulator {emulator_cpu:.2f}")
    print(f"emulator peak RSS  {emulator_rss:7.0f} MB (not kbsync's; for the record)")
    print("requests           " + ", ".join(f"{k}: {v}" for k, v in requests.items()))
    record(
        f"`kbsync apply`, {args.files} files x {args.mb:g} MB, P = {args.parallelism}",
        f"{done.seconds:.2f} s, {total_mb / done.seconds:.1f} MB/s; CPU kbsync {done.cpu:.2f} s, "
        f"emulator {emulator_cpu:.2f} s; {len(stored)} of {args.files} stored",
        target="all stored",
        ok=len(stored) == args.files,
    )
    record(
        "peak RSS of `kbsync apply` (large files)",
        f"{done.rss_mb:.0f} MB (emulator: {emulator_rss:.0f} MB, not counted)",
        target=f"< {RSS_TARGET_MB} MB",
        ok=done.rss_mb < RSS_TARGET_MB,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
