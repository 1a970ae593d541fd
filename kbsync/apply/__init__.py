"""Stage 5, apply: carry out a plan against Robofy.

Entry point: ``kbsync.apply.session.ApplySession`` (ONE guarded apply for ``apply`` and
every ``watch`` cycle: lock, plan, refuse, apply), around ``executor.apply_plan``. Owns the
steps behind each action kind, waiting for crawls and processing, and the apply lock.
"""

from __future__ import annotations
