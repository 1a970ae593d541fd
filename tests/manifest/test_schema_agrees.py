"""`kbsync validate` and the emitted JSON Schema give the same verdict on any manifest.

Manifests are generated from pools of valid and invalid values for each key (unset
``${VAR}``s included: validate takes them as placeholders, editors see them as written).
Left out are the checks JSON Schema cannot express, which validate alone makes: files
that must exist (no file references are generated), duplicates (names are made unique),
literal secrets (no value looks like one) and the value a ``${VAR:-default}`` default
would give (no defaults are generated).
"""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kbsync.commands.schema import schema_text
from kbsync.desired.expand import load_desired_state
from kbsync.errors import ManifestError

UNSET = "${KBSYNC_TEST_UNSET_VALUE}"
DROP = "<drop this key>"


@functools.cache
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(schema_text()))


def pool(valid: tuple[Any, ...], invalid: tuple[Any, ...] = ()) -> st.SearchStrategy[Any]:
    """Mostly a valid value (19 in 20 per invalid one): whole manifests are then often
    valid too and the test sees both verdicts, the invalid ones a key or two from valid."""
    return st.sampled_from(valid * (19 * max(1, len(invalid))) + invalid)


NAMES = pool(("Acme", "Acme Support", " x ", UNSET), ("  ", "", "\t", 3, None, ["Acme"]))
SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "temperature": pool((0, 0.3, 2, "0.5", UNSET), (2.5, -1, "warm", True)),
        "chunk_size": pool((1, 500, UNSET), (0, "big", 1.5)),
        "chunk_overlap": pool((None, 0, 10, UNSET), (-1, "x")),
        "enable_chatbot_memory": pool((True, False, UNSET), ("yes", 1)),
        "tone": pool(("Friendly", "", UNSET), (5, None)),
        "thinking_mode": pool(("1", 1), (None, True)),
    },
)
TEXTS = st.lists(
    st.fixed_dictionaries(
        {"content": pool(("Open Monday to Friday.", "", UNSET), (42, None))},
    ),
    max_size=3,
)
WEBSITES = st.lists(
    st.fixed_dictionaries(
        {
            "url": pool(
                ("https://docs.acme.example/", "HTTP://acme.example/x", UNSET),
                ("ftp://acme.example/", "docs", 8),
            )
        },
        optional={
            "max_pages": pool((1, 50, UNSET), (0, "many")),
            "recrawl": pool(("7d", "12h30m", UNSET), ("weekly", "", 7)),
            "use_sitemap": pool((True, False, UNSET), ("no", 0)),
        },
    ),
    max_size=2,
    unique_by=lambda site: str(site["url"]),
)
AGENT = st.fixed_dictionaries(
    {"name": NAMES},
    optional={
        "prune": pool(("managed", "all", "none", UNSET), ("some", "", 1)),
        "language": pool(("en", UNSET), ("", " ", 7)),
        "description": pool(("Answers questions", "", UNSET), (3, None)),
        "avatar_url": pool(("https://acme.example/a.png", UNSET), ("acme.png",)),
        "type": pool((1, UNSET), ("one", 1.5)),
        "settings": SETTINGS,
        "persona": st.dictionaries(
            pool(("tone", "age")), pool(("calm", 3, None, True), (["x"], {"a": 1})), max_size=2
        ),
        "texts": TEXTS,
        "websites": WEBSITES,
        "nmae": pool((DROP,), ("typo",)),  # an unknown key, now and then
        "checks": st.lists(
            st.fixed_dictionaries({"ask": pool(("When?", UNSET), ("", " ", 5))}), max_size=2
        ),
    },
)
MANIFEST = st.fixed_dictionaries(
    {
        "version": pool((1,), (2, "1")),
        "project": pool((1, 7, UNSET), (0, -1, "seven", True, 2**60)),
        "agents": st.dictionaries(
            pool(("support", "sales-2", "a.b"), ("_hidden", "a b")), AGENT, max_size=3
        ),
    },
)


def _shaped(document: dict[str, Any]) -> dict[str, Any]:
    """Texts and websites go under knowledge; names are made unique (a duplicate is a
    check JSON Schema cannot express)."""
    for n, agent in enumerate(document["agents"].values()):
        if agent.get("nmae") == DROP:
            del agent["nmae"]
        if isinstance(agent["name"], str) and agent["name"].strip() and agent["name"] != UNSET:
            agent["name"] += f" {n}"
        texts, sites = agent.pop("texts", None), agent.pop("websites", None)
        knowledge = {}
        if texts is not None:
            knowledge["texts"] = [{"name": f"t{i}", **t} for i, t in enumerate(texts)]
        if sites is not None:
            knowledge["websites"] = sites
        if knowledge:
            agent["knowledge"] = knowledge
    return document


def _validate_accepts(text: str) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kbsync.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_desired_state(path, {}, use_cache=False, placeholders=True)
        except ManifestError:
            return False
    return True


@settings(max_examples=300, deadline=None)
@given(document=MANIFEST.map(_shaped))
def test_validate_and_the_json_schema_agree(document: dict[str, Any]) -> None:
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    as_read = yaml.safe_load(text)
    schema_errors = [e.message for e in validator().iter_errors(as_read)]
    accepted = _validate_accepts(text)
    assert accepted == (not schema_errors), (text, schema_errors)


def test_the_two_disagreements_of_the_issue_are_gone() -> None:
    """``prune: ${PRUNE_MODE}`` passed validate but not the schema; a blank name the
    other way round."""
    base = {"version": 1, "project": 1, "agents": {"support": {"name": "Acme"}}}
    interpolated_enum = json.loads(json.dumps(base))
    interpolated_enum["agents"]["support"]["prune"] = "${PRUNE_MODE}"
    blank = json.loads(json.dumps(base))
    blank["agents"]["support"]["name"] = "  "
    assert validator().is_valid(interpolated_enum)
    assert _validate_accepts(yaml.safe_dump(interpolated_enum))
    assert not validator().is_valid(blank)
    assert not _validate_accepts(yaml.safe_dump(blank))
