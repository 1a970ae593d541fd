"""`kbsync schema`: print the manifest's JSON Schema (for editors and CI)."""

from __future__ import annotations

import json
from typing import TextIO

from kbsync.manifest.schema import manifest_json_schema


def schema_text() -> str:
    """The schema exactly as stored in kbsync/schemas/manifest.schema.json."""
    return json.dumps(manifest_json_schema(), indent=2, ensure_ascii=False) + "\n"


def schema(out: TextIO) -> int:
    out.write(schema_text())
    return 0
