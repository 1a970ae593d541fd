"""A local emulator of the Robofy API (docs/robofy-contract.md), independent of the rest of kbsync.

    from kbsync.emulator import EmulatorConfig, create_app, serve

``create_app(config)`` is a WSGI callable (use it through ``httpx.WSGITransport``);
``serve(host, port, config)`` serves it over loopback HTTP until Ctrl-C.
"""

from __future__ import annotations

from kbsync.emulator.app import EmulatorApp, create_app
from kbsync.emulator.config import EmulatorConfig
from kbsync.emulator.server import BackgroundServer, serve

__all__ = ["BackgroundServer", "EmulatorApp", "EmulatorConfig", "create_app", "serve"]
