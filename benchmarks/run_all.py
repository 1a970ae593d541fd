"""Run every benchmark and regenerate the figures table of the performance docs page.

``python benchmarks/run_all.py``: every benchmark with its defaults (about 15-25 minutes;
more when rust-doc is installed). ``python benchmarks/run_all.py --quick``: smaller sizes
and fewer rounds, within about 5 minutes. Names pick benchmarks, e.g.
``python benchmarks/run_all.py startup noop_plan``.

Each benchmark prints its own figures and PASS/FAIL lines and appends its rows to a
results file; at the end of a run of every benchmark this writes them into
docs/contributing/performance.md between the two marker comments (``--no-docs`` leaves
the page alone, and so does a run of some benchmarks only). Figures come from this run,
never typed by hand; the load before and after is written with them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from support import REPO, RESULTS_ENV, machine

HERE = Path(__file__).resolve().parent
ORDER = ("startup", "manifest_parse", "apply_throughput", "noop_plan", "large_upload")
ORDER += ("watch_latency", "gaps_summary")
PAGE = REPO / "docs" / "contributing" / "performance.md"
BEGIN, END = "<!-- figures:begin (benchmarks/run_all.py) -->", "<!-- figures:end -->"
COLUMNS = ("what", "figure", "against", "target", "result", "load", "command")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: {' '.join(ORDER)})")
    parser.add_argument("--quick", action="store_true", help="smaller runs, about 5 minutes")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite the docs table")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in ORDER]
    if unknown:
        print(f"no such benchmark: {', '.join(unknown)} (have: {', '.join(ORDER)})")
        return 1
    before, started = machine(), time.time()
    print(before, flush=True)
    rows = run(args.names or list(ORDER), args.quick)
    after = machine().replace("machine:", "after:  ")
    print("\n" + after)
    if args.names:  # a partial table would drop the other benchmarks' rows
        print(f"{PAGE.relative_to(REPO)} left alone: only a run of every benchmark rewrites it")
    elif not args.no_docs:
        write_table(rows, before, after, started, args.quick)
        print(f"figures written to {PAGE.relative_to(REPO)}")
    return 0


def run(names: list[str], quick: bool) -> list[dict[str, str]]:
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as results:
        env = {**os.environ, RESULTS_ENV: results.name}
        for name in names:
            print(f"\n=== {name} ===", flush=True)
            command = [sys.executable, str(HERE / f"{name}.py"), *(["--quick"] if quick else [])]
            done = subprocess.run(command, env=env, check=False)
            if done.returncode != 0:
                print(f"{name} exited {done.returncode}", flush=True)
        return [json.loads(line) for line in results.read().splitlines() if line.strip()]


def write_table(
    rows: list[dict[str, str]], before: str, after: str, started: float, quick: bool
) -> None:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started))
    mode = "`--quick` (smaller sizes, fewer rounds)" if quick else "full (the defaults)"
    lines = [BEGIN, "", f"Run of {when}, {mode}.", "", f"- {before}", f"- {after}", ""]
    lines += ["| " + " | ".join(COLUMNS) + " |", "|" + " --- |" * len(COLUMNS)]
    for row in rows:
        cells = [_cell(row.get(c, ""), bold=c == "result") for c in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", END]
    text = PAGE.read_text(encoding="utf-8")
    head, found, rest = text.partition(BEGIN)
    if not found:
        raise SystemExit(f"{PAGE} has no marker {BEGIN!r}; add the two marker lines first")
    _, found, tail = rest.partition(END)
    if not found:
        raise SystemExit(f"{PAGE} has no marker {END!r}")
    PAGE.write_text(head + "\n".join(lines) + tail, encoding="utf-8")


def _cell(value: str, *, bold: bool = False) -> str:
    value = value.replace("|", "\\|").replace("\n", " ")
    if value.startswith("python benchmarks/"):
        return f"`{value}`"
    return f"**{value}**" if bold and value else value


if __name__ == "__main__":
    sys.exit(main())
