"""Which files a `files:` entry takes: include/exclude (gitignore syntax), .kbsyncignore,
hidden and editor temp files skipped, supported types only, 10 MB at most.

A folder's files of other types, and (unless the entry says ``oversize: error``) those
over 10 MB, are skipped and reported (``Walked.skipped``); a file named on its own is
taken or is an error."""

from __future__ import annotations

import fnmatch
import os
import re
import warnings
from pathlib import Path
from typing import NamedTuple

import pathspec

from kbsync.desired.hashcache import FileStat
from kbsync.desired.paths import PathProblem, check_within, inside
from kbsync.manifest.specs import FileSpec
from kbsync.model import SKIP_OVERSIZE, SKIP_UNSUPPORTED, SkippedFile
from kbsync.robofy.contract import FILE_EXTENSIONS as SUPPORTED_EXTENSIONS
from kbsync.robofy.contract import MAX_FILE_BYTES
from kbsync.safefiles import read_regular

IGNORE_FILE = ".kbsyncignore"
TEMP_PATTERNS = ("*~", ".*.swp", ".#*", "#*#", "*.tmp", ".DS_Store")


class Walked(NamedTuple):
    files: list[FileStat]  # sorted by rel
    problems: list[str]  # messages naming the file
    skipped: list[SkippedFile] = []  # sorted by path


_NOT_UTF8 = re.compile("[\udc80-\udcff]")
_TEMP = re.compile("|".join(fnmatch.translate(p) for p in TEMP_PATTERNS))
_SUPPORTED = frozenset(SUPPORTED_EXTENSIONS)


def is_ignored_name(name: str) -> bool:
    """Hidden files and folders and common editor temp files: never taken from a folder."""
    return name.startswith(".") or _TEMP.match(name) is not None


def is_supported(name: str) -> bool:
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in _SUPPORTED


def size_problem(rel: str, size: int) -> str | None:
    if size == 0:  # Robofy refuses an empty upload: it would fail at every apply
        return f"{rel} is empty (0 bytes); Robofy refuses empty files: add content or exclude it"
    if size <= MAX_FILE_BYTES:
        return None
    return f"{rel} is {size / 1024 / 1024:.1f} MB ({size:,} bytes); files may be at most 10 MB"


def walk_entry(root: Path, spec: FileSpec) -> Walked:
    """The files of one entry; PathProblem when the entry's own path is unusable."""
    path, rel = inside(root, spec.path)
    if path.is_file():
        return _single(root, path, rel)
    if not path.is_dir():
        raise PathProblem(f"not a file or folder: {spec.path}")
    walker = _Walker(root, path, rel, spec)
    walker.walk(str(path), "")
    if not walker.files and not walker.problems:
        raise PathProblem(f"folder {spec.path} matches no files{walker.describe_filters()}")
    return Walked(sorted(walker.files), sorted(walker.problems), sorted(walker.skipped))


def _single(root: Path, path: Path, rel: str) -> Walked:
    if not is_supported(path.name):
        return Walked([], [_unsupported(rel)])
    stat = FileStat(rel, str(path), *_stat(path))
    too_big = size_problem(rel, stat.size)
    return Walked([] if too_big else [stat], [too_big] if too_big else [])


def _unsupported(rel: str) -> str:
    ext = os.path.splitext(rel)[1] or "(no extension)"
    return f"unsupported file type {ext}: {rel} (supported: {' '.join(SUPPORTED_EXTENSIONS)})"


