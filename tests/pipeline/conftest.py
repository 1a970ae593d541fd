"""The pipeline tests use the executor tests' World (emulator + real client)."""

from __future__ import annotations

from tests.executor.conftest import any_world, world

__all__ = ["any_world", "world"]
