"""`python -m kbsync` runs the command line."""

from __future__ import annotations

from kbsync.cli import main

if __name__ == "__main__":
    main()
