"""The reference for apply_throughput.py: what a hand-written script would do.

``python benchmarks/naive_apply.py BASE_URL CHATBOT_ID N``: posts N texts one after
another on one kept-alive httpx connection, the same texts kbsync adds. Timed as a whole
process (Python start-up and importing httpx included), like the kbsync command it is
compared with.
"""

from __future__ import annotations

import sys

import httpx
from apply_throughput import text_content
from support import BENCH_KEY, PROJECT


def main(base_url: str, chatbot_id: str, items: int) -> int:
    headers = {"Authorization": f"Bearer {BENCH_KEY}"}
    done = 0
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
        for i in range(items):
            body = {"chatbot_id": chatbot_id, "file_name": f"faq-{i:05d}.txt"}
            body["content"] = text_content(i)
            answer = http.post(f"/v1/ai-agent/link_content/{PROJECT}", json=body)
            done += answer.status_code == 200
    print(done)
    return 0 if done == items else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
