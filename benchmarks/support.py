"""What the benchmarks share: the emulator as a subprocess, request counts, the machine line,
PASS/FAIL lines and peak memory of child processes. Not a test module (no test_ prefix)."""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

BENCH_KEY = "bench-key"
PROJECT = 1
REPO = Path(__file__).resolve().parent.parent
_URL = re.compile(r"listening on (http://\S+)")


def machine() -> str:
    """Cores, Python and the load right now: figures mean little without them."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, load average {load}"
    )


def load_now() -> float:
    """The 1-minute load average: printed with every figure (the machine is shared)."""
    return os.getloadavg()[0]


def verdict(name: str, ok: bool, detail: str) -> bool:
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail} (load {load_now():.2f})", flush=True)
    return ok


# run_all.py sets this: each benchmark appends its figures as JSON lines, and run_all
# writes them into the docs' figures table, so no figure is ever typed by hand
RESULTS_ENV = "KBSYNC_BENCH_RESULTS"


def record(
    what: str, figure: str, *, against: str = "", target: str = "", ok: bool | None = None
) -> None:
    """One row of the figures table (and a line on stdout)."""
    result = "" if ok is None else ("PASS" if ok else "FAIL")
    row = {"what": what, "figure": figure, "against": against, "target": target}
    row |= {"result": result, "load": f"{load_now():.2f}", "command": _command_line()}
    if result:
        verdict(what, bool(ok), "; ".join(filter(None, [figure, against])) + f" (target {target})")
    else:
        print(f"      {what}: {figure}" + (f"; {against}" if against else ""), flush=True)
    path = os.environ.get(RESULTS_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(row) + "\n")


def _command_line() -> str:
    args = " ".join(sys.argv[1:])
    return f"python benchmarks/{Path(sys.argv[0]).name}" + (f" {args}" if args else "")


def drop_caches() -> bool:
    """Drop the page cache (Linux, root): a cold run reads from the disk. False when the
    machine does not allow it (not root, a container without /proc/sys write access)."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


class Series:
    """Repeated runs of one command: median and min of wall and CPU seconds."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.runs: list[Timed] = []

    def add(self, run: Timed) -> Timed:
        self.runs.append(run)
        return run

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def min(self) -> float:
        return min(r.seconds for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def rss_mb(self) -> float:
        return max(r.rss_mb for r in self.runs)

    def line(self) -> str:
        runs = ", ".join(f"{r.seconds:.3f}" for r in self.runs)
        return (
            f"{self.label:28} median {self.median:7.3f} s  min {self.min:7.3f} s  "
            f"CPU {self.cpu:6.3f} s  ({runs})"
        )


# Bytecode is cached outside the repository, so kbsync starts as an installed package
# does (this machine sets PYTHONDONTWRITEBYTECODE, which made every run compile kbsync).
PYCACHE = Path(tempfile.gettempdir()) / "kbsync-bench-pycache"


def env_for_kbsync(base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROBOFY_", "KBSYNC_"))}
    env.update(ROBOFY_API_KEY=BENCH_KEY, ROBOFY_BASE_URL=base_url, NO_COLOR="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


class Emulator:
    """``python -m kbsync.emulator`` on loopback, started and stopped by this process."""

    def __init__(self, *, latency_ms: float = 0.0, extra: Sequence[str] = ()) -> None:
        command = [
            sys.executable,
            "-m",
            "kbsync.emulator",
            "--port",
            "0",
            "--latency-ms",
            str(latency_ms),
            "--processing-seconds",
            "0",
            "--api-key",
            f"{BENCH_KEY}={PROJECT}",
            *extra,
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, text=True, env=env_for_kbsync("")
        )
        self.base_url = self._wait_ready()
        self.http = httpx.Client(base_url=self.base_url, timeout=600)

    def _wait_ready(self) -> str:
        assert self.process.stdout is not None
        url = ""
        for line in self.process.stdout:
            found = _URL.search(line)
            url = found.group(1) if found else url
            if line.strip() == "ready":
                return url
        raise RuntimeError("the emulator exited before it was ready")

    def state(self) -> dict[str, Any]:
        answer = self.http.get("/_emulator/state")
        answer.raise_for_status()
        data: dict[str, Any] = answer.json()
        return data

    def requests(self) -> dict[str, int]:
        """Requests the emulator answered so far: total and per route."""
        counted = self.state()["requests"]
        return {"total": counted["total"], **counted["by_route"]}

    def reset(self) -> None:
        self.http.post("/_emulator/reset").raise_for_status()

    def cpu_seconds(self) -> float:
        """User + system CPU the emulator process has used so far (Linux /proc)."""
        return proc_cpu_seconds(self.process.pid)

    def peak_rss_mb(self) -> float:
        """The emulator's own high-water mark (Linux /proc), for the record."""
        return proc_peak_rss_mb(self.process.pid)

    def close(self) -> None:
        self.http.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def proc_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def self_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def proc_peak_rss_mb(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    found = re.search(r"VmHWM:\s+(\d+) kB", text)
    return int(found.group(1)) / 1024 if found else float("nan")


class Timed:
    """A finished subprocess: exit code, output, wall seconds, peak RSS and CPU seconds."""

    def __init__(
        self, code: int, stdout: str, stderr: str, seconds: float, rss_mb: float, cpu: float
    ):
        self.code = code
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.rss_mb = rss_mb
        self.cpu = cpu


def run_timed(command: Sequence[str], *, env: dict[str, str], cwd: Path) -> Timed:
    """Run one command; wall seconds, and peak RSS as GNU time reports it.

    Not wait4() of our own child: a child started with vfork inherits this process's
    high-water mark, so ru_maxrss would show the benchmark's memory, not the command's.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        wrapped = [*_TIME, "-f", "%M %U %S", "-o", rss.name, *command] if _TIME else list(command)
        started = time.perf_counter()
        done = subprocess.run(wrapped, cwd=cwd, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        lines = rss.read().strip().splitlines()
    try:  # the last line; GNU time writes a note above it when the command failed
        kb, user, system = lines[-1].split()
        peak, cpu = int(kb) / 1024, float(user) + float(system)
    except (IndexError, ValueError):
        peak = cpu = float("nan")
    return Timed(done.returncode, done.stdout, done.stderr, seconds, peak, cpu)


_TIME = ["/usr/bin/time"] if Path("/usr/bin/time").exists() else []


def self_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def kbsync_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kbsync", *args]
