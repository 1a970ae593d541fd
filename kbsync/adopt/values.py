"""Which remote values `kbsync import` may write into a manifest, and in what form. Pure.

A value is written only when the manifest's own schema accepts it (after the mild
conversions Robofy's string-typed numbers need) and it does not look like a secret;
anything else is left out with a reason the manifest shows in a comment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from kbsync.manifest.schema import PROFILE, SETTINGS
from kbsync.manifest.secrets import find_literal_secrets
from kbsync.manifest.validation import Schema, check
from kbsync.manifest.yamlload import YNode
from kbsync.model import Scalar

_BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False}


class Values(NamedTuple):
    """Accepted values (in order) and what was left out, with why."""

    kept: dict[str, Scalar]
    left_out: list[str]


def profile_values(profile: Mapping[str, Scalar]) -> Values:
    """Declarable profile fields (name and id are written separately); blanks are skipped."""
    return _filter(profile, PROFILE, skip_blank=True)


def settings_values(settings: Mapping[str, Scalar]) -> Values:
    """The AI settings a manifest can declare; unknown and secret keys never appear."""
    return _filter(settings, SETTINGS.fields, skip_blank=False)


def persona_values(persona: Mapping[str, Scalar]) -> Values:
    values = Values({}, [])
    for key, value in persona.items():
        if _looks_secret(key, value):
            values.left_out.append(f"persona.{key}: looks like a secret")
        else:
            values.kept[key] = value
    return values


def _filter(
    given: Mapping[str, Scalar], fields: Mapping[str, Schema], *, skip_blank: bool
) -> Values:
    values = Values({}, [])
    for key, schema in fields.items():
        if key not in given or (skip_blank and given[key] in (None, "")):
            continue
        value = _fitting(schema, given[key])
        if value is _NO_FIT:
            values.left_out.append(f"{key}: Robofy's value does not fit the manifest's type")
        elif _looks_secret(key, value):  # type: ignore[arg-type]
            values.left_out.append(f"{key}: looks like a secret")
        else:
            values.kept[key] = value  # type: ignore[assignment]
    return values


_NO_FIT = object()


def _fitting(schema: Schema, value: Scalar) -> object:
    """The value, or a converted form of it, that the schema accepts; else _NO_FIT."""
    for candidate in (value, *_conversions(value)):
        if not check(schema, YNode(candidate, 1, 1), "", ""):
            return candidate
    return _NO_FIT


def _conversions(value: Scalar) -> list[Scalar]:
    if not isinstance(value, str):
        return [str(value)] if isinstance(value, (int, float)) else []
    text = value.strip()
    found: list[Scalar] = []
    if text.lower() in _BOOL_WORDS:
        found.append(_BOOL_WORDS[text.lower()])
    for convert in (int, float):
        try:
            found.append(convert(text))
        except ValueError:
            continue
    return found


def _looks_secret(key: str, value: Scalar) -> bool:
    tree = YNode({key: YNode(value, 1, 1)}, 1, 1)
    return bool(find_literal_secrets(tree, "", {}))


def escape_dollars(text: str) -> str:
    """Manifest strings interpolate ``${VAR}``; ``$$`` is a literal ``$``."""
    return text.replace("$", "$$")
