"""Property tests: the loader never crashes, durations and interpolation behave for any input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbsync.desired.filewalk import walk_entry
from kbsync.desired.paths import PathProblem
from kbsync.manifest.durations import parse_duration
from kbsync.manifest.load import parse_manifest
from kbsync.manifest.specs import FileSpec
from kbsync.manifest.urls import normalize_url
from kbsync.manifest.yamlload import Loc, read_yaml

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

yaml_ish = st.text(
    alphabet=st.sampled_from(list("ab: -\n\t[]{}&*!|>'\"#$%{}@`,?~0.1\\")), max_size=80
)


@FAST
@given(text=st.one_of(st.text(max_size=200), yaml_ish))
def test_loader_never_raises(tmp_path: Path, text: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = read_yaml(path, "m.yaml", {})
    assert result.tree is not None or result.problems
    for problem in result.problems:
        assert problem.file == "m.yaml" and problem.line >= 0 and problem.message


@FAST
@given(data=st.binary(max_size=300))
def test_manifest_parse_never_raises_on_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(data)
    manifest, problems = parse_manifest(path, {})
    assert manifest is not None or problems


@given(
    parts=st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(sorted(UNITS))), min_size=1, max_size=4
    )
)
def test_duration_sums_its_parts(parts: list[tuple[int, str]]) -> None:
    text = "".join(f"{n}{u}" for n, u in parts)
    total = sum(n * UNITS[u] for n, u in parts)
    if total == 0:
        with pytest.raises(ValueError):
            parse_duration(text)
    else:
        assert parse_duration(text) == total


@given(text=st.text(max_size=12))
def test_duration_refuses_anything_else(text: str) -> None:
    if re.fullmatch(r"\s*([0-9]+[smhdw])+\s*", text):
        return
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@FAST
@given(
    value=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    name=st.from_regex(r"[A-Z_][A-Z0-9_]{0,10}", fullmatch=True),
)
def test_interpolation_inserts_values_verbatim(tmp_path: Path, value: str, name: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(f'key: "prefix ${{{name}}} $$ suffix"\n', encoding="utf-8")
    result = read_yaml(path, "m.yaml", {name: value})
    assert result.problems == []
    assert result.tree is not None and isinstance(result.tree.value, dict)
    assert result.tree.value["key"].value == f"prefix {value} $ suffix"


@given(
    host=st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}\.[A-Za-z]{2,5}", fullmatch=True),
    path=st.from_regex(r"(/[A-Za-z0-9_.-]{0,8}){0,3}", fullmatch=True),
    scheme=st.sampled_from(["http", "https", "HTTP", "Https"]),
)
def test_url_normalization_is_idempotent(host: str, path: str, scheme: str) -> None:
    url = normalize_url(f"{scheme}://{host}{path}#frag")
    assert normalize_url(url) == url
    assert url.startswith(scheme.lower() + "://" + host.lower())
    assert "#" not in url


NAME_PARTS = st.sampled_from(["a", "B", "notes", "été", "x y", ".", "#", "~", "-", "_"])
EXTENSIONS = st.sampled_from(
    [".md", ".MD", ".pdf", ".json", ".txt", ".png", ".exe", ".swp", ".tmp", ""]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(
        st.tuples(st.lists(NAME_PARTS, min_size=1, max_size=3).map("".join), EXTENSIONS),
        min_size=1,
        max_size=12,
    )
)
def test_folder_takes_exactly_the_supported_visible_files(
    tmp_path_factory: pytest.TempPathFactory, names: list[tuple[str, str]]
) -> None:
    """An independent statement of the rules: supported type, not hidden, not a temp file."""
    root = tmp_path_factory.mktemp("walk")
    docs = root / "docs"
    docs.mkdir()
    created = set()
    for stem, ext in names:
        name = stem + ext
        if name in (".", "..") or "/" in name:
            continue
        (docs / name).write_text("x", encoding="utf-8")
        created.add(name)
    spec = FileSpec("docs", (), (), Loc(1, 1))
    expected = sorted(
        f"docs/{n}"
        for n in created
        if not n.startswith(".")
        and not n.endswith(("~", ".tmp"))
        and not (n.startswith("#") and n.endswith("#"))
        and "." in n[1:]
        and n[n.rindex(".") :].lower() in {".md", ".pdf", ".json", ".txt"}
    )
    try:
        walked = walk_entry(root.resolve(), spec)
    except PathProblem as e:
        assert expected == [] and "matches no files" in str(e)
        return
    assert [f.rel for f in walked.files] == expected
    assert walked.problems == []
