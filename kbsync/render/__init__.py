"""Renderers: plans, results, golden-question checks, watch lines and progress -> text,
Markdown, JSON or a terminal bar. Pure but for ``progress``, which draws while applying.

Entry points: ``text``, ``markdown``, ``json`` (plans and results), ``checks``,
``watch_lines``, ``apply_json`` and ``progress.make_progress``; ``neutralise`` makes
foreign text inert wherever kbsync prints it.
"""

from __future__ import annotations
