"""Manifests an adversary writes (issue 14, items 10 to 12): what apply would fail on is
refused by validate with FILE:LINE, nothing becomes an internal error, and nothing wrong
is accepted. A hypothesis test feeds the loader the alphabets that used to break it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbsync.errors import ManifestError
from kbsync.sources import load_desired_state
from tests.manifest.conftest import write

HEAD = "version: 1\nproject: 1\nagents:\n  a:\n"
AGENT = HEAD + "    name: A\n"


def refused(
    root: Path,
    manifest: str,
    env: dict[str, str] | None = None,
    files: dict[str, str] | None = None,
) -> str:
    """The problems validate reports, one per line, as FILE:LINE:COL: message."""
    write(root, {"kbsync.yaml": manifest, **(files or {})})
    with pytest.raises(ManifestError) as caught:
        load_desired_state(root / "kbsync.yaml", env or {})
    return str(caught.value)


# --- 10. Robofy's limits are validate's limits ---------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "    name: " + "n" * 256 + "\n",
            "5:.*name: is 256 characters long; Robofy takes at most 255",
        ),
        ("    name: A\n    language: " + "l" * 300 + "\n", "6:.*language: is 300 characters"),
        ("    name: A\n    description: " + "d" * 2001 + "\n", "6:.*description: is 2,001"),
        ("    name: A\n    prompt: " + "p" * 100_001 + "\n", "6:.*prompt: is 100,001 characters"),
        ("    name: A\n    persona:\n      " + "k" * 256 + ": v\n", "7:.*persona: key 'kkk"),
        ("    name: A\n    persona:\n      ' ': v\n", "7:.*persona: a key must not be blank"),
        ("    name: A\n    checks:\n      - ask: " + "q" * 10_001 + "\n", "7:.*ask: is 10,001"),
    ],
    ids=["name", "language", "description", "prompt", "persona-key", "blank-key", "ask"],
)
def test_limits_are_refused_where_they_are_written(
    tmp_path: Path, line: str, expected: str
) -> None:
    text = refused(tmp_path, HEAD + line)
    assert re.search(rf"kbsync\.yaml:{expected}", text), text


def test_a_prompt_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    manifest = AGENT + "    prompt: {file: prompt.md}\n"
    text = refused(tmp_path, manifest, files={"prompt.md": "p" * 100_001})
    assert "kbsync.yaml:6:" in text and "prompt.md is 100,001 characters long" in text


def test_an_empty_docs_file_is_refused_by_validate(tmp_path: Path) -> None:
    manifest = AGENT + "    knowledge:\n      files:\n        - path: docs\n"
    text = refused(tmp_path, manifest, files={"docs/a.md": "a", "docs/empty.md": ""})
    assert "kbsync.yaml:8:" in text and "docs/empty.md is empty (0 bytes)" in text


# --- 11. no internal errors -------------------------------------------------------------


@pytest.mark.parametrize(
    ("manifest", "env", "expected"),
    [
        (HEAD + '    name: "\\ud800"\n', {}, ":5:11: contains a lone surrogate (U+D800)"),
        (AGENT + '    prompt: "x\\udfff"\n', {}, ":6:13: contains a lone surrogate"),
        (AGENT + '    knowledge: {texts: [{name: t, content: "\\udc80"}]}\n', {}, "surrogate"),
        (HEAD + "    name: ${N}\n", {"N": "bad\udcff"}, ":5:11: contains a lone surrogate"),
        (AGENT.replace("project: 1", "project: ${P}"), {"P": "1" * 5000}, ":2:10: project: exp"),
        (
            AGENT + "    settings:\n      temperature: ${T}\n",
            {"T": "9" * 5000},
            "expected a number",
        ),
        (AGENT + "    settings:\n      chunk_size: ${T}\n", {"T": "9" * 400}, "must be at most"),
    ],
    ids=["name", "prompt", "text", "env", "digits-int", "digits-number", "huge-int"],
)
def test_hostile_values_are_located_problems(
    tmp_path: Path, manifest: str, env: dict[str, str], expected: str
) -> None:
    assert expected in refused(tmp_path, manifest, env)


# --- 12. accepted but wrong -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["https://e.com/a b", "https://e.com/a\\nb", "https://e.com/a\\0b", "https://e.com/\\t"]
)
@pytest.mark.parametrize("key", ["url", "include"])
def test_urls_with_spaces_or_control_characters_are_refused(
    tmp_path: Path, url: str, key: str
) -> None:
    site = f'{{url: "{url}"}}' if key == "url" else f'{{url: "https://e.com/", include: ["{url}"]}}'
    text = refused(tmp_path, AGENT + f"    knowledge:\n      websites:\n        - {site}\n")
    assert "kbsync.yaml:8:" in text and ("control characters" in text or "percent-encode" in text)


def test_nested_interpolation_is_refused_never_passed_through(tmp_path: Path) -> None:
    text = refused(tmp_path, HEAD + "    name: ${A:-${B}}\n")
    assert "kbsync.yaml:5:11: a ${...} inside a default is not supported" in text


@pytest.mark.parametrize("second", ["link", "link/sub", "docs/../link"])
def test_two_entries_reaching_one_folder_through_a_symlink_are_refused(
    tmp_path: Path, second: str
) -> None:
    write(tmp_path, {"docs/a.md": "a", "docs/sub/b.md": "b"})
    (tmp_path / "link").symlink_to("docs")
    manifest = (
        AGENT + f"    knowledge:\n      files:\n        - path: docs\n        - path: {second}\n"
    )
    text = refused(tmp_path, manifest)
    assert f"kbsync.yaml:9:17: agents.a: files: '{second}' reaches the same files as 'docs'" in text


def test_one_file_under_two_names_is_refused(tmp_path: Path) -> None:
    write(tmp_path, {"docs/a.md": "a"})
    os.link(tmp_path / "docs" / "a.md", tmp_path / "docs" / "hard.md")
    (tmp_path / "docs" / "soft.md").symlink_to("a.md")
    text = refused(tmp_path, AGENT + "    knowledge:\n      files:\n        - path: docs\n")
    assert "docs/hard.md is the same file as docs/a.md" in text
    assert "docs/soft.md is the same file as docs/a.md" in text


def test_too_deep_yaml_names_its_line(tmp_path: Path) -> None:
    text = refused(tmp_path, AGENT + "    persona:\n      x: " + "[" * 3000 + "]" * 3000 + "\n")
    assert "kbsync.yaml:7:" in text and "nested too deeply" in text


# --- the loader over hostile alphabets ---------------------------------------------------------

HOSTILE = st.sampled_from(
    ["\ud800", "\udcff", "${", "}", "${X}", "${A:-", "${U}", ":-", "[", "]", "!", "\\", "*",
     "9" * 500, "\x00", "\x1b", "\n", "\t", " ", "'", '"', ":", "-", "#", "&a", "*a", "{", "a"]
)  # fmt: skip
TEXT = st.lists(HOSTILE, max_size=12).map("".join)
FIELDS = ("name", "language", "description", "prompt", "avatar_url")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(field=st.sampled_from(FIELDS), value=TEXT, pattern=TEXT, ignore=TEXT, env_value=TEXT)
def test_the_loader_gives_a_located_problem_or_a_state(
    tmp_path_factory: pytest.TempPathFactory,
    field: str,
    value: str,
    pattern: str,
    ignore: str,
    env_value: str,
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    quoted = value.encode("unicode_escape").decode().replace('"', '\\"')
    glob = pattern.encode("unicode_escape").decode().replace('"', '\\"')
    manifest = (
        f'{HEAD}    name: N\n    {field}: "{quoted}"\n    settings:\n      chunk_size: ${{X}}\n'
        f'    knowledge:\n      texts:\n        - {{name: t, content: "{quoted}"}}\n'
        f'      files:\n        - {{path: docs, include: ["{glob}"]}}\n'
    )
    (root / "docs").mkdir()
    (root / "docs" / "a.md").write_text("a")
    (root / "docs" / ".kbsyncignore").write_text(ignore, errors="surrogatepass")
    (root / "kbsync.yaml").write_text(manifest, errors="surrogatepass")
    try:
        state = load_desired_state(root / "kbsync.yaml", {"X": env_value, "U": env_value})
    except ManifestError as e:
        assert e.problems
        for p in e.problems:
            assert p.file and p.message
            assert p.line >= 1, p  # every one of these is located
        return
    agent = state.agents[0]  # accepted: then it can be sent as it is
    for text in (agent.name, agent.prompt or "", *(a.content or "" for a in agent.texts)):
        text.encode("utf-8")


def test_a_docs_file_whose_name_is_not_utf8_is_a_located_problem(tmp_path: Path) -> None:
    write(tmp_path, {"docs/a.md": "a"})
    (tmp_path / os.fsdecode(b"docs/bad\xff.md")).write_text("b")
    text = refused(tmp_path, AGENT + "    knowledge:\n      files:\n        - path: docs\n")
    assert "kbsync.yaml:8:17:" in text and "the file name is not UTF-8; rename it" in text
