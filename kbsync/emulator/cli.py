"""The emulator's command line (argparse; ``kbsync emulator ARGS`` passes ARGS straight here)."""

from __future__ import annotations

import argparse
import sqlite3
import sys

from kbsync.emulator.config import CRAWL_MODES, EmulatorConfig
from kbsync.emulator.dialect import CANONICAL, DIALECTS
from kbsync.emulator.server import serve


def _api_key(text: str) -> tuple[str, tuple[int, ...]]:
    key, sep, pids = text.partition("=")
    try:
        projects = tuple(int(p) for p in pids.split(",") if p.strip())
    except ValueError:
        projects = ()
    if not sep or not key or not projects:
        raise argparse.ArgumentTypeError("expected KEY=PID[,PID...], e.g. test-key=1")
    return key, projects


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kbsync emulator", description="Serve the Robofy emulator on loopback HTTP."
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    p.add_argument("--db", default=":memory:", help="SQLite file to keep state across restarts")
    p.add_argument(
        "--api-key",
        action="append",
        type=_api_key,
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
        default="simulate",
        help="simulate: generated sites (default); fetch: real HTTP crawls",
    )
    p.add_argument(
        "--crawl-pace",
        type=float,
        default=10.0,
        metavar="PAGES_PER_SEC",
        help="simulated crawl pace (default 10 pages per second)",
    )
    p.add_argument(
        "--processing-seconds",
        type=float,
        default=0.5,
        help="how long new texts and files stay Processing",
    )
    p.add_argument(
        "--dialect",
        choices=DIALECTS,
        default=CANONICAL,
        help="canonical: the assumed contract (default); documented: answer as Robofy's docs"
        " show (agent_name, data.report.rows, no limit, llm_source names, Linked files, ...)",
    )
    p.add_argument(
        "--seed-demo",
        action="store_true",
        help="create a dashboard-made demo agent in the lowest project",
    )
    return p


def config_from(args: argparse.Namespace) -> EmulatorConfig:
    rates = (args.fail_rate, args.drop_after_commit)
    if any(not 0 <= r <= 1 for r in rates) or min(args.latency_ms, args.rate_limit) < 0:
        raise SystemExit("kbsync emulator: rates must be between 0 and 1, times >= 0")
    return EmulatorConfig(
        db_path=args.db,
        api_keys=dict(args.api_key or [("test-key", (1,))]),
        crawl_mode=args.crawl_mode,
        crawl_pages_per_second=args.crawl_pace,
        processing_seconds=args.processing_seconds,
        latency_ms=args.latency_ms,
        fail_rate=args.fail_rate,
        rate_limit_rps=args.rate_limit,
        drop_after_commit_rate=args.drop_after_commit,
        seed=args.seed,
        dialect=args.dialect,
    )


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    config = config_from(args)

    def ready(url: str) -> None:
        print(f"Robofy emulator listening on {url}", flush=True)
        print("ready", flush=True)

    try:
        serve(args.host, args.port, config, ready=ready, seed_demo=args.seed_demo)
    except KeyboardInterrupt:
        print("emulator stopped", file=sys.stderr, flush=True)
        return 130
    except (OSError, OverflowError) as exc:
        print(f"kbsync emulator: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"kbsync emulator: {exc}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        print(f"kbsync emulator: cannot open the store {args.db}: {exc}", file=sys.stderr)
        return 1
    return 0
