"""Expand a manifest into desired state: read prompt and text files, walk docs folders,
fingerprint every text and file, and report every problem at once."""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from kbsync.apikey import guarded_key
from kbsync.desired.filewalk import walk_entry
from kbsync.desired.hashcache import FileStat, HashCache
from kbsync.desired.paths import PathProblem, inside
from kbsync.errors import ManifestError, Problem
from kbsync.manifest.knowledge import text_problems
from kbsync.manifest.load import Manifest, parse_manifest, sort_problems
from kbsync.manifest.secrets import secret_in_text
from kbsync.manifest.specs import AgentSpec, FileSpec
from kbsync.manifest.yamlload import Loc
from kbsync.model import (
    FILE,
    TEXT,
    DesiredAgent,
    DesiredAsset,
    DesiredState,
    PruneMode,
    SkippedFile,
)
from kbsync.robofy.contract import MAX_PROMPT_CHARS
from kbsync.safefiles import read_regular

MAX_READ_TEXT_BYTES = 4 * 1024 * 1024  # a text holds at most 1,000,000 characters


def load_desired_state(
    path: Path, env: Mapping[str, str], *, use_cache: bool = True, placeholders: bool = False
) -> DesiredState:
    """Load, validate and expand the manifest; ManifestError with every problem found.

    ``placeholders`` (validate only): unset variables are placeholders, not problems."""
    manifest, problems = parse_manifest(path, env, placeholders=placeholders)
    if manifest is None:
        raise ManifestError(sort_problems(problems))
    key = guarded_key(env)
    secret = key.encode() if key is not None else None
    cache = HashCache(manifest.root, enabled=use_cache, secret=secret)
    expansion = _Expansion(manifest, cache, env)
    agents = expansion.run(hash_files=not problems)
    problems += expansion.problems
    if problems:
        raise ManifestError(sort_problems(problems))
    return DesiredState(
        project=manifest.project,
        agents=agents,
        manifest_path=manifest.path,
        manifest_fingerprint=manifest.fingerprint,
        file_fingerprints=dict(sorted(expansion.fingerprints.items())),
        unset=manifest.unset,
        statuses=manifest.statuses,
    )


class _Walked(NamedTuple):
    spec: AgentSpec
    files: tuple[FileStat, ...]
    entry_locs: dict[str, Loc]  # file rel path -> where the entry that took it is written
    skipped: tuple[SkippedFile, ...] = ()


class _Expansion:
    def __init__(self, manifest: Manifest, cache: HashCache, env: Mapping[str, str]) -> None:
        self.manifest = manifest
        self.env = env
        self.root = manifest.root
        self.cache = cache
        self.problems: list[Problem] = []
        self.fingerprints: dict[str, str] = {}

    def run(self, *, hash_files: bool) -> tuple[DesiredAgent, ...]:
        """Every agent expanded; files are hashed only while nothing is wrong yet (an
        invalid manifest should not cost a read of every document to say so)."""
        walked = [self._walk_files(spec) for spec in self.manifest.agents]
        hashes: dict[str, str] = {}
        failures: dict[str, str] = {}
        if hash_files and not self.problems:
            unique = {f.rel: f for w in walked for f in w.files}
            hashes, failures = self.cache.hash_files(unique.values())
            self.cache.save()
        self.fingerprints.update(hashes)
        agents = tuple(self._agent(w, hashes, failures) for w in walked)
        return agents

    def problem(self, spec: AgentSpec, loc: Loc, message: str) -> None:
        where = f"agents.{spec.key}: "
        self.problems.append(Problem(self.manifest.display, loc.line, loc.col, where + message))

    def _walk_files(self, spec: AgentSpec) -> _Walked:
        found: dict[str, FileStat] = {}
        locs: dict[str, Loc] = {}
        skipped: dict[str, SkippedFile] = {}
        reached = _Reached(self.root)
        for entry in spec.files:
            try:
                walked = walk_entry(self.root, entry)
                reached.check_entry(entry)
            except PathProblem as e:
                self.problem(spec, entry.loc, f"files: {e}")
                continue
            for message in walked.problems + reached.same_files(walked.files):
                self.problem(spec, entry.loc, f"files: {message}")
            for f in walked.files:
                found.setdefault(f.rel, f)
                locs.setdefault(f.rel, entry.loc)
            skipped.update((s.path, s) for s in walked.skipped)
        left_out = tuple(s for path, s in sorted(skipped.items()) if path not in found)
        return _Walked(spec, tuple(sorted(found.values())), locs, left_out)

    def _agent(
        self, walked: _Walked, hashes: dict[str, str], failures: dict[str, str]
    ) -> DesiredAgent:
        spec = walked.spec
        files = []
        for f in walked.files:
            if f.rel in hashes:
                files.append(_file_asset(f, hashes[f.rel]))
            elif f.rel in failures:
                self.problem(spec, walked.entry_locs[f.rel], f"files: {failures[f.rel]}")
        return DesiredAgent(
            key=spec.key,
            name=spec.name,
            id=spec.id,
            profile=spec.profile,
            prompt=self._prompt(spec),
            settings=spec.settings,
            persona=spec.persona,
            prune=PruneMode(spec.prune),
            declares_knowledge=spec.declares_knowledge,
            texts=self._texts(spec),
            files=tuple(files),
            sites=spec.sites,
            checks=spec.checks,
            skipped=walked.skipped,
        )

    def _prompt(self, spec: AgentSpec) -> str | None:
        if spec.prompt is None or spec.prompt.file is None:
            return None if spec.prompt is None else spec.prompt.text
        prompt = self._read_text(spec, spec.prompt.file, spec.prompt.loc, "prompt")
        if prompt is not None and len(prompt) > MAX_PROMPT_CHARS:
            limit = f"Robofy takes at most {MAX_PROMPT_CHARS:,}"
            message = f"prompt: {spec.prompt.file} is {len(prompt):,} characters long; {limit}"
            self.problem(spec, spec.prompt.loc, message)
        return prompt

    def _texts(self, spec: AgentSpec) -> tuple[DesiredAsset, ...]:
        assets = []
        for text in spec.texts:
            content = text.content
            if text.file is not None:
                content = self._read_text(spec, text.file, text.loc, "texts")
                if content is None:
                    continue
                found = text_problems(content, text.name, f"agents.{spec.key}", "", text.loc)
                for p in found:
                    self.problems.append(p._replace(file=self.manifest.display))
                if found:
                    continue
            assert content is not None
            assets.append(text_asset(text.name, content))
        return tuple(assets)

    def _read_text(self, spec: AgentSpec, written: str, loc: Loc, what: str) -> str | None:
        try:
            path, rel = inside(self.root, written)
            data = _read_small(path, written)
        except PathProblem as e:
            self.problem(spec, loc, f"{what}: {e}")
            return None
        self.fingerprints[rel] = hashlib.sha256(data).hexdigest()
        try:
            content = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            message = f"{what}: {written} is not UTF-8 text (byte {e.start})"
            self.problem(spec, loc, message)
            return None
        secret = secret_in_text(content, self.env)
        if secret is not None:  # it would be printed in plans and uploaded
            self.problem(spec, loc, f"{what}: {written} {secret}")
            return None
        return content


