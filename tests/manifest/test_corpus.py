"""The bad-input corpus: every case exits 1 with its message on the right line, no traceback.

Manifest-only cases are files under corpus/; cases that need a tree (symlinks, big or
binary files, folders) are built here. Most run in-process through `validate` and the
error handler; test_cli.py runs a handful as real `kbsync validate` subprocesses.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kbsync.desired.expand import load_desired_state
from kbsync.errors import ManifestError
from tests.manifest.conftest import CORPUS, run_validate, write

# (corpus file without .yaml, line of the problem (0 = the whole file), message fragment)
FILE_CASES = [
    ("syntax-error", 6, "YAML syntax error: expected ',' or ']'"),
    ("tab-indent", 5, "tab character in indentation"),
    ("dup-top-key", 5, "duplicate key 'agents' (first at line 3)"),
    ("dup-nested-key", 9, "duplicate key 'temperature' (first at line 7)"),
    ("dup-agent-key", 8, "duplicate key 'support' (first at line 4)"),
    ("dup-key-after-refused-value", 6, "duplicate key 'description' (first at line 5)"),
    ("dup-key-in-list-item", 10, "duplicate key 'name' (first at line 8)"),
    ("unknown-top-key", 2, "unknown key 'projct' (did you mean 'project'?)"),
    ("unknown-agent-key", 6, "agents.support: unknown key 'promt' (did you mean 'prompt'?)"),
    ("unknown-setting", 7, "unknown key 'temprature' (did you mean 'temperature'?)"),
    ("unknown-website-key", 9, "unknown key 'max_page' (did you mean 'max_pages'?)"),
    ("project-not-int", 2, "project: expected an integer, got string 'acme'"),
    ("project-zero", 2, "project: must be at least 1, got 0"),
    ("project-quoted", 2, "project: expected an integer, got string '12'"),
    ("project-huge", 2, "project: must be at most 9007199254740991, got 99999999999999999999999"),
    ("id-empty", 6, "agents.support.id: must not be empty"),
    ("temperature-string", 7, "settings.temperature: expected a number, got string 'warm'"),
    ("temperature-too-high", 7, "settings.temperature: must be at most 2, got 7"),
    ("temperature-nan", 7, "settings.temperature: must be a finite number, got nan"),
    ("bool-wrong", 7, "enable_chatbot_memory: expected true or false, got string 'maybe'"),
    ("norway-tone", 7, "got boolean no (YAML reads it as false; quote it for text: 'no')"),
    ("defaults-per-agent-key", 5, "defaults: knowledge is set per agent, not in defaults"),
    ("agents-list", 4, "agents: expected a mapping, got a list"),
    ("version-missing", 1, "missing required key 'version'"),
    ("version-unsupported", 1, "version 2 is not supported"),
    ("bad-interpolation", 5, "bad interpolation: use ${VAR} or ${VAR:-default}"),
    ("agent-without-name", 4, "agents.support: missing required key 'name'"),
    ("agent-bad-key", 4, "bad agent key 'my agent'"),
    ("duplicate-agent-names", 6, "name 'Acme' is already used by agent 'support'"),
    ("no-agents", 3, "no agents declared"),
    ("prune-invalid", 6, "prune: 'everything' is not one of: managed, all, none"),
    ("duplicate-text-names", 10, "duplicate text name 'hours' (first at line 8)"),
    ("empty-text", 9, "texts[0].content: must not be empty"),
    ("text-content-and-file", 8, "give exactly one of 'content' or 'file'"),
    ("invalid-url", 8, "invalid website url"),
    ("file-url", 8, "'file:///etc/passwd' is not an http(s) URL"),
    ("javascript-url", 8, "'javascript:alert(1)' is not an http(s) URL"),
    ("bad-duration", 9, "'7x' is not a duration"),
    ("max-pages-zero", 9, "max_pages: must be at least 1, got 0"),
    ("max-pages-huge", 9, "max_pages: must be at most 10000"),
    ("two-main-websites", 11, "only one website can be main (first at line 8)"),
    ("duplicate-website", 9, "duplicate website https://docs.acme.example/"),
    ("literal-api-key", 8, "'api_key' looks like a literal secret"),
    ("bearer-token", 7, "'token' looks like a literal secret"),
    ("openai-key-anywhere", 6, "looks like an API key or token"),
    ("llm-api-key", 8, "llm_api_key must not be in the manifest"),
    ("persona-nested", 9, "persona.traits: expected a string, a number"),
    ("yaml-python-tag", 5, "YAML tags are not allowed"),
    ("multi-document", 5, "expected a single document"),
    ("scalar-document", 1, "the manifest must be a mapping"),
    ("empty", 0, "the manifest is empty"),
    ("comments-only", 0, "the manifest is empty"),
    ("deep-nesting", 3, "YAML nested too deeply"),
    ("recursive-alias", 3, "nesting deeper than 64 levels"),
    ("alias-bomb", 3, "too many alias expansions"),
    ("absolute-path", 8, "absolute path not allowed: /etc"),
    ("dotdot-path", 8, "path leaves the manifest folder: docs/../../outside"),
]


def assert_reported(output: str, file: str, line: int, fragment: str) -> None:
    where = f"{re.escape(file)}:{line}:\\d+: " if line else f"{re.escape(file)}: "
    pattern = re.compile(f"^{where}.*{re.escape(fragment)}", re.M)
    assert pattern.search(output), f"expected {file}:{line}: ...{fragment}... in:\n{output}"
    assert "Traceback" not in output


@pytest.mark.parametrize(("name", "line", "fragment"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_bad_manifest(in_tmp: Path, name: str, line: int, fragment: str) -> None:
    shutil.copy(CORPUS / f"{name}.yaml", in_tmp / f"{name}.yaml")
    code, output = run_validate(f"{name}.yaml", {"KBSYNC_TEST_SET": "x"})
    assert code == 1
    assert_reported(output, f"{name}.yaml", line, fragment)


def test_unset_env_is_a_placeholder_for_validate_and_an_error_for_plan(in_tmp: Path) -> None:
    shutil.copy(CORPUS / "unset-env.yaml", in_tmp / "unset-env.yaml")
    code, output = run_validate("unset-env.yaml")
    assert code == 0
    assert_reported(output, "unset-env.yaml", 2, "note: environment variable KBSYNC_TEST_UNSET")
    with pytest.raises(ManifestError) as raised:  # what plan and apply load
        load_desired_state(in_tmp / "unset-env.yaml", {})
    [problem] = raised.value.problems
    assert (problem.line, problem.message) == (
        2,
        "environment variable KBSYNC_TEST_UNSET_PROJECT is not set (and has no default)",
    )


def test_every_corpus_file_has_a_case() -> None:
    named = {c[0] for c in FILE_CASES} | {"unset-env"}
    assert {p.stem for p in CORPUS.glob("*.yaml")} == named


# --- cases that need a tree -----------------------------------------------------

HEAD = "version: 1\nproject: 1\nagents:\n  support:\n    name: Acme\n"


def knowledge(block: str) -> str:
    """A manifest whose one agent has this knowledge block (it starts on line 7)."""
    return HEAD + "    knowledge:\n" + block


def files_entry(path: str, extra: str = "") -> str:
    return knowledge(f"      files:\n        - path: {path}\n{extra}")  # path on line 8


def text_file(path: str) -> str:
    return knowledge(f"      texts:\n        - name: policy\n          file: {path}\n")


def _missing_folder(root: Path) -> None:
    write(root, {"kbsync.yaml": files_entry("docs/")})


def _zero_match(root: Path) -> None:
    write(
        root, {"kbsync.yaml": files_entry("docs/"), "docs/logo.png": b"\x89PNG", "docs/.a.md": "x"}
    )


def _zero_match_after_exclude(root: Path) -> None:
    extra = '          exclude: ["*.md"]\n'
    write(root, {"kbsync.yaml": files_entry("docs/", extra), "docs/a.md": "# a"})


def _big_file(root: Path) -> None:
    strict = files_entry("docs/", "          oversize: error\n")  # else skipped with a warning
    write(root, {"kbsync.yaml": strict, "docs/manual.pdf": b""})
    with (root / "docs/manual.pdf").open("r+b") as f:
        f.truncate(11 * 1024 * 1024)  # sparse: 11 MB on paper, nothing on disk


def _exe_single(root: Path) -> None:
    write(root, {"kbsync.yaml": files_entry("tools/setup.exe"), "tools/setup.exe": b"MZ\x90"})


def _exe_included(root: Path) -> None:
    extra = '          include: ["*.md", "*.exe"]\n'
    write(
        root, {"kbsync.yaml": files_entry("docs/", extra), "docs/a.md": "# a", "docs/b.exe": b"MZ"}
    )


def _text_not_utf8(root: Path) -> None:
    write(root, {"kbsync.yaml": text_file("texts/policy.txt"), "texts/policy.txt": b"caf\xe9 ok"})


def _text_file_empty(root: Path) -> None:
    write(root, {"kbsync.yaml": text_file("texts/policy.txt"), "texts/policy.txt": "\n\n"})


def _text_is_folder(root: Path) -> None:
    write(root, {"kbsync.yaml": text_file("texts"), "texts/a.txt": "x"})


def _prompt_missing(root: Path) -> None:
    write(root, {"kbsync.yaml": HEAD + "    prompt: {file: prompts/missing.md}\n"})


def _prompt_not_utf8(root: Path) -> None:
    manifest = HEAD + "    prompt:\n      file: prompts/p.md\n"
    write(root, {"kbsync.yaml": manifest, "prompts/p.md": b"\xff\xfeY\x00o\x00u\x00"})


def _outside(root: Path) -> Path:
    outside = root.parent / f"{root.name}-outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.md").write_text("# secret")
    return outside


def _symlink_entry_outside(root: Path) -> None:
    write(root, {"kbsync.yaml": files_entry("docs/")})
    (root / "docs").symlink_to(_outside(root), target_is_directory=True)


def _symlink_in_the_middle(root: Path) -> None:
    write(root, {"kbsync.yaml": files_entry("content/linked/secret.md"), "content/a.md": "# a"})
    (root / "content/linked").symlink_to(_outside(root), target_is_directory=True)


def _symlink_found_by_walk(root: Path) -> None:
    write(root, {"kbsync.yaml": files_entry("docs/"), "docs/a.md": "# a"})
    (root / "docs/leak.md").symlink_to(_outside(root) / "secret.md")


def _broken_symlink(root: Path) -> None:
    write(root, {"kbsync.yaml": files_entry("docs/"), "docs/a.md": "# a"})
    (root / "docs/gone.md").symlink_to(root / "nowhere.md")


def _overlapping_paths(root: Path) -> None:
    extra = "        - path: docs/guide\n"
    write(root, {"kbsync.yaml": files_entry("docs", extra), "docs/guide/a.md": "# a"})


def _duplicate_paths(root: Path) -> None:
    extra = "        - path: ./docs/\n"
    write(root, {"kbsync.yaml": files_entry("docs", extra), "docs/a.md": "# a"})


def _binary_manifest(root: Path) -> None:
    write(root, {"kbsync.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))})


def _nul_manifest(root: Path) -> None:
    write(root, {"kbsync.yaml": b"version: 1\nproject: 1\x00\x00\n"})


def _huge_manifest(root: Path) -> None:
    write(root, {"kbsync.yaml": b"version: 1\n"})
    with (root / "kbsync.yaml").open("r+b") as f:
        f.truncate(50 * 1024 * 1024)


def _robofy_key_in_manifest(root: Path) -> None:
    write(root, {"kbsync.yaml": HEAD + "    description: key rk_live_0123456789abcdef\n"})


TREE_CASES: list[tuple[str, Callable[[Path], None], int, str]] = [
    ("missing-folder", _missing_folder, 8, "files: not found: docs/"),
    ("zero-match", _zero_match, 8, "folder docs/ matches no files"),
    ("zero-match-after-exclude", _zero_match_after_exclude, 8, "matches no files (exclude: *.md"),
    ("file-over-10mb", _big_file, 8, "docs/manual.pdf is 11.0 MB (11,534,336 bytes)"),
    ("exe-single-file", _exe_single, 8, "unsupported file type .exe: tools/setup.exe"),
    ("exe-included", _exe_included, 8, "unsupported file type .exe: docs/b.exe"),
    ("text-not-utf8", _text_not_utf8, 9, "texts: texts/policy.txt is not UTF-8 text"),
    ("text-file-empty", _text_file_empty, 9, "text 'policy' is empty"),
    ("text-is-folder", _text_is_folder, 9, "texts is a folder, not a file"),
    ("prompt-missing", _prompt_missing, 6, "prompt: not found: prompts/missing.md"),
    ("prompt-not-utf8", _prompt_not_utf8, 7, "prompts/p.md is not UTF-8 text"),
    ("symlink-entry-outside", _symlink_entry_outside, 8, "symlink leads outside the manifest"),
    ("symlink-in-the-middle", _symlink_in_the_middle, 8, "symlink leads outside the manifest"),
    ("symlink-found-by-walk", _symlink_found_by_walk, 8, "docs/leak.md ->"),
    ("broken-symlink", _broken_symlink, 8, "broken symlink: docs/gone.md"),
    ("overlapping-paths", _overlapping_paths, 9, "'docs/guide' overlaps 'docs' (line 8)"),
    ("duplicate-paths", _duplicate_paths, 9, "duplicate files path './docs/' (also at line 8)"),
    ("binary-manifest", _binary_manifest, 1, "not a text file (not valid UTF-8)"),
    ("nul-manifest", _nul_manifest, 2, "not a text file (contains NUL bytes)"),
    ("huge-manifest", _huge_manifest, 0, "the manifest is 50.0 MB; the limit is 5 MB"),
    ("robofy-key", _robofy_key_in_manifest, 6, "'description' contains the Robofy API key"),
]


@pytest.mark.parametrize(
    ("name", "build", "line", "fragment"), TREE_CASES, ids=[c[0] for c in TREE_CASES]
)
def test_bad_tree(
    in_tmp: Path, name: str, build: Callable[[Path], None], line: int, fragment: str
) -> None:
    build(in_tmp)
    env = {"ROBOFY_API_KEY": "rk_live_0123456789abcdef"}
    code, output = run_validate("kbsync.yaml", env)
    assert code == 1
    assert_reported(output, "kbsync.yaml", line, fragment)
    assert "rk_live_0123456789abcdef" not in output


def test_corpus_is_big_enough() -> None:
    assert len(FILE_CASES) + len(TREE_CASES) >= 40


def test_all_problems_in_one_run(in_tmp: Path) -> None:
    """Schema, semantic and filesystem problems of several agents come out together."""
    manifest = (
        "version: 1\nproject: 1\nagents:\n"
        "  a:\n    name: A\n    promt: x\n"  # 6: unknown key
        "    knowledge:\n      files:\n        - path: missing/\n"  # 9: not found
        "  b:\n    name: B\n    settings: {temperature: hot}\n"  # 12: type
        "    knowledge:\n      texts:\n        - {name: t, content: ''}\n"  # 15: empty
    )
    write(in_tmp, {"kbsync.yaml": manifest})
    code, output = run_validate("kbsync.yaml")
    assert code == 1
    lines = [line.split(":")[1] for line in output.splitlines()]
    assert lines == ["6", "9", "12", "15"], output


def test_alias_bomb_is_refused_fast(in_tmp: Path) -> None:
    """Deeper bombs are refused the same way: expansion stops at a fixed node budget."""
    shutil.copy(CORPUS / "alias-bomb.yaml", in_tmp / "bomb.yaml")
    bigger = (
        (CORPUS / "alias-bomb.yaml")
        .read_text()
        .replace("agents:", "j: &j [*i, *i, *i, *i, *i, *i, *i, *i, *i]\nagents:")
    )
    write(in_tmp, {"bomb10.yaml": bigger})
    for name in ("bomb.yaml", "bomb10.yaml"):
        code, output = run_validate(name)
        assert code == 1
        assert output.count("\n") == 1 and "too many alias expansions" in output


def test_problem_flood_is_capped(in_tmp: Path) -> None:
    keys = "".join(f"unknown{i}: 1\n" for i in range(1000))
    write(in_tmp, {"kbsync.yaml": "version: 1\nproject: 1\nagents: {a: {name: A}}\n" + keys})
    code, output = run_validate("kbsync.yaml")
    lines = output.splitlines()
    assert code == 1 and len(lines) == 201
    assert lines[0].startswith("kbsync.yaml:4:1: unknown key 'unknown0'")
    assert lines[-1] == "kbsync.yaml: ... and 800 more problems not shown"
