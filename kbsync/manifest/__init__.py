"""Stage 1, the manifest: YAML with positions, the schema language, the manifest schema, specs,
building them, refusing secrets, durations and website URL rules (shared by later stages).

Entry point: ``kbsync.manifest.load.load_manifest`` (path -> validated ``Manifest`` of
``AgentSpec``s, every problem located). Reads no file but the manifest itself.
"""

from __future__ import annotations
