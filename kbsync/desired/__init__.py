"""Stage 2, desired state: manifest + files on disk -> ``DesiredState``.

Entry point: ``kbsync.desired.expand.load_desired_state``. Owns the file walk, the hash
cache, manifest-relative paths and kbsync's ownership markers.
"""

from __future__ import annotations
