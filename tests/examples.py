"""The repository's ``examples/`` folder, copied for a test as a fresh checkout has it."""

from __future__ import annotations

import shutil
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def copy_examples(into: Path) -> Path:
    """Copy ``examples/`` to ``into/examples`` and return that folder.

    ``.kbsync/`` is left out: the README's quickstart leaves its sandbox store there, and a
    test must start from what a fresh clone holds, not from what a user ran before it.
    """
    target = into / "examples"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns(".kbsync"))
    return target
