"""``python -m kbsync.emulator``: serve the Robofy emulator (see ``--help``)."""

from __future__ import annotations

import sys

from kbsync.emulator.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
