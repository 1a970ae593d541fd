"""kbsync: GitOps for Robofy chatbot content."""

from __future__ import annotations

from kbsync.lean_imports import refuse_httpx_cli

__version__ = "0.1.0"

refuse_httpx_cli()
