"""PyYAML's C parser (libyaml) and its pure-Python parser read every manifest alike.

The C parser is the fast path for clean input; anything it refuses or that has a problem
is read again by the pure parser. These tests read the bad-input corpus, the examples and
generated YAML both ways and demand identical trees (values and positions) and identical
problems, and that the fast path really is taken for clean manifests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbsync.manifest.yamlload import read_clean_with_libyaml, read_yaml
from tests.manifest.conftest import CORPUS, REPO

ENV = {"KBSYNC_TEST_SET": "value"}
CORPUS_FILES = sorted(CORPUS.glob("*.yaml"))
CLEAN = [REPO / "examples" / "robofy.yaml", *sorted((REPO / "examples").glob("*/*.yaml"))]

needs_libyaml = pytest.mark.skipif(
    not yaml.__with_libyaml__, reason="this PyYAML is built without libyaml"
)


def both_ways(path: Path) -> tuple[object, object]:
    fast = read_yaml(path, path.name, ENV)
    pure = read_yaml(path, path.name, ENV, libyaml=False)
    return (fast.tree, fast.problems, fast.data), (pure.tree, pure.problems, pure.data)


def test_the_corpus_is_there() -> None:
    assert len(CORPUS_FILES) >= 50


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_corpus_reads_identically(path: Path) -> None:
    fast, pure = both_ways(path)
    assert fast == pure


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_examples_read_identically(path: Path) -> None:
    fast, pure = both_ways(path)
    assert fast == pure


@needs_libyaml
@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_clean_manifests_take_the_libyaml_path(path: Path) -> None:
    tree = read_clean_with_libyaml(path.read_text(encoding="utf-8"), path.name, ENV)
    assert tree is not None
    assert tree == read_yaml(path, path.name, ENV, libyaml=False).tree


@needs_libyaml
def test_large_manifest_takes_the_libyaml_path_with_positions(tmp_path: Path) -> None:
    texts = [{"name": f"faq-{i}", "content": f"Answer {i}: ünïcode ✓ 𝄞"} for i in range(300)]
    manifest = {"version": 1, "project": 1, "agents": {"a": {"name": "A", "texts": texts}}}
    path = tmp_path / "kbsync.yaml"
    path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    tree = read_clean_with_libyaml(path.read_text(encoding="utf-8"), "kbsync.yaml", {})
    assert tree is not None
    assert tree == read_yaml(path, "kbsync.yaml", {}, libyaml=False).tree


@needs_libyaml
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_corpus_problems_come_from_the_pure_parser(path: Path) -> None:
    read = read_yaml(path, path.name, ENV)
    clean = read_clean_with_libyaml(path.read_text(encoding="utf-8"), path.name, ENV)
    assert (clean is None) == bool(read.problems)


# disagreements found on the way, each read both ways
TRICKY = [
    "a: [b?c]\n",
    "a: [&x b?c]\nd: *x\n",
    "a: {k: &x v?w}\nb: *x\n",
    "a: &x b?c\nd: [*x]\n",
    "a: {q: 'is it?'}\n",
    "?\n",
    "a: !\nb: 1\n",
    "|#\n",
    "0\t\n",
    "---\n",
    "a: x\ufeffy\n",
    "a: x\u2028y\n",
    "k0: {n0: }\n",
    "k: [a: ]\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_yaml_reads_identically(tmp_path: Path, text: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    fast, pure = both_ways(path)
    assert fast == pure


# structured YAML: block mappings holding flow collections, block scalars and lists
_TOKENS = ["a", "x:", "k: ", "b?c", "x:y", "x: y", "é", "'q?'", '"d?"', "1", "no", "~", "-x"]
_TOKENS += ["x#y", "x #c", "?x", "x?", "$v", "${A:-z}", ""]
_scalar = st.sampled_from(_TOKENS)
_flow = st.recursive(
    _scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(inner, max_size=3).map(
            lambda items: "{" + ", ".join(f"k{i}: {v}" for i, v in enumerate(items)) + "}"
        ),
    ),
    max_leaves=6,
)
_line = st.one_of(
    _flow.map(lambda v: f"{{key}}: {v}"),
    _scalar.map(lambda v: f"{{key}}: |\n  {v} line?\n  more: {v}"),
    st.tuples(_scalar, _flow).map(lambda p: f"{{key}}:\n  - {p[0]}\n  - {p[1]}"),
)
structured = st.lists(_line, min_size=1, max_size=4).map(
    lambda lines: "\n".join(line.replace("{key}", f"k{i}") for i, line in enumerate(lines)) + "\n"
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=structured)
def test_structured_yaml_reads_identically(tmp_path: Path, text: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    fast, pure = both_ways(path)
    assert fast == pure


yaml_ish = st.lists(
    st.sampled_from(
        [*"ab: -\n\t[]{}&*!|>'\"#$%{}@`,?~0.1\\é𝄞\r\x85\u2028\ufeff\x07", "- ", "k: ", "\n  "]
    ),
    max_size=80,
).map("".join)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(yaml_ish, st.text(max_size=200)))
def test_any_text_reads_identically(tmp_path: Path, text: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    fast, pure = both_ways(path)
    assert fast == pure
