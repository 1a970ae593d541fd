"""Watch mode latency: from saving a file to the emulator holding the new linkage.

Runs ``kbsync watch``'s loop (native watchdog observer, default debounce) against the
in-process emulator (no injected latency), saves one docs file 20 times, and reports the
median time until the emulator holds a linked asset with the new content. Target: under
debounce + 300 ms. Run: ``python benchmarks/watch_latency.py [--saves N] [--debounce S]``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from support import record

from kbsync.commands.common import RemoteArgs
from kbsync.commands.watch import Session, WatchArgs, run_watch
from kbsync.desired.expand import load_desired_state
from kbsync.emulator import EmulatorApp, EmulatorConfig, create_app
from kbsync.robofy.client import RobofyClient

MANIFEST = """\
version: 1
project: 1
agents:
  support:
    name: Support
    language: en
    knowledge:
      files:
        - path: docs/
"""
BUDGET = 0.3  # seconds allowed on top of the debounce


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, step: float = 0.005) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the watcher did not catch up within 30 s")
        time.sleep(step)


def holds(app: EmulatorApp, digest: str) -> bool:
    state = app.state()
    linked = {link["asset_id"] for link in state["linkages"] if link["linked"]}
    return any(a["sha256"] == digest and a["asset_id"] in linked for a in state["assets"])


def cycles(out: io.StringIO) -> int:
    return sum(1 for line in out.getvalue().splitlines() if line[:2].isdigit())


def save_and_time(app: EmulatorApp, out: io.StringIO, page: Path, n: int) -> float:
    """Seconds from the save to the new linkage; then waits for the cycle to finish."""
    before = cycles(out)
    data = f"# FAQ\n\nRevision {n}.\n".encode()
    started = time.perf_counter()
    page.write_bytes(data)
    wait_for(lambda: holds(app, hashlib.sha256(data).hexdigest()))
    elapsed = time.perf_counter() - started
    wait_for(lambda: cycles(out) > before)  # the replace's old linkage is delinked too
    return elapsed


def measure(folder: Path, saves: int, debounce: float) -> list[float]:
    (folder / "docs").mkdir()
    page = folder / "docs" / "faq.md"
    page.write_text("# FAQ\n")
    (folder / "kbsync.yaml").write_text(MANIFEST)
    app = create_app(EmulatorConfig())
    api = RobofyClient(
        "test-key", 1, "http://emulator.bench", transport=httpx.WSGITransport(app=app)
    )
    out, stop = io.StringIO(), threading.Event()
    session = Session(
        api,
        load_desired_state(folder / "kbsync.yaml", {}),
        RemoteArgs(manifest=str(folder / "kbsync.yaml")),
        WatchArgs(debounce=debounce),
        {},
        out,
        stop,
    )
    thread = threading.Thread(target=run_watch, args=(session,), daemon=True)
    thread.start()
    try:
        wait_for(lambda: cycles(out) >= 1)  # the first apply
        save_and_time(app, out, page, 0)  # warm-up: not counted
        return [save_and_time(app, out, page, n) for n in range(1, saves + 1)]
    finally:
        stop.set()
        thread.join(timeout=10)
        api.close()
        app.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--debounce", type=float, default=0.5)
    parser.add_argument("--quick", action="store_true", help="8 saves")
    args = parser.parse_args(argv)
    if args.quick:
        args.saves = min(args.saves, 8)
    with tempfile.TemporaryDirectory(prefix="kbsync-watch-bench-") as tmp:
        times = measure(Path(tmp), args.saves, args.debounce)
    median = statistics.median(times)
    target = args.debounce + BUDGET
    verdict = "PASS" if median < target else "FAIL"
    print(
        f"watch latency, save -> new linkage held: median {median * 1000:.0f} ms over "
        f"{len(times)} saves (min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms); "
        f"target < {target * 1000:.0f} ms (debounce {args.debounce * 1000:.0f} ms + "
        f"{BUDGET * 1000:.0f} ms): {verdict}"
    )
    record(
        "watch: save -> new linkage held",
        f"median {median * 1000:.0f} ms over {len(times)} saves "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})",
        target=f"< {target * 1000:.0f} ms (debounce + {BUDGET * 1000:.0f})",
        ok=verdict == "PASS",
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
