"""Running the emulator from a command line, as plain values and a plain function.

``kbsync emulator`` (a click command in kbsync/cli.py) and ``python -m kbsync.emulator``
(argparse, below) both build a ``ServeOptions``, let ``check_options`` refuse what cannot
work, and call ``run``. Usage errors exit 1 in both: 2 means "changes" to kbsync's CI users.
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import sys
from typing import NamedTuple, NoReturn, TextIO

from kbsync.emulator.config import CRAWL_MODES, EmulatorConfig
from kbsync.emulator.dialect import CANONICAL, DIALECTS
from kbsync.emulator.server import serve

DEFAULT_API_KEY = "test-key=1"
MAX_LATENCY_MS = 600_000.0
MAX_RATE_LIMIT = 1_000_000.0
MAX_SECONDS = 1e9  # the clock endpoint's limit per move, too
MAX_SEED = 2**63 - 1


class ServeOptions(NamedTuple):
    """What the command line can set; the defaults are the commands' defaults."""

    host: str = "127.0.0.1"
    port: int = 8765
    db: str = ":memory:"
    api_keys: tuple[str, ...] = ()  # KEY=PID[,PID...] each; none: DEFAULT_API_KEY
    latency_ms: float = 0.0
    fail_rate: float = 0.0
    rate_limit: float = 0.0
    drop_after_commit: float = 0.0
    seed: int = 0
    crawl_mode: str = "simulate"
    crawl_pace: float = 10.0
    processing_seconds: float = 0.5
    dialect: str = CANONICAL
    seed_demo: bool = False


class OptionError(ValueError):
    """An option value the emulator cannot run with; ``option`` is its flag."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")
        self.option = option
        self.message = message


def parse_api_key(text: str) -> tuple[str, tuple[int, ...]]:
    """``KEY=PID[,PID...]`` as the key and its project ids."""
    key, sep, pids = text.partition("=")
    try:
        projects = tuple(int(p) for p in pids.split(",") if p.strip())
    except ValueError:
        projects = ()
    if not sep or not key or not projects or min(projects) < 1 or max(projects) > MAX_SEED:
        raise OptionError("--api-key", f"expected KEY=PID[,PID...], e.g. test-key=1, not {text!r}")
    return key, projects


def _number(option: str, value: float, low: float, high: float) -> None:
    if not (math.isfinite(value) and low <= value <= high):
        raise OptionError(option, f"must be a number from {low:.15g} to {high:.15g}, not {value!r}")


def check_options(options: ServeOptions) -> None:
    """Refuse, naming the option, every value the emulator cannot run with."""
    _number("--port", options.port, 0, 65535)
    _number("--latency-ms", options.latency_ms, 0, MAX_LATENCY_MS)
    _number("--fail-rate", options.fail_rate, 0, 1)
    _number("--rate-limit", options.rate_limit, 0, MAX_RATE_LIMIT)
    _number("--drop-after-commit", options.drop_after_commit, 0, 1)
    _number("--seed", options.seed, 0, MAX_SEED)
    _number("--crawl-pace", options.crawl_pace, 0, MAX_SECONDS)
    _number("--processing-seconds", options.processing_seconds, 0, MAX_SECONDS)
    if options.crawl_mode not in CRAWL_MODES:
        raise OptionError("--crawl-mode", f"expected one of {', '.join(CRAWL_MODES)}")
    if options.dialect not in DIALECTS:
        raise OptionError("--dialect", f"expected one of {', '.join(DIALECTS)}")
    for text in options.api_keys:
        parse_api_key(text)


def config_from(options: ServeOptions) -> EmulatorConfig:
    check_options(options)
    return EmulatorConfig(
        db_path=options.db,
        api_keys=dict(parse_api_key(k) for k in options.api_keys or (DEFAULT_API_KEY,)),
        crawl_mode=options.crawl_mode,
        crawl_pages_per_second=options.crawl_pace,
        processing_seconds=options.processing_seconds,
        latency_ms=options.latency_ms,
        fail_rate=options.fail_rate,
        rate_limit_rps=options.rate_limit,
        drop_after_commit_rate=options.drop_after_commit,
        seed=options.seed,
        dialect=options.dialect,
    )


def run(options: ServeOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Serve until Ctrl-C; the exit status: 130 when interrupted, 1 when it cannot serve."""
    out, err = out or sys.stdout, err or sys.stderr
    config = config_from(options)

    def ready(url: str) -> None:
        print(f"Robofy emulator listening on {url}", file=out, flush=True)
        print("ready", file=out, flush=True)

    where = f"{options.host}:{options.port}"
    try:
        serve(options.host, options.port, config, ready=ready, seed_demo=options.seed_demo)
    except KeyboardInterrupt:
        print("emulator stopped", file=err, flush=True)
        return 130
    except (OSError, OverflowError) as exc:
        return _failed(err, f"cannot serve on {where}: {exc}")
    except sqlite3.Error as exc:
        return _failed(err, f"cannot open the store {options.db}: {exc}")
    except ValueError as exc:
        return _failed(err, str(exc))
    return 0


