"""Knowledge gaps at scale: `kbsync gaps` summarising 10,000 sessions of one agent.

Seeds ``python -m kbsync.emulator`` on loopback (setup, not timed) with ``--sessions``
conversations spread over the last 30 days: one to three exchanges each, about 40% of the
questions about things the agent's knowledge lacks (60 topics, each in a few wordings,
some with e-mail addresses or order numbers), the rest answered from one text. Every 20th
session is too long for the listing to carry whole, so its messages are read through List
Session Messages. Then times ``kbsync gaps --since 30d --max-sessions N --format json`` as a
subprocess, ``--repeat`` times (median), and checks what it found against what was seeded.

Targets: median under 10 s; every session read; the gap groups found are the seeded topics.
Run: ``python benchmarks/gaps_summary.py [--sessions 10000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from support import (
    BENCH_KEY,
    PROJECT,
    Emulator,
    env_for_kbsync,
    kbsync_command,
    machine,
    record,
    run_timed,
    verdict,
)

AGENT = "Gaps bench"
KNOWN = "Standard shipping takes two to four business days. Returns are free within 30 days."
ANSWERED = ("How long does shipping take?", "Are returns free?", "shipping time?")
TOPICS = 60
WORDINGS = ("Do you have {t}?", "do you have {t}", "Is there {t}?", "Any {t} at all?")
PER_POST = 2_000
DAY = 86_400


_NAMES = random.Random(5)
# made-up things the knowledge does not mention: two random words each, no word shared
TOPIC_NAMES = [
    " ".join("".join(_NAMES.choices("bcdfghjklmnpqrstvwz", k=4)) + "ia" for _ in range(2))
    for _ in range(TOPICS)
]


def topic(i: int) -> str:
    return TOPIC_NAMES[i]


def question(rng: random.Random) -> tuple[str, bool]:
    """(question, is it a gap)."""
    if rng.random() >= 0.4:
        return rng.choice(ANSWERED), False
    text = rng.choice(WORDINGS).format(t=topic(rng.randrange(TOPICS)))
    if rng.random() < 0.1:
        text += rng.choice((" Mail me: someone@example.com", " Order 99812345."))
    return text, True


def conversations(count: int, seed: int = 11) -> tuple[list[dict[str, Any]], int]:
    rng = random.Random(seed)
    made: list[dict[str, Any]] = []
    gaps = 0
    for i in range(count):
        length = 12 if i % 20 == 0 else rng.randint(1, 3)  # 12 exchanges: 24 messages
        asked = [question(rng) for _ in range(length)]
        gaps += sum(is_gap for _, is_gap in asked)
        exchanges = [{"question": q} for q, _ in asked]
        seconds_ago = rng.uniform(3600, 29 * DAY)
        made.append({"platform": "web", "seconds_ago": seconds_ago, "exchanges": exchanges})
    return made, gaps


def seed(emulator: Emulator, sessions: int) -> tuple[str, int]:
    auth = {"Authorization": f"Bearer {BENCH_KEY}"}
    created = emulator.http.post(
        f"/v1/ai-agent/chatbot/{PROJECT}", json={"name": AGENT, "language": "en"}, headers=auth
    )
    chatbot_id = str(created.json()["data"])
    text = {"chatbot_id": chatbot_id, "content": KNOWN, "file_name": "Shipping"}
    emulator.http.post(f"/v1/ai-agent/link_content/{PROJECT}", json=text, headers=auth)
    made, gaps = conversations(sessions)
    for start in range(0, len(made), PER_POST):
        body = {"chatbot_id": chatbot_id, "conversations": made[start : start + PER_POST]}
        emulator.http.post("/_emulator/conversations", json=body).raise_for_status()
    return chatbot_id, gaps


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2 runs instead of 3 (run_all)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat = min(args.repeat, 2)
    print(machine(), flush=True)
    with Emulator() as emulator, tempfile.TemporaryDirectory() as tmp:
        _, seeded_gaps = seed(emulator, args.sessions)
        folder = Path(tmp)
        manifest = (
            f"version: 1\nproject: {PROJECT}\nagents:\n  bench: {{name: {AGENT}, language: en}}\n"
        )
        (folder / "kbsync.yaml").write_text(manifest)
        command = kbsync_command(
            "gaps", "--since", "30d", "--max-sessions", str(args.sessions), "--format", "json"
        )
        runs = [
            run_timed(command, env=env_for_kbsync(emulator.base_url), cwd=folder)
            for _ in range(args.repeat)
        ]
        requests = emulator.requests()
    failed = next((r for r in runs if r.code != 0), None)
    if failed is not None:
        print(failed.stderr, file=sys.stderr)
        return verdict("gaps", False, f"kbsync gaps exited {failed.code}") and 1
    document = json.loads(runs[-1].stdout)
    median = statistics.median(r.seconds for r in runs)
    per_run = {k: v // args.repeat for k, v in requests.items() if "inbox" in k}
    print(
        f"runs: {', '.join(f'{r.seconds:.2f} s' for r in runs)}; peak RSS {runs[-1].rss_mb:.0f} MB"
    )
    print(f"requests per run: {per_run}")
    summary = document["summary"]
    print(f"found: {summary}")
    fastest = min(r.seconds for r in runs)
    record(
        f"`kbsync gaps`, {args.sessions:,} sessions (whole command)",
        f"median {median:.2f} s (min {fastest:.2f}), peak RSS {runs[-1].rss_mb:.0f} MB",
        target="< 10 s",
        ok=median < 10.0,
    )
    ok = [
        median < 10.0,
        verdict(
            "complete",
            summary["sessions"] == args.sessions,
            f"{summary['sessions']:,} sessions read",
        ),
        verdict(
            "gaps",
            summary["unanswered"] == seeded_gaps,
            f"{summary['unanswered']:,} unanswered of {seeded_gaps:,} seeded",
        ),
        verdict(
            "groups",
            len(document["gaps"]) == TOPICS,
            f"{len(document['gaps'])} groups for {TOPICS} seeded topics",
        ),
    ]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