class _Reached:
    """What one agent's ``files:`` entries reach on disk, by real path and by inode: two
    entries (or two names) that reach the same bytes through a symlink or a hard link
    would upload them twice."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries: list[tuple[Path, FileSpec]] = []
        self.files: dict[tuple[int, int, int], str] = {}  # (inode, size, mtime) -> rel

    def check_entry(self, entry: FileSpec) -> None:
        real = (self.root / entry.path).resolve()
        for seen, other in self.entries:
            if _written_overlap(entry.path, other.path):
                continue  # refused already, as written (manifest_knowledge)
            if real == seen or real.is_relative_to(seen) or seen.is_relative_to(real):
                raise PathProblem(
                    f"'{entry.path}' reaches the same files as '{other.path}' (line "
                    f"{other.loc.line}) through a symlink; keep one entry"
                )
        self.entries.append((real, entry))

    def same_files(self, files: list[FileStat]) -> list[str]:
        problems = []
        for f in files:
            first = self.files.setdefault((f.inode, f.size, f.mtime_ns), f.rel)
            if first != f.rel:
                problems.append(
                    f"{f.rel} is the same file as {first} (a link); it would be uploaded twice"
                )
        return problems


def _written_overlap(a: str, b: str) -> bool:
    a, b = (posixpath.normpath(p.replace("\\", "/")) for p in (a, b))
    return a == b or "." in (a, b) or a.startswith(b + "/") or b.startswith(a + "/")


def _read_small(path: Path, written: str) -> bytes:
    if path.is_dir():
        raise PathProblem(f"{written} is a folder, not a file")
    try:  # only a regular file: a named pipe would block validate, plan and watch
        data = read_regular(path, MAX_READ_TEXT_BYTES)
    except OSError as e:
        raise PathProblem(f"cannot read {written}: {e.strerror}") from None
    if len(data) > MAX_READ_TEXT_BYTES:
        raise PathProblem(f"{written} is larger than {MAX_READ_TEXT_BYTES // 1024 // 1024} MB")
    return data


def text_asset(name: str, content: str) -> DesiredAsset:
    """A text as uploaded; its fingerprint covers the name and the content."""
    data = content.encode("utf-8")
    digest = hashlib.sha256(name.encode("utf-8") + b"\0" + data).hexdigest()
    return DesiredAsset(
        source_key=f"text:{name}",
        kind=TEXT,
        fingerprint=digest,
        size=len(data),
        display_name=name,
        content=content,
    )


def _file_asset(f: FileStat, digest: str) -> DesiredAsset:
    return DesiredAsset(
        source_key=f"file:{f.rel}",
        kind=FILE,
        fingerprint=digest,
        size=f.size,
        display_name=f.rel,
        path=f.path,
    )
