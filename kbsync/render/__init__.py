"""Renderers: plans, results, golden-question checks, knowledge gaps, watch lines and
progress -> text, Markdown, JSON or a terminal bar. Pure but for ``progress``, which draws
while applying.

Entry points: ``text``, ``markdown``, ``json`` (plans and results), ``checks``, ``gaps``,
``watch_lines``, ``apply_json`` and ``progress.make_progress``.
"""

from __future__ import annotations
