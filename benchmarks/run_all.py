"""Run every benchmark in turn with its defaults: ``python benchmarks/run_all.py``.

Each prints its own figures and PASS/FAIL lines; this prints them one after another and
the load before and after, since the figures mean little without it. Extra arguments
pick benchmarks by name, e.g. ``python benchmarks/run_all.py noop_plan large_upload``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import machine

HERE = Path(__file__).resolve().parent
ORDER = ("apply_throughput", "noop_plan", "large_upload", "watch_latency", "gaps_summary")


def main(argv: list[str]) -> int:
    chosen = argv or [name for name in ORDER if (HERE / f"{name}.py").exists()]
    unknown = [name for name in chosen if not (HERE / f"{name}.py").exists()]
    if unknown:
        print(f"no such benchmark: {', '.join(unknown)} (have: {', '.join(ORDER)})")
        return 1
    print(machine(), flush=True)
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        done = subprocess.run([sys.executable, str(HERE / f"{name}.py")], check=False)
        if done.returncode != 0:
            print(f"{name} exited {done.returncode}", flush=True)
    print("\n" + machine().replace("machine:", "after:  "))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
