"""Helpers for the documentation tests: the repository, the site's pages and its nav."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from kbsync.commands.schema import schema_text
from kbsync.schema_markdown import render_page

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
MANIFEST_PAGE = DOCS / "reference" / "manifest.md"


def manifest_reference() -> str:
    """The manifest reference page as the site's build hook renders it."""
    return render_page(MANIFEST_PAGE.read_text(encoding="utf-8"), json.loads(schema_text()))


def nav_pages() -> list[str]:
    """Every page named in mkdocs.yml's nav, relative to docs/."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    pages: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            pages.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(config["nav"])
    return pages
