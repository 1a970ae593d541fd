"""`kbsync schema`: generated from the same definition validation uses, stored, and current."""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from kbsync.commands.schema import schema, schema_text
from tests.docs.conftest import manifest_reference
from tests.manifest.conftest import REPO

STORED = REPO / "kbsync" / "schemas" / "manifest.schema.json"


@functools.cache
def validator() -> jsonschema.Draft202012Validator:
    document = json.loads(schema_text())
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document)


def test_stored_schema_is_current() -> None:
    """Regenerate with: python -c 'from kbsync.commands.schema import schema_text as s;
    open("kbsync/schemas/manifest.schema.json", "w").write(s())'"""
    assert STORED.read_text(encoding="utf-8") == schema_text()


def test_schema_command_output() -> None:
    out = io.StringIO()
    assert schema(out) == 0
    assert out.getvalue() == schema_text()


def test_example_starts_with_the_schema_line() -> None:
    first = (REPO / "examples/robofy.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../kbsync/schemas/manifest.schema.json"
    assert (REPO / "examples" / first.split("=", 1)[1]).resolve() == STORED


def test_schema_validates_the_example() -> None:
    document = yaml.safe_load((REPO / "examples/robofy.yaml").read_text(encoding="utf-8"))
    validator().validate(document)  # raw, before interpolation, as an editor sees it


def example() -> dict[str, object]:
    loaded = yaml.safe_load((REPO / "examples/robofy.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("agents", "support", "promt"), "typo"),
        (("agents", "support", "settings", "temperature"), "hot"),
        (("agents", "support", "settings", "llm_api_key"), "sk-x"),
        (("agents", "support", "prune"), "everything"),
        (("agents", "support", "persona", "nested"), {"a": 1}),
        (("agents", "support", "knowledge", "websites"), [{"url": "ftp://x.example/"}]),
        (
            ("agents", "support", "knowledge", "websites"),
            [{"url": "https://x.example/", "recrawl": "7x"}],
        ),
        (("agents", "support", "knowledge", "texts"), [{"name": "t"}]),
        (("agents", "support", "knowledge", "texts"), [{"name": "t", "content": "c", "file": "f"}]),
        (("agents", "my agent"), {"name": "x"}),
        (("version",), 2),
        (("project",), "abc"),
    ],
)
def test_schema_rejects_what_validation_rejects(path: tuple[str, ...], value: object) -> None:
    document = example()
    node: dict[str, object] = document
    for key in path[:-1]:
        child = node[key]
        assert isinstance(child, dict)
        node = child
    node[path[-1]] = value
    assert list(validator().iter_errors(document)), f"{path} = {value!r} should be refused"


def test_every_documented_key_is_in_the_schema() -> None:
    """The site's manifest reference (generated from the schema) documents every key."""
    doc = manifest_reference()
    keys: set[str] = set()

    def collect(node: dict[str, object]) -> None:
        for name, sub in dict(node.get("properties", {})).items():  # type: ignore[call-overload]
            keys.add(name)
            collect(sub)
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                collect(node[key])  # type: ignore[arg-type]
        for option in node.get("anyOf", []):  # type: ignore[attr-defined]
            collect(option)

    collect(json.loads(schema_text()))
    missing = sorted(k for k in keys if f"`{k}`" not in doc)
    assert missing == []


def test_schema_file_is_package_data() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"schemas/*.json"' in pyproject
    assert Path(STORED).is_file()
