"""Start-up: `kbsync --version` and `kbsync validate` of the example, as CI runs them.

Each round runs, as subprocesses one after another: ``python -c pass`` (the interpreter
alone, the floor), ``python -m kbsync --version`` and ``python -m kbsync validate`` in a
copy of examples/. The environment is CI's: ``PYTHONDONTWRITEBYTECODE=1`` and no bytecode
cache for kbsync (an editable checkout compiles its modules on every start); a second
series of validate runs with bytecode cached shows what an installed package pays.

Targets: --version and validate under 150 ms (median wall). Run:
``python benchmarks/startup.py [--rounds 15] [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from support import PYCACHE, REPO, Series, machine, record, run_timed

TARGET_S = 0.150


def ci_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROBOFY_", "KBSYNC_"))}
    env.pop("PYTHONPYCACHEPREFIX", None)
    env.update(PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1", PYTHONPATH=str(REPO))
    return env


def cached_env() -> dict[str, str]:
    env = ci_env()
    env.pop("PYTHONDONTWRITEBYTECODE")
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="7 rounds")
    args = parser.parse_args(argv)
    rounds = min(args.rounds, 7) if args.quick else args.rounds
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "examples")
        shutil.copytree(REPO / "examples", folder, ignore=shutil.ignore_patterns(".kbsync"))
        series = measure(folder, rounds)
    for one in series.values():
        print(one.line())
    report(series)
    return 0


def measure(folder: Path, rounds: int) -> dict[str, Series]:
    python = [sys.executable]
    validate = [*python, "-m", "kbsync", "validate", "-f", "robofy.yaml"]
    commands = {
        "python -c pass": ([*python, "-c", "pass"], ci_env()),
        "kbsync --version": ([*python, "-m", "kbsync", "--version"], ci_env()),
        "kbsync validate": (validate, ci_env()),
        "kbsync validate, bytecode cached": (validate, cached_env()),
    }
    run_timed(validate, env=cached_env(), cwd=folder)  # fills the bytecode cache
    series = {name: Series(name) for name in commands}
    for _ in range(rounds):  # interleaved: every command sees the same load
        for name, (command, env) in commands.items():
            done = run_timed(command, env=env, cwd=folder)
            if done.code != 0:
                raise RuntimeError(f"{name} exited {done.code}: {done.stderr[-2000:]}")
            series[name].add(done)
    return series


def report(series: dict[str, Series]) -> None:
    floor = series["python -c pass"]
    for name in ("kbsync --version", "kbsync validate"):
        one = series[name]
        record(
            f"`{name}` start-up (PYTHONDONTWRITEBYTECODE=1, as CI)",
            f"median {one.median * 1000:.0f} ms (min {one.min * 1000:.0f}), "
            f"CPU {one.cpu * 1000:.0f} ms",
            against=f"python -c pass {floor.median * 1000:.0f} ms",
            target=f"< {TARGET_S * 1000:.0f} ms",
            ok=one.median < TARGET_S,
        )
    cached = series["kbsync validate, bytecode cached"]
    record(
        "`kbsync validate`, bytecode cached (an installed package)",
        f"median {cached.median * 1000:.0f} ms (min {cached.min * 1000:.0f}), "
        f"CPU {cached.cpu * 1000:.0f} ms",
    )


if __name__ == "__main__":
    sys.exit(main())
