"""The generated references say what the code does: every schema key, every variable read."""

from __future__ import annotations

import json
import re

import pytest

from kbsync.commands.schema import schema_text
from kbsync.schema_markdown import objects, render_page
from tests.docs.conftest import DOCS, MANIFEST_PAGE, REPO, manifest_reference


def schema_keys() -> set[str]:
    return {key for _, node in objects(json.loads(schema_text())) for key in node["properties"]}


def test_every_schema_key_is_in_the_generated_reference() -> None:
    page = manifest_reference()
    missing = sorted(key for key in schema_keys() if f"| `{key}` |" not in page)
    assert missing == []
    assert "kbsync:schema" not in page  # every placeholder was replaced


def test_every_schema_key_has_a_description() -> None:
    undescribed = [
        f"{path}.{key}"
        for path, node in objects(json.loads(schema_text()))
        for key, sub in node["properties"].items()
        if not sub.get("description")
    ]
    assert undescribed == []


def test_a_schema_object_missing_from_the_page_fails_the_build() -> None:
    page = MANIFEST_PAGE.read_text(encoding="utf-8")
    without = page.replace("<!-- kbsync:schema agents.*.checks[] -->", "")
    with pytest.raises(ValueError, match=r"missing paths \['agents\.\*\.checks\[\]'\]"):
        render_page(without, json.loads(schema_text()))


def test_an_unknown_schema_path_fails_the_build() -> None:
    page = MANIFEST_PAGE.read_text(encoding="utf-8") + "\n<!-- kbsync:schema agents.*.nope -->\n"
    with pytest.raises(ValueError, match="unknown paths"):
        render_page(page, json.loads(schema_text()))


# how kbsync's code reads a variable: env.get("X"), environ.get("X"), env["X"], "X" in env
_READS = re.compile(r"""(?:env(?:iron)?(?:\.get\(|\[)|\(|,\s*)["']([A-Z][A-Z0-9_]{2,})["']""")
# a variable named once as a constant, then read through it: KEY_VARIABLE = "X"
_NAMED = re.compile(r"""^[A-Z_]*VARIABLE[A-Z_]* = ["']([A-Z][A-Z0-9_]{2,})["']""")
_READ_IN = re.compile(r"""["']([A-Z][A-Z0-9_]{2,})["'] (?:not )?in env""")
# the action's inputs: value("X") and _PREFIX + "X" are KBSYNC_INPUT_X
_INPUTS = re.compile(r"""(?:value\(|_PREFIX \+ )["']([A-Z_]+)["']""")


def variables_read() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "kbsync").rglob("*.py"):
        if "emulator" in path.parts:
            continue  # the emulator reads WSGI environ keys, not the environment
        code = path.read_text(encoding="utf-8")
        for line in code.splitlines():
            if "env" in line:
                names.update(_READS.findall(line) + _READ_IN.findall(line))
            names.update(_NAMED.findall(line))
        names.update("KBSYNC_INPUT_" + n for n in _INPUTS.findall(code))
    return names


def test_every_environment_variable_read_is_documented() -> None:
    names = variables_read()
    assert {"ROBOFY_API_KEY", "KBSYNC_FILE", "NO_COLOR", "KBSYNC_INPUT_ARGS"} <= names
    page = (DOCS / "reference" / "environment.md").read_text(encoding="utf-8")
    assert sorted(n for n in names if f"`{n}`" not in page) == []


def test_a_key_with_a_table_of_its_own_links_to_it() -> None:
    page = manifest_reference()
    assert "| `websites` | [list of objects](#knowledgewebsites) |" in page
    assert "| `settings` | [object](#settings) |" in page  # also from defaults' table
    assert page.count("| `settings` | [object](#settings) |") == 2
