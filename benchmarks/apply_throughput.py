"""Apply throughput: the whole `kbsync apply` of N new texts, L ms of latency per request.

Starts ``python -m kbsync.emulator`` on loopback (``--latency-ms L --processing-seconds 0``).
Each round, for each P: the emulator is reset and the empty agent created (setup, not
timed); then, each as a subprocess under GNU time, as a user runs them:

- ``kbsync apply --yes --parallelism P`` of a manifest of N texts (T): start-up, parsing
  the manifest, reading the account, planning, N adds, waiting until they are ready;
- the same command again right after (T0): the same work with nothing to add.

The limit is T0 + N * L / P: what the command costs anyway, plus the adds perfectly
overlapped. The reference is a naive sequential httpx script posting the same N texts
(``benchmarks/naive_apply.py``, also a whole process), timed in the same rounds.

Targets: T <= 1.25 x (T0 + N*L/P) at P = 8 and P = 32; kbsync at P = 8 >= 6x faster
than the naive script on the same N.
Run: ``python benchmarks/apply_throughput.py [--items 2000] [--latency-ms 50]
[--parallelism 8 32] [--rounds 3] [--naive-rounds 1] [--quick]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from support import (
    PROJECT,
    Emulator,
    Series,
    Timed,
    env_for_kbsync,
    kbsync_command,
    machine,
    record,
    run_timed,
)

HERE = Path(__file__).resolve().parent
RATIO_TARGET = 1.25
SPEEDUP_TARGET = 6.0
AGENT = "Throughput bench"


def text_content(i: int) -> str:
    return f"Answer number {i}. " + "Support is open Monday to Friday. " * 12


def write_manifest(folder: Path, items: int) -> Path:
    """Block YAML, as people write it (the C YAML loader reads it; so would the pure one)."""
    lines = ["version: 1", f"project: {PROJECT}", "agents:", "  bench:", f"    name: {AGENT}"]
    lines.append("    language: en")
    if items:
        lines += ["    knowledge:", "      texts:"]
    for i in range(items):
        lines += [f"        - name: faq-{i:05d}", f"          content: {text_content(i)}"]
    path = folder / f"kbsync-{items}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


class Bench:
    def __init__(self, emulator: Emulator, folder: Path, items: int) -> None:
        self.emulator = emulator
        self.folder = folder
        self.items = items
        self.empty = write_manifest(folder, 0)
        self.full = write_manifest(folder, items)
        self.env = env_for_kbsync(emulator.base_url)
        self.requests: dict[int, list[int]] = {}

    def apply(self, manifest: Path, parallelism: int) -> tuple[Timed, int]:
        before = self.emulator.requests()["total"]
        command = kbsync_command(
            "apply", "--yes", "-f", manifest.name, "--parallelism", str(parallelism)
        )
        done = run_timed(command, env=self.env, cwd=self.folder)
        if done.code != 0:
            raise RuntimeError(f"kbsync apply exited {done.code}:\n{done.stderr[-3000:]}")
        return done, self.emulator.requests()["total"] - before

    def fresh_agent(self) -> str:
        self.emulator.reset()
        self.apply(self.empty, 8)
        return str(self.emulator.state()["agents"][0]["chatbot_id"])

    def kbsync_round(self, parallelism: int, adds: Series, noop: Series) -> None:
        self.fresh_agent()
        timed, requests = self.apply(self.full, parallelism)
        adds.add(timed)
        self.requests.setdefault(parallelism, []).append(requests)
        timed, _ = self.apply(self.full, parallelism)
        noop.add(timed)

    def naive_round(self, naive: Series) -> None:
        chatbot_id = self.fresh_agent()
        command = [sys.executable, str(HERE / "naive_apply.py"), self.emulator.base_url]
        done = run_timed([*command, chatbot_id, str(self.items)], env=self.env, cwd=HERE)
        if done.code != 0:
            raise RuntimeError(f"the naive script failed:\n{done.stderr[-2000:]}")
        naive.add(done)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(machine())
    print(f"N = {args.items} texts, L = {args.latency_ms:g} ms, P = {args.parallelism}")
    adds = {p: Series(f"kbsync apply P={p}") for p in args.parallelism}
    noop = {p: Series(f"kbsync apply P={p}, no-op (T0)") for p in args.parallelism}
    naive = Series("naive sequential script")
    with Emulator(latency_ms=args.latency_ms) as emulator, tempfile.TemporaryDirectory() as tmp:
        bench = Bench(emulator, Path(tmp), args.items)
        cpu = emulator.cpu_seconds()
        for round_ in range(args.rounds):  # interleaved: every series sees the same load
            for p in args.parallelism:
                bench.kbsync_round(p, adds[p], noop[p])
            if round_ < args.naive_rounds:
                bench.naive_round(naive)
            print(f"round {round_ + 1}/{args.rounds} done", flush=True)
        emulator_cpu = emulator.cpu_seconds() - cpu
    for series in [*adds.values(), *noop.values(), naive]:
        print(series.line())
    report(args, adds, noop, naive, bench.requests, emulator_cpu)
    return 0


def report(
    args: argparse.Namespace,
    adds: dict[int, Series],
    noop: dict[int, Series],
    naive: Series,
    requests: dict[int, list[int]],
    emulator_cpu: float,
) -> None:
    n, latency = args.items, args.latency_ms / 1000
    for p in args.parallelism:
        limit = noop[p].median + n * latency / p
        ratio = adds[p].median / limit
        per_request = adds[p].cpu / max(1, statistics.median(requests[p])) * 1000
        record(
            f"apply {n} texts, L = {args.latency_ms:g} ms, P = {p} (whole command)",
            f"median {adds[p].median:.2f} s (min {adds[p].min:.2f}), "
            f"{statistics.median(requests[p]):.0f} requests, {per_request:.2f} ms CPU/request",
            against=f"T0 {noop[p].median:.2f} s + N·L/P {n * latency / p:.2f} s: ratio {ratio:.3f}",
            target=f"<= {RATIO_TARGET}",
            ok=ratio <= RATIO_TARGET,
        )
    if naive.runs and 8 in adds:
        speedup = naive.median / adds[8].median
        record(
            f"apply {n} texts at P = 8 vs a naive sequential httpx script",
            f"script median {naive.median:.2f} s (min {naive.min:.2f}, {len(naive.runs)} run)",
            against=f"kbsync {speedup:.1f}x faster",
            target=f">= {SPEEDUP_TARGET:g}x",
            ok=speedup >= SPEEDUP_TARGET,
        )
    record("emulator CPU over the whole run", f"{emulator_cpu:.2f} s (the other process)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--parallelism", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--naive-rounds", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="N = 1000, 2 rounds")
    args = parser.parse_args(argv)
    if args.quick:
        args.items, args.rounds = min(args.items, 1000), min(args.rounds, 2)
    return args


if __name__ == "__main__":
    sys.exit(main())
