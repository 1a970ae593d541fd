"""Fuzzing: the manifest loader only ever succeeds or raises ManifestError (a clean,
located validation error); the marker parser never raises.

Inputs: random YAML-ish text, random bytes (invalid UTF-8, BOMs, NULs), random
structures dumped as YAML (manifest-shaped: real key names at every level, values of
every type, paths that try to escape, ``${VAR}`` interpolation), plus fixed nasty
cases (an alias bomb, very deep nesting). The full loader runs: YAML, schema, env
interpolation, secrets check and expansion into desired items (folders walked,
files hashed). Example counts: modest and derandomized by default (CI stays fast and
repeatable), 20x more and random with KBSYNC_SLOW=1.
"""

from __future__ import annotations

import itertools
import string
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kbsync.desired import markers
from kbsync.desired.expand import load_desired_state
from kbsync.errors import ManifestError
from tests.reliability.processes import SLOW

EXAMPLES = 2000 if SLOW else 100
settings.register_profile(
    "kbsync-fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not SLOW,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("kbsync-fuzz")

KEYS = (
    "version",
    "project",
    "defaults",
    "agents",
    "name",
    "id",
    "description",
    "language",
    "avatar_url",
    "prompt",
    "file",
    "settings",
    "persona",
    "knowledge",
    "websites",
    "texts",
    "files",
    "url",
    "max_pages",
    "max_depth",
    "include",
    "exclude",
    "use_sitemap",
    "main",
    "recrawl",
    "content",
    "path",
    "prune",
    "checks",
    "ask",
    "expect",
    "temperature",
    "tone",
    "not_found_answer",
    "enable_chatbot_memory",
    "llm_api_key",
    "support",
)
NASTY_STRINGS = (
    "../outside",
    "/etc/hostname",
    "docs/",
    ".",
    "${HOME}",
    "${UNSET_VAR}",
    "${X:-fallback}",
    "${",
    "7d",
    "-1",
    "1e999",
    "NaN",
    "sk-" + "a" * 30,
    "\x00",
    "\u202e",
    "~kb1t~0123456789abcdef.txt",
    "https://example.com/",
    "javascript:alert(1)",
)
ENV = {"HOME": "/root", "X": "1", "ROBOFY_API_KEY": "kbsync-security-KEY-5e1f0c2d9b"}

_counter = itertools.count()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "docs").mkdir()
    (root / "docs" / "a.md").write_text("# a\n")
    (root / "prompt.md").write_text("Be brief.\n")
    return root


def _load(folder: Path, data: bytes) -> None:
    """Load ``data`` as a manifest: success or ManifestError, nothing else."""
    path = folder / f"m{next(_counter)}.yaml"
    path.write_bytes(data)
    try:
        load_desired_state(path, ENV)
    except ManifestError as e:
        assert e.problems, "a ManifestError without problems"
        assert all(p.message for p in e.problems)
        assert "kbsync-security-KEY" not in str(e)
    finally:
        path.unlink()


YAMLISH = st.text(alphabet=string.printable + "äé€\u2028\t", max_size=400)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(NASTY_STRINGS),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=12))
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)
    ),
    max_leaves=30,
)


def _agent_shaped(agent: Any, knowledge: Any) -> dict[str, Any]:
    """A manifest valid at the top, with a random agent and random knowledge inside."""
    body = agent if isinstance(agent, dict) else {"name": agent}
    return {"version": 1, "project": 1, "agents": {"a": {**body, "knowledge": knowledge}}}


@FUZZ
@given(text=YAMLISH)
@example(text="a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
))  # fmt: skip
@example(text="version: 1\nproject: 1\nagents: {a: {name: x, prompt: {file: /dev/zero}}}\n")
@example(text="version: 1\nproject: ${UNSET}\nagents: {}\n")
def test_random_text_loads_or_fails_cleanly(folder: Path, text: str) -> None:
    _load(folder, text.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("depth", [300, 20_000] if SLOW else [300])
@pytest.mark.parametrize(("opening", "closing"), [("[", "]"), ("{a: ", "}"), ("- ", "")])
def test_very_deep_nesting_fails_cleanly(
    folder: Path, depth: int, opening: str, closing: str
) -> None:
    """Deeper than the loader reads (64 levels); 20,000 levels too with KBSYNC_SLOW=1 (the
    YAML library takes seconds to give up on those)."""
    if opening == "- ":  # block style: one more indent per level (so at most 2,000 levels:
        depth = min(depth, 2000)  # the file grows with the square of the depth)
        text = "".join(" " * (2 * i) + "-\n" for i in range(depth)) + " " * (2 * depth) + "x\n"
    else:
        text = opening * depth + "x" + closing * depth
    with pytest.raises(ManifestError, match="nest"):
        load_desired_state(_write(folder, text.encode()), ENV)


def _write(folder: Path, data: bytes) -> Path:
    path = folder / f"m{next(_counter)}.yaml"
    path.write_bytes(data)
    return path


@FUZZ
@given(data=st.binary(max_size=300))
@example(data=b"\xef\xbb\xbfversion: 1\n")
@example(data=b"\xff\xfe\x00v\x00e\x00r")
@example(data=b"version: 1\x00\nproject: 1\n")
def test_random_bytes_load_or_fail_cleanly(folder: Path, data: bytes) -> None:
    _load(folder, data)


@FUZZ
@given(tree=trees)
def test_random_structures_load_or_fail_cleanly(folder: Path, tree: Any) -> None:
    _load(folder, yaml.safe_dump(tree, allow_unicode=True).encode())


@FUZZ
@given(agent=trees, knowledge=trees)
@example(agent={"name": "x"}, knowledge={"files": [{"path": "../outside"}]})
@example(agent={"name": "x"}, knowledge={"texts": [{"name": "t", "file": "docs"}]})
@example(agent={"name": "x", "prompt": {"file": "."}}, knowledge={})
def test_manifest_shaped_structures_load_or_fail_cleanly(
    folder: Path, agent: Any, knowledge: Any
) -> None:
    _load(folder, yaml.safe_dump(_agent_shaped(agent, knowledge), allow_unicode=True).encode())


@FUZZ
@given(name=st.text(max_size=300))
@example(name="x~kb1t~0123456789abcdef.txt")
@example(name="%ZZ~kb1f~0123456789abcdef.md")
@example(name="~kb9999t~0123456789abcdef")
@example(name="a" * 10_000 + "~kb1t~0123456789abcdef.txt")
def test_marker_parse_never_raises(name: str) -> None:
    parsed = markers.parse(name)
    assert parsed is None or isinstance(parsed, markers.Marker)


@FUZZ
@given(key=st.text(min_size=1, max_size=80), position=st.integers(0, 400), junk=st.text(max_size=3))
def test_mangled_markers_parse_as_theirs_or_not_at_all(key: str, position: int, junk: str) -> None:
    """A real marker with random damage either parses (to some key) or is "not ours"."""
    name = markers.encode(f"text:{key}", "ab" * 32)
    cut = position % (len(name) + 1)
    mangled = name[:cut] + junk + name[cut + len(junk) :]
    parsed = markers.parse(mangled)
    assert parsed is None or isinstance(parsed, markers.Marker)
    if mangled == name:
        assert (
            parsed is not None
            and parsed.key_id == markers.marker_for(f"text:{key}", "ab" * 32).key_id
        )
