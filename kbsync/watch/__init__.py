"""Stage 6, watch: apply again after every change to the manifest or its files.

Entry point: ``kbsync.watch.engine.run_loop`` (watchdog -> debounced cycles of ONE function).
"""

from __future__ import annotations
