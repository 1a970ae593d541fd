"""Stage 4, the plan: desired + remote -> a ``Plan`` of actions. Pure but for limits and I/O of
saved plan files; never imports httpx, yaml, click or the Robofy client (import-linter).

Entry point: ``kbsync.plan.planner.plan``. Also: guards, limits preflight, saved plan files
(``planfile``) and ``pipeline.read_and_plan`` (read the remote state, then plan).
"""

from __future__ import annotations
