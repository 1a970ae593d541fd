"""Pure renderers: Plan / ApplyResult -> text, Markdown, JSON."""

from __future__ import annotations
