"""Importing httpx without its command-line tool.

httpx's ``__init__`` imports ``httpx._main`` (the ``httpx`` command), which imports click,
rich and pygments: about 60 of the 100-130 ms that importing httpx takes, paid by every
kbsync command that talks to Robofy, for a tool kbsync never runs. httpx already copes
with that module missing (it is how httpx runs without its ``[cli]`` extra: ``httpx.main``
then prints an installation hint), so kbsync refuses that one module through the import
system's public hook, ``sys.meta_path``. Nothing else is touched; rich is still imported
where kbsync draws a progress bar. tests/perf/test_startup_imports.py fails when the
refusal stops working (for example when a future httpx renames the module).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importlib.abc costs 12 ms at start-up; a finder needs only find_spec
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

HTTPX_CLI = "httpx._main"


class _RefuseHttpxCli:
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname == HTTPX_CLI:
            raise ImportError("kbsync does not load httpx's command-line tool")
        return None


def refuse_httpx_cli() -> None:
    """Install the refusal once, before anything imports httpx."""
    if not any(isinstance(finder, _RefuseHttpxCli) for finder in sys.meta_path):
        sys.meta_path.insert(0, _RefuseHttpxCli())
