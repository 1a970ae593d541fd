"""The site's structure and the README's promises, checked without building the site."""

from __future__ import annotations

import json
import re

import jsonschema
import yaml

from kbsync.commands.schema import schema_text
from tests.docs.conftest import DOCS, REPO, nav_pages

# the README's two quickstart commands: CI (.ci/run) and the sandbox quickstart test run them
SANDBOX = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && "
    "kbsync apply -f examples/robofy.yaml --sandbox"
)
TESTS = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && "
    "python -m pytest -q"
)


def test_every_page_is_in_the_nav_and_every_nav_entry_exists() -> None:
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    nav = nav_pages()
    assert sorted(set(nav) - pages) == []
    assert sorted(pages - set(nav)) == []
    assert len(nav) == len(set(nav))


def test_readme_is_a_short_front_door_with_both_quickstart_commands_in_order() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode()) < 8 * 1024
    assert readme.index(SANDBOX) < readme.index(TESTS)


def test_ci_runs_the_strict_docs_build() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "'.[test,docs]'" in ci
    assert "mkdocs build --strict" in ci


def test_the_license_matches_pyproject() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = "MIT"' in pyproject
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def yaml_examples() -> list[tuple[str, object]]:
    """Every ```yaml block of the docs, parsed (snippets of repository files left out)."""
    found: list[tuple[str, object]] = []
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"^( *)```yaml\n(.*?)^\1```", text, re.S | re.M):
            indent = len(match.group(1))
            body = "\n".join(line[indent:] for line in match.group(2).splitlines())
            if "--8<--" not in body:
                found.append((page.relative_to(DOCS).as_posix(), yaml.safe_load(body)))
    return found


def test_every_yaml_example_parses_and_every_whole_manifest_validates() -> None:
    examples = yaml_examples()
    assert len(examples) > 20
    validator = jsonschema.Draft202012Validator(json.loads(schema_text()))
    manifests = [
        (page, doc)
        for page, doc in examples
        if isinstance(doc, dict) and {"version", "agents"} <= set(doc)
    ]
    assert {page for page, _ in manifests} >= {
        "reference/manifest.md",
        "get-started/first-project.md",
    }
    for page, document in manifests:
        errors = [e.message for e in validator.iter_errors(document)]
        assert errors == [], page