def _stat(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


def _spec(lines: tuple[str, ...] | list[str], where: str) -> pathspec.GitIgnoreSpec | None:
    """The patterns compiled; PathProblem naming the first one that is not a pattern
    (a trailing backslash, a lone ``!``, a reversed range like ``[z-a]``)."""
    if not lines:
        return None
    try:
        return _compiled(lines)
    except (ValueError, re.error):
        number, line, reason = _first_bad_pattern(lines)
        raise PathProblem(f"{where} {number}: {line!r} is not a valid pattern ({reason})") from None


def _compiled(lines: tuple[str, ...] | list[str]) -> pathspec.GitIgnoreSpec:
    with warnings.catch_warnings():  # re's FutureWarning about "[[" is not ours to show
        warnings.simplefilter("ignore", FutureWarning)
        return pathspec.GitIgnoreSpec.from_lines(lines)


def _first_bad_pattern(lines: tuple[str, ...] | list[str]) -> tuple[int, str, str]:
    for number, line in enumerate(lines, 1):
        try:
            _compiled([line])
        except (ValueError, re.error) as e:
            return number, line, str(e)
    return 0, "", "invalid patterns"  # only together: no single line to blame


class _Walker:
    def __init__(self, root: Path, folder: Path, rel: str, spec: FileSpec) -> None:
        self.root = root
        self.prefix = "" if rel == "." else rel + "/"
        self.spec = spec
        self.include = _spec(spec.include, "include: pattern")
        self.exclude = _spec(spec.exclude, "exclude: pattern")
        self.files: list[FileStat] = []
        self.problems: list[str] = []
        self.skipped: list[SkippedFile] = []
        self.ignore = _spec(self._ignore_lines(folder / IGNORE_FILE), self._ignore_rel() + " line")
        self.drop = tuple(s for s in (self.exclude, self.ignore) if s is not None)
        top = folder.stat()
        self.seen_dirs: set[tuple[int, int]] = {(top.st_dev, top.st_ino)}

    def walk(self, folder: str, sub: str) -> None:
        """``folder`` and every path below it stay the strings ``os.scandir`` gives: a Path
        per file would parse each path again (for 10,000 files, a third of a warm run)."""
        try:
            with os.scandir(folder) as entries:
                for entry in entries:  # order does not matter: results are sorted at the end
                    if not is_ignored_name(entry.name):
                        self._visit(entry, sub + entry.name)
        except OSError as e:
            self.problems.append(f"cannot read folder {self.prefix}{sub}: {e.strerror}")

    def _visit(self, entry: os.DirEntry[str], sub: str) -> None:
        if entry.is_symlink():
            try:  # a link: followed only while it stays inside the manifest's folder
                check_within(self.root, Path(entry.path), self.prefix + sub)
            except PathProblem as e:
                self.problems.append(str(e))
                return
        if entry.is_dir():  # follows a link to its target
            self._folder(entry, sub)
        elif entry.is_file():  # not sockets, pipes or devices: reading a pipe would block
            self._file(entry, sub)

    def _folder(self, entry: os.DirEntry[str], sub: str) -> None:
        if self.drop and self._dropped(sub + "/"):
            return
        st = entry.stat()
        if (st.st_dev, st.st_ino) in self.seen_dirs:  # a link loop, or reached twice via links
            return
        self.seen_dirs.add((st.st_dev, st.st_ino))
        self.walk(entry.path, sub + "/")

    def _file(self, entry: os.DirEntry[str], sub: str) -> None:
        if self.drop and self._dropped(sub):
            return
        name = entry.name
        if _NOT_UTF8.search(sub):  # os.scandir keeps undecodable bytes as lone surrogates
            self.problems.append(f"{self.prefix}{sub}: the file name is not UTF-8; rename it")
            return
        if self.include is None:
            if not is_supported(name):  # no include given: other types are not taken
                self.skipped.append(SkippedFile(self.prefix + sub, SKIP_UNSUPPORTED))
                return
        elif not self.include.match_file(sub):
            return
        elif not is_supported(name):
            self.problems.append(_unsupported(self.prefix + sub))
            return
        try:
            st = entry.stat()
        except OSError as e:
            self.problems.append(f"cannot read {self.prefix}{sub}: {e.strerror}")
            return
        if st.st_size > MAX_FILE_BYTES:
            self._oversize(self.prefix + sub, st.st_size)
            return
        empty = size_problem(self.prefix + sub, st.st_size)  # 0 bytes: Robofy refuses it
        if empty:
            self.problems.append(empty)
            return
        stat = FileStat(self.prefix + sub, entry.path, st.st_size, st.st_mtime_ns, st.st_ino)
        self.files.append(stat)

    def _oversize(self, rel: str, size: int) -> None:
        """Skipped with a warning, or an error when the entry says ``oversize: error``."""
        if self.spec.oversize_error:
            self.problems.append(size_problem(rel, size) or "")
        else:
            self.skipped.append(SkippedFile(rel, SKIP_OVERSIZE))

    def _ignore_lines(self, path: Path) -> list[str]:
        """The folder's .kbsyncignore; a link to a file outside the manifest's folder is
        a problem, not read."""
        if path.is_symlink():
            try:
                check_within(self.root, path, self.prefix + IGNORE_FILE)
            except PathProblem as e:
                self.problems.append(str(e))
                return []
        return _read_ignore_file(path, self._ignore_rel())

    def _ignore_rel(self) -> str:
        return self.prefix + IGNORE_FILE

    def _dropped(self, sub: str) -> bool:
        return any(spec.match_file(sub) for spec in self.drop)

    def describe_filters(self) -> str:
        parts = []
        if self.spec.include:
            parts.append(f"include: {', '.join(self.spec.include)}")
        if self.spec.exclude:
            parts.append(f"exclude: {', '.join(self.spec.exclude)}")
        if self.ignore is not None:
            parts.append(f"{IGNORE_FILE} applies")
        if not self.spec.include:
            parts.append("supported types: " + " ".join(SUPPORTED_EXTENSIONS))
        return f" ({'; '.join(parts)})"


def _read_ignore_file(path: Path, shown: str) -> list[str]:
    """Its lines; none when there is no such file. One that exists but cannot be read
    is an error: silently ignoring it would upload what it meant to exclude."""
    try:
        data = read_regular(path)
    except FileNotFoundError:
        return []
    except OSError as e:
        raise PathProblem(f"cannot read {shown}: {e.strerror or e}") from None
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as e:
        raise PathProblem(f"{shown} is not UTF-8 text (byte {e.start})") from None
