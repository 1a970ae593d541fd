"""What a validated manifest says about each agent, before any file is read."""

from __future__ import annotations

from typing import NamedTuple

from kbsync.manifest.yamlload import Loc
from kbsync.model import DesiredSite, GoldenCheck, Scalar


class TextSpec(NamedTuple):
    name: str
    content: str | None  # inline content, or None when read from `file`
    file: str | None  # path relative to the manifest
    loc: Loc  # where the entry's `file:` (or the entry) is written


class FileSpec(NamedTuple):
    path: str  # a folder or one file, relative to the manifest (as written)
    include: tuple[str, ...]  # empty: every supported type
    exclude: tuple[str, ...]
    loc: Loc  # where `path:` is written
    oversize_error: bool = False  # `oversize: error`: a folder's file over 10 MB is an error


class PromptSpec(NamedTuple):
    text: str | None  # inline prompt
    file: str | None  # prompt file relative to the manifest
    loc: Loc


class AgentSpec(NamedTuple):
    key: str
    loc: Loc
    name: str
    id: str | None
    profile: dict[str, Scalar]  # declared profile fields, "name" included
    prompt: PromptSpec | None
    settings: dict[str, Scalar]
    persona: dict[str, Scalar] | None
    prune: str
    declares_knowledge: bool
    texts: tuple[TextSpec, ...]
    files: tuple[FileSpec, ...]
    sites: tuple[DesiredSite, ...]
    checks: tuple[GoldenCheck, ...]
