"""Knowledge gaps (``kbsync gaps``): what visitors asked that an agent answered with "not
found", read from Robofy's Inbox, redacted and grouped.

Entry points: ``kbsync.gaps.read.read_asked`` (each agent's recent questions and replies)
and ``kbsync.gaps.grouping.group_gaps`` (pure). ``redact`` removes personal data before
anything is shown; the report is drawn by ``kbsync.gaps.report``.
"""

from __future__ import annotations
