"""GitHub integration: step summaries, annotations, log groups, sticky PR comment, action."""

from __future__ import annotations