def _failed(err: TextIO, message: str) -> int:
    print(f"kbsync emulator: {message}", file=err, flush=True)
    return 1


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors exiting 1 instead of 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="kbsync emulator", description="Serve the Robofy emulator on loopback HTTP.")
    d = ServeOptions()
    p.add_argument("--host", default=d.host, help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=d.port, help="port (0 = any free port)")
    p.add_argument("--db", default=d.db, help="SQLite file to keep state across restarts")
    p.add_argument(
        "--api-key",
        action="append",
        default=[],
        metavar="KEY=PID[,PID]",
        help="accepted API key and its projects (repeatable; default test-key=1)",
    )
    p.add_argument("--latency-ms", type=float, default=0.0, help="added latency per request")
    p.add_argument("--fail-rate", type=float, default=0.0, help="share of requests answered 500")
    p.add_argument(
        "--rate-limit",
        type=float,
        default=0.0,
        metavar="RPS",
        help="token-bucket limit in requests per second (0 = off)",
    )
    p.add_argument(
        "--drop-after-commit",
        type=float,
        default=0.0,
        metavar="RATE",
        help="share of requests whose connection drops after the commit",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the fault generator")
    p.add_argument(
        "--crawl-mode",
        choices=CRAWL_MODES,
        default=d.crawl_mode,
        help="simulate: generated sites (default); fetch: real HTTP crawls",
    )
    p.add_argument(
        "--crawl-pace",
        type=float,
        default=d.crawl_pace,
        metavar="PAGES_PER_SEC",
        help="simulated crawl pace (default 10 pages per second; 0 = all at once)",
    )
    p.add_argument(
        "--processing-seconds",
        type=float,
        default=d.processing_seconds,
        help="how long new texts and files stay Processing (default 0.5)",
    )
    p.add_argument(
        "--dialect",
        choices=DIALECTS,
        default=d.dialect,
        help="canonical: the assumed contract (default); documented: answer as Robofy's docs"
        " show (agent_name, data.report.rows, no limit, llm_source names, Linked files, ...)",
    )
    p.add_argument(
        "--seed-demo",
        action="store_true",
        help="create a dashboard-made demo agent in the lowest project",
    )
    return p


def options_from(args: argparse.Namespace) -> ServeOptions:
    """The parsed command line as plain options (``--api-key`` repeats into ``api_keys``)."""
    options = ServeOptions(**{k: v for k, v in vars(args).items() if k != "api_key"})
    return options._replace(api_keys=tuple(args.api_key or ()))


def main(argv: list[str] | None = None) -> int:
    """``python -m kbsync.emulator``: parse, check, serve."""
    p = parser()
    options = options_from(p.parse_args(argv))
    try:
        check_options(options)
    except OptionError as exc:
        p.error(f"argument {exc}")
    return run(options)
