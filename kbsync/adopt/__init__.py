"""Adopting an existing account: ``kbsync import`` and ``kbsync doctor``.

Entry points: ``kbsync.adopt.snapshots.read_snapshots`` then
``kbsync.adopt.manifest_text.build_manifest`` (import), ``kbsync.adopt.doctor.diagnose`` (doctor).
"""

from __future__ import annotations
