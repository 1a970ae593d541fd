"""Open only regular files, and never write through a link kbsync did not make.

A FIFO, a device or a socket named where a file is expected would block a read (or
a write) forever: ``open`` itself waits for the other end of a pipe. Every file kbsync
reads from the manifest's folder is opened non-blocking and checked with ``fstat``
on the open descriptor (so a file swapped after a directory walk is caught too), and
every file it writes in ``.kbsync/`` is opened with ``O_NOFOLLOW``: a symlink there,
even a dangling one, is refused instead of creating or changing its target.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # not on Windows, which has no FIFOs to fear
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class NotRegularFile(OSError):
    """The path is a pipe, a device, a socket or a folder (or a refused link)."""


def open_regular(path: Path | str, *, follow_links: bool = True) -> BinaryIO:
    """``path`` opened for binary reading, only if it is a regular file."""
    flags = os.O_RDONLY | _NONBLOCK | _CLOEXEC | _BINARY | (0 if follow_links else _NOFOLLOW)
    return _checked(_open(path, flags), path, "rb")


def open_state_file(path: Path | str, *, append: bool = True) -> BinaryIO:
    """A file of kbsync's own in ``.kbsync/``, created if missing, never through a link."""
    flags = os.O_WRONLY | os.O_CREAT | _NONBLOCK | _NOFOLLOW | _CLOEXEC | _BINARY
    return _checked(_open(path, flags | (os.O_APPEND if append else 0)), path, "ab")


def read_regular(path: Path | str, limit: int | None = None) -> bytes:
    """The bytes of a regular file (at most ``limit`` + 1 when given, to detect excess)."""
    with open_regular(path) as f:
        return f.read() if limit is None else f.read(limit + 1)


def refuse_link_or_special(path: Path | str) -> None:
    """NotRegularFile when ``path`` exists as anything but a regular file (lstat: a link
    is not followed). For files another library opens by name (SQLite)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise NotRegularFile(errno.EINVAL, f"{_kind(mode)}, not a regular file", str(path))


def _open(path: Path | str, flags: int) -> int:
    try:
        return os.open(path, flags, 0o644)
    except OSError as e:
        if e.errno == errno.ELOOP and flags & _NOFOLLOW:
            raise NotRegularFile(errno.ELOOP, "a symlink, refused", str(path)) from None
        raise


def _checked(fd: int, path: Path | str, mode: str) -> BinaryIO:
    try:
        kind = os.fstat(fd).st_mode
        if not stat.S_ISREG(kind):
            raise NotRegularFile(errno.EINVAL, f"{_kind(kind)}, not a regular file", str(path))
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, mode, buffering=0)  # type: ignore[return-value]
    except BaseException:
        os.close(fd)
        raise


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symlink"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    ):
        if test(mode):
            return name
    return "a special file"
