"""``--sandbox``: the in-process Robofy emulator standing in for a real account.

Entry point: ``kbsync.sandbox.connect.open_sandbox_client``; ``demo`` seeds its demo agent.
"""

from __future__ import annotations
