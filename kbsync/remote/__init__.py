"""Stage 3, remote state: what the Robofy project holds for the manifest's agents.

Entry point: ``kbsync.remote.inventory.read_inventory``. Owns agent matching (pure).
"""

from __future__ import annotations
