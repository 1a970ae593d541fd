"""The Robofy API client: the only package that knows Robofy's wire format."""

from __future__ import annotations
