"""Golden questions: ask each agent through the chat endpoint and judge its answers.

Entry point: ``kbsync.golden.checks.run_checks`` (``kbsync check``, ``apply --check``).
``pacing`` keeps the questions under Robofy's fair-use chat limits.
"""

from __future__ import annotations
