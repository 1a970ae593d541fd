"""Apply throughput: N new texts through `kbsync emulator` with L ms of latency per request.

Starts ``python -m kbsync.emulator`` on loopback (``--latency-ms L --processing-seconds 0``),
creates the agent (not timed), then times kbsync's apply phase in this process: the
inventory read (list agents, settings, linked assets), the plan, the N adds at parallelism
P, and the wait until every new linkage is ready. Manifest parsing and Python start-up are
not timed. The ideal is N * L / P: the adds alone, perfectly overlapped. A naive baseline
posts the same texts from a plain sequential httpx loop in the same run.

Targets: time / ideal <= 1.25 at P = 8 and P = 32; kbsync >= 6x faster than naive at P = 8.
Run: ``python benchmarks/apply_throughput.py [--items N] [--latency-ms L] [--parallelism 8 32]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import httpx
from support import BENCH_KEY, PROJECT, Emulator, machine, self_cpu_seconds, verdict

from kbsync.apply.executor import apply_plan
from kbsync.desired.expand import load_desired_state
from kbsync.model import DONE
from kbsync.plan.pipeline import plan_options, read_and_plan
from kbsync.robofy.client import RobofyClient

RATIO_TARGET = 1.25
SPEEDUP_TARGET = 6.0
AGENT = "Throughput bench"


class Run(NamedTuple):
    label: str
    seconds: float
    requests: int
    done: int
    routes: dict[str, int]
    client_cpu: float = 0.0  # CPU seconds of this process (all threads) during the run
    emulator_cpu: float = 0.0


def text_content(i: int) -> str:
    return f"Answer number {i}. " + "Support is open Monday to Friday. " * 12


def write_manifest(folder: Path, items: int) -> Path:
    texts = [{"name": f"faq-{i:05d}", "content": text_content(i)} for i in range(items)]
    knowledge = {"knowledge": {"texts": texts}} if texts else {}
    agent = {"name": AGENT, "language": "en", **knowledge}
    manifest = {"version": 1, "project": PROJECT, "agents": {"bench": agent}}
    path = folder / "kbsync.yaml"
    path.write_text(json.dumps(manifest, indent=1))  # JSON is YAML
    return path


class Applied(NamedTuple):
    seconds: float  # read + plan + apply + wait
    done: int  # actions DONE
    cpu: float  # CPU seconds of this process during those seconds


def kbsync_apply(emulator: Emulator, manifest: Path, parallelism: int) -> Applied:
    desired = load_desired_state(manifest, {}, use_cache=False)
    client = RobofyClient(BENCH_KEY, PROJECT, emulator.base_url, parallelism=parallelism)
    try:
        cpu, started = self_cpu_seconds(), time.perf_counter()
        planned = read_and_plan(client, desired, plan_options(), parallelism=parallelism)
        result = apply_plan(client, planned.plan, parallelism=parallelism)
        seconds, cpu = time.perf_counter() - started, self_cpu_seconds() - cpu
    finally:
        client.close()
    return Applied(seconds, sum(1 for o in result.outcomes if o.status == DONE), cpu)


def fresh_agent(emulator: Emulator, folder: Path) -> str:
    """Reset the emulator and let kbsync create the empty agent; returns its chatbot id."""
    emulator.reset()
    kbsync_apply(emulator, write_manifest(folder, 0), 8)
    agents = emulator.state()["agents"]
    return str(agents[0]["chatbot_id"])


def measure_kbsync(emulator: Emulator, folder: Path, items: int, parallelism: int) -> Run:
    fresh_agent(emulator, folder)
    manifest = write_manifest(folder, items)
    before, emulator_cpu = emulator.requests(), emulator.cpu_seconds()
    applied = kbsync_apply(emulator, manifest, parallelism)
    emulator_cpu = emulator.cpu_seconds() - emulator_cpu
    after = emulator.requests()
    routes = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
    total = routes.pop("total")
    label = f"kbsync P={parallelism}"
    return Run(label, applied.seconds, total, applied.done, routes, applied.cpu, emulator_cpu)


def measure_naive(emulator: Emulator, folder: Path, items: int) -> Run:
    """What a script would do: one POST after another on one keep-alive connection."""
    chatbot_id = fresh_agent(emulator, folder)
    before = emulator.requests()["total"]
    headers = {"Authorization": f"Bearer {BENCH_KEY}"}
    done = 0
    with httpx.Client(base_url=emulator.base_url, headers=headers, timeout=60) as http:
        started = time.perf_counter()
        for i in range(items):
            body = {"chatbot_id": chatbot_id, "file_name": f"faq-{i:05d}.txt"}
            answer = http.post(
                f"/v1/ai-agent/link_content/{PROJECT}", json=body | {"content": text_content(i)}
            )
            done += answer.status_code == 200
        seconds = time.perf_counter() - started
    return Run("naive sequential", seconds, emulator.requests()["total"] - before, done, {})


def report(run: Run, ideal: float | None) -> None:
    ratio = f"  ratio to ideal {run.seconds / ideal:.3f}" if ideal else ""
    print(f"{run.label:18} {run.seconds:7.2f} s {run.requests:5d} requests {run.done} done{ratio}")
    if run.routes:
        print("    " + ", ".join(f"{k}: {v}" for k, v in sorted(run.routes.items())))
    if run.client_cpu:
        per = 1000 / max(1, run.requests)
        print(
            f"    CPU: kbsync {run.client_cpu:.2f} s ({run.client_cpu * per:.2f} ms/request), "
            f"emulator {run.emulator_cpu:.2f} s ({run.emulator_cpu * per:.2f} ms/request)"
        )


def set_latency(emulator: Emulator, latency_ms: float) -> None:
    emulator.http.post("/_emulator/faults", json={"latency_ms": latency_ms}).raise_for_status()


def cpu_floor(emulator: Emulator, folder: Path, items: int, parallelism: int, ms: float) -> Run:
    """The same run without injected latency: what the two processes' CPU alone costs."""
    set_latency(emulator, 0)
    try:
        run = measure_kbsync(emulator, folder, items, parallelism)
    finally:
        set_latency(emulator, ms)
    return run._replace(label=f"{run.label}, L=0")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--parallelism", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--naive-items", type=int, default=None, help="default: --items")
    args = parser.parse_args(argv)
    print(machine())
    print(f"N = {args.items} texts, L = {args.latency_ms:g} ms, P = {args.parallelism}")
    latency = args.latency_ms / 1000
    runs: list[Run] = []
    with Emulator(latency_ms=args.latency_ms) as emulator, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for p in args.parallelism:
            runs.append(measure_kbsync(emulator, folder, args.items, p))
            report(runs[-1], args.items * latency / p)
        floor = cpu_floor(emulator, folder, args.items, max(args.parallelism), args.latency_ms)
        report(floor, None)
        naive = measure_naive(emulator, folder, args.naive_items or args.items)
        report(naive, None)
        print(f"emulator peak RSS {emulator.peak_rss_mb():.0f} MB")
    naive_per_item = naive.seconds / max(1, naive.done)
    for p, run in zip(args.parallelism, runs, strict=True):
        ratio = run.seconds / (args.items * latency / p)
        verdict(
            f"ratio to ideal at P={p}",
            ratio <= RATIO_TARGET,
            f"{ratio:.3f} (target <= {RATIO_TARGET})",
        )
        verdict(f"all {args.items} adds done at P={p}", run.done == args.items, f"{run.done} done")
        if run.seconds / (args.items * latency / p) > RATIO_TARGET and floor.seconds:
            print(
                f"      note: with no latency at all the same apply took {floor.seconds:.2f} s "
                f"({floor.label}): the two processes' CPU on this machine, not the wire"
            )
        if p == 8:
            speedup = naive_per_item * args.items / run.seconds
            verdict(
                "speed-up over naive at P=8",
                speedup >= SPEEDUP_TARGET,
                f"{speedup:.1f}x (target >= {SPEEDUP_TARGET:g}x)",
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
