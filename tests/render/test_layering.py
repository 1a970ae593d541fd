"""The renderers depend on the model, on each other and on the results they draw (golden-question
checks, watch cycles, errors) only, never on planning, applying or Robofy code."""

from __future__ import annotations

import ast
from pathlib import Path

import kbsync.render

RENDER = Path(kbsync.render.__file__).parent
# what renderers may read besides each other: the values they draw
DRAWN = {
    "kbsync.model",
    "kbsync.errors",
    "kbsync.error_handler",
    "kbsync.golden.checks",
    "kbsync.watch.engine",
}


def kbsync_imports(path: Path) -> set[str]:
    """The kbsync modules a source file imports (``from kbsync.x import y`` -> kbsync.x)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "kbsync" or name.startswith("kbsync.")}


def test_render_imports_only_the_values_it_draws() -> None:
    outside = {
        f"{path.name}: {name}"
        for path in sorted(RENDER.glob("*.py"))
        for name in kbsync_imports(path)
        if name not in DRAWN and not name.startswith("kbsync.render")
    }
    assert outside == set()
