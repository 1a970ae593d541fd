"""MkDocs hook: the manifest reference's tables come from `kbsync schema`, at build time."""

from __future__ import annotations

import json
from typing import Any

from kbsync.commands.schema import schema_text
from kbsync.schema_markdown import render_page

PAGE = "reference/manifest.md"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri != PAGE:
        return markdown
    return render_page(markdown, json.loads(schema_text()))
