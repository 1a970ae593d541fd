"""Manifest parsing: what 2,000 texts add to the whole `kbsync validate` command.

Writes two manifests in block YAML, one agent each: 2,000 texts, and 1 text. Each round
runs ``kbsync validate`` of both as subprocesses, one after the other; the cost of parsing
(reading, composing, every check of the schema and the secrets scan, building the desired
state) is the difference of their medians, in CPU seconds (user + system, steadier on a
shared machine) and in wall seconds. For the record, the same parse is also timed in this
process with PyYAML's C parser (libyaml, what kbsync uses when it is available) and with
the pure-Python parser kbsync falls back to.

Target: <= 0.15 s for 2,000 texts. Run: ``python benchmarks/manifest_parse.py [--texts 2000]
[--rounds 7] [--quick]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from apply_throughput import write_manifest
from support import Series, env_for_kbsync, kbsync_command, machine, record, run_timed

from kbsync.manifest.yamlload import read_yaml

TARGET_S = 0.15


def in_process(path: Path, libyaml: bool) -> float:
    """Seconds to read and compose ``path`` here (median of 3), one parser."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        read = read_yaml(path, path.name, {}, libyaml=libyaml)
        times.append(time.perf_counter() - started)
        assert read.tree is not None and not read.problems, read.problems
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="4 rounds")
    args = parser.parse_args(argv)
    rounds = min(args.rounds, 4) if args.quick else args.rounds
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big, small = write_manifest(folder, args.texts), write_manifest(folder, 1)
        env = env_for_kbsync("")
        run_timed(kbsync_command("validate", "-f", small.name), env=env, cwd=folder)  # bytecode
        series = {path: Series(f"kbsync validate, {path.stem}") for path in (big, small)}
        for _ in range(rounds):
            for path, one in series.items():
                done = run_timed(kbsync_command("validate", "-f", path.name), env=env, cwd=folder)
                if done.code != 0:
                    raise RuntimeError(f"validate exited {done.code}: {done.stdout[-2000:]}")
                one.add(done)
        fast, pure = in_process(big, True), in_process(big, False)
    for one in series.values():
        print(one.line())
    cpu = series[big].cpu - series[small].cpu
    wall = series[big].median - series[small].median
    record(
        f"parsing a manifest of {args.texts} texts (whole `kbsync validate`, minus 1 text)",
        f"{cpu:.3f} s CPU, {wall:.3f} s wall",
        against=f"reading alone: libyaml {fast:.3f} s, pure-Python fallback {pure:.3f} s",
        target=f"<= {TARGET_S} s",
        ok=cpu <= TARGET_S,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
