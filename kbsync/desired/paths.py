"""Paths the manifest names: relative to its folder, and never leading out of it."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path, PurePosixPath, PureWindowsPath

STATE_FOLDER = ".kbsync"  # kbsync's own files beside the manifest: caches, lock, sandbox


class PathProblem(Exception):
    """A path the manifest may not use; the message names it."""


def inside(root: Path, written: str) -> tuple[Path, str]:
    """(absolute path, normalized posix path relative to root) for a path as written.

    ``root`` must be resolved. Refuses absolute paths, ``..`` leaving the folder, and
    symlinks anywhere along the path that lead outside it; the path must exist.
    """
    text = written.replace("\\", "/")
    if PurePosixPath(text).is_absolute() or PureWindowsPath(written).drive:
        raise PathProblem(
            f"absolute path not allowed: {written} (write it relative to the manifest)"
        )
    rel = posixpath.normpath(text)
    if rel == ".." or rel.startswith("../"):
        raise PathProblem(f"path leaves the manifest folder: {written}")
    path = root / rel if rel != "." else root
    if not os.path.lexists(path):
        raise PathProblem(f"not found: {written}")
    check_within(root, path, written)
    return path, rel


def check_within(root: Path, path: Path, shown: str) -> Path:
    """The real path behind ``path``; PathProblem when a symlink leads outside ``root``."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # broken link or a link loop
        raise PathProblem(f"broken symlink: {shown}") from None
    if real != root and root not in real.parents:
        raise PathProblem(f"symlink leads outside the manifest folder: {shown} -> {real}")
    return real


def state_folder(root: Path) -> Path | None:
    """``.kbsync/`` in the manifest's folder, or None when it is a symlink or not a folder:
    a checked-out link must not turn kbsync's caches into writes somewhere else."""
    path = root / STATE_FOLDER
    if path.is_symlink() or (os.path.lexists(path) and not path.is_dir()):
        return None
    return path
