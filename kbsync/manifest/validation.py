"""A small typed-schema language: one definition gives both validation and JSON Schema.

The manifest's shape is written once (kbsync/manifest_schema.py) with these types;
``check`` validates located YAML nodes against it (every problem, with line and
column and a "did you mean"), ``coerce`` turns interpolated text into the number or
boolean a key needs, and ``to_json_schema`` (kbsync/manifest/json_schema.py) renders
it for editors. The two read the same definition, and a property test
(tests/manifest/test_schema_agrees.py) checks that they give the same verdict on
generated manifests. What JSON Schema cannot express is checked by validate only:
files exist, duplicates (agent names, websites, file entries), literal secrets, one
main website.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Any, NamedTuple

from kbsync.errors import Problem
from kbsync.manifest.yamlload import Loc, YNode


class Str(NamedTuple):
    description: str = ""
    pattern: str | None = None  # a regex the value must match (search)
    pattern_hint: str = ""  # what to say when it does not
    min_length: int = 0
    enum: tuple[str, ...] = ()
    max_length: int | None = None  # Robofy's limit, in characters


# the largest integer every JSON reader keeps exactly (JavaScript's Number.MAX_SAFE_INTEGER)
MAX_SAFE_INT = 2**53 - 1


class Int(NamedTuple):
    description: str = ""
    minimum: int | None = None
    maximum: int | None = MAX_SAFE_INT  # ids and counts go to Robofy as JSON numbers


class Num(NamedTuple):
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None


class Bool(NamedTuple):
    description: str = ""


class Null(NamedTuple):
    description: str = ""


class Arr(NamedTuple):
    items: Schema
    description: str = ""


class Obj(NamedTuple):
    fields: dict[str, Schema]
    description: str = ""
    required: tuple[str, ...] = ()
    exactly_one: tuple[str, ...] = ()  # exactly one of these keys must be present
    values: Schema | None = None  # open map: any key, values of this schema
    forbidden: dict[str, str] = {}  # keys refused with a message of their own
    keys: Str | None = None  # open map: what every key must be (min/max length)


class AnyOf(NamedTuple):
    """Alternatives of distinct JSON types; a value is checked against the one of its type."""

    options: tuple[Schema, ...]
    description: str = ""


Schema = Str | Int | Num | Bool | Null | Arr | Obj | AnyOf

_TYPE_NAMES = {
    Str: "a string",
    Int: "an integer",
    Num: "a number",
    Bool: "true or false",
    Null: "null",
    Arr: "a list",
    Obj: "a mapping",
}


# --- validation --------------------------------------------------------------


def check(
    schema: Schema, node: YNode, where: str, file: str, key_loc: Loc | None = None
) -> list[Problem]:
    """Every problem of ``node`` against ``schema``; ``where`` names it (agents.support.prompt).

    ``key_loc`` is where the node's key is written: a missing key is reported there."""
    if node.placeholder:  # an unset ${VAR} under validate: it could hold any value
        return []
    if isinstance(schema, AnyOf):
        return _check_any(schema, node, where, file, key_loc)
    if not _type_matches(schema, node.value):
        return [
            _at(file, node, _in(where) + f"expected {_expected(schema)}, got {_describe(node)}")
        ]
    if isinstance(schema, Str):
        return _check_str(schema, node, where, file)
    if isinstance(schema, (Int, Num)):
        return _check_number(schema, node, where, file)
    if isinstance(schema, Arr):
        assert isinstance(node.value, list)
        return [
            p
            for i, item in enumerate(node.value)
            for p in check(schema.items, item, f"{where}[{i}]", file)
        ]
    if isinstance(schema, Obj):
        return _check_obj(schema, node, where, file, key_loc or node.loc)
    return []


def conforms(schema: Schema, node: YNode) -> bool:
    """No problem, and every required value really there: a refused value (an unset
    variable, a YAML tag) leaves its key behind, which satisfies ``check`` but not this."""
    if check(schema, node, "", ""):
        return False
    if isinstance(schema, AnyOf):
        return any(_type_matches(o, node.value) and conforms(o, node) for o in schema.options)
    if isinstance(schema, Obj) and isinstance(node.value, dict):
        needed = set(schema.required) | (set(schema.exactly_one) & set(node.key_locs))
        return needed <= set(node.value)
    return True


def _type_matches(schema: Schema, value: object) -> bool:
    if isinstance(schema, Str):
        return isinstance(value, str)
    if isinstance(schema, Int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(schema, Num):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(schema, Bool):
        return isinstance(value, bool)
    if isinstance(schema, Null):
        return value is None
    if isinstance(schema, Arr):
        return isinstance(value, list)
    if isinstance(schema, Obj):
        return isinstance(value, dict)
    return any(_type_matches(o, value) for o in schema.options)


def _check_any(
    schema: AnyOf, node: YNode, where: str, file: str, key_loc: Loc | None
) -> list[Problem]:
    for option in schema.options:
        if _type_matches(option, node.value):
            return check(option, node, where, file, key_loc)
    return [_at(file, node, _in(where) + f"expected {_expected(schema)}, got {_describe(node)}")]


def _check_str(schema: Str, node: YNode, where: str, file: str) -> list[Problem]:
    value = str(node.value)
    if schema.enum and value not in schema.enum:
        options = ", ".join(schema.enum)
        return [
            _at(
                file,
                node,
                _in(where) + f"{value!r} is not one of: {options}{_guess(value, schema.enum)}",
            )
        ]
    if len(value.strip()) < schema.min_length:
        return [_at(file, node, _in(where) + "must not be empty")]
    if schema.max_length is not None and len(value) > schema.max_length:
        return [_at(file, node, _in(where) + _too_long(len(value), schema.max_length))]
    if schema.pattern and not re.search(schema.pattern, value):
        hint = schema.pattern_hint or f"must match {schema.pattern}"
        return [_at(file, node, _in(where) + f"{value!r} {hint}")]
    return []


def _check_number(schema: Int | Num, node: YNode, where: str, file: str) -> list[Problem]:
    value = node.value
    assert isinstance(value, (int, float))
    if isinstance(value, float) and not math.isfinite(value):  # a huge int is finite
        return [_at(file, node, _in(where) + f"must be a finite number, got {value}")]
    if schema.minimum is not None and value < schema.minimum:
        return [_at(file, node, _in(where) + f"must be at least {schema.minimum}, got {value}")]
    if schema.maximum is not None and value > schema.maximum:
        return [_at(file, node, _in(where) + f"must be at most {schema.maximum}, got {value}")]
    return []


def _check_obj(schema: Obj, node: YNode, where: str, file: str, at: Loc) -> list[Problem]:
    assert isinstance(node.value, dict)
    problems: list[Problem] = []
    for key, loc in node.key_locs.items():  # every key written, even if its value was refused
        field = schema.fields.get(key, schema.values)
        if key in schema.forbidden:
            problems.append(Problem(file, loc.line, loc.col, _in(where) + schema.forbidden[key]))
        elif field is None:
            message = _in(where) + f"unknown key '{key}'{_guess(key, tuple(schema.fields))}"
            problems.append(Problem(file, loc.line, loc.col, message))
        elif bad_key := _key_problem(schema, key):
            problems.append(Problem(file, loc.line, loc.col, _in(where) + bad_key))
        elif key in node.value:
            problems += check(field, node.value[key], f"{where}.{key}" if where else key, file, loc)
    problems += _check_presence(schema, node, where, file, at)
    return problems


def _key_problem(schema: Obj, key: str) -> str:
    """Why an open map's key is refused ("" when it is not)."""
    rule = schema.keys
    if rule is None or key in schema.fields:
        return ""
    if len(key.strip()) < rule.min_length:
        return "a key must not be blank"
    if rule.max_length is not None and len(key) > rule.max_length:
        return f"key {key[:40]!r}... {_too_long(len(key), rule.max_length)}"
    return ""


def _too_long(length: int, maximum: int) -> str:
    return f"is {length:,} characters long; Robofy takes at most {maximum:,}"


def _check_presence(schema: Obj, node: YNode, where: str, file: str, at: Loc) -> list[Problem]:
    present = set(node.key_locs)  # keys written, even where the value was refused
    problems = [
        Problem(file, at.line, at.col, _in(where) + f"missing required key '{key}'")
        for key in schema.required
        if key not in present
    ]
    if schema.exactly_one and len(present & set(schema.exactly_one)) != 1:
        keys = " or ".join(f"'{k}'" for k in schema.exactly_one)
        problems.append(_at(file, node, _in(where) + f"give exactly one of {keys}"))
    return problems


def _in(where: str) -> str:
    """The message prefix naming where a problem is: agents.support.prompt: ..."""
    return f"{where}: " if where else ""


def _guess(word: str, candidates: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _expected(schema: Schema) -> str:
    if isinstance(schema, AnyOf):
        names = [_expected(o) for o in schema.options]
        return ", ".join(names[:-1]) + " or " + names[-1]
    return _TYPE_NAMES[type(schema)]


def _describe(node: YNode) -> str:
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        word = str(value).lower()
        if node.raw and node.raw.lower() != word:  # yes/no/on/off are booleans in YAML
            return f"boolean {node.raw} (YAML reads it as {word}; quote it for text: '{node.raw}')"
        return f"boolean {word}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"string {shown!r}"
    return "a list" if isinstance(value, list) else "a mapping"


def _at(file: str, node: YNode, message: str) -> Problem:
    return Problem(file, node.line, node.col, message)


# --- interpolated values ------------------------------------------------------


def coerce(schema: Schema, node: YNode) -> YNode:
    """Turn interpolated text into the number or boolean the schema wants at that place.

    ``${VAR}`` always yields text; ``project: ${ROBOFY_PROJECT_ID}`` needs an integer.
    Text that does not convert is left as it is, for ``check`` to report."""
    if isinstance(node.value, dict) and isinstance(schema, Obj):
        values = {k: _coerce_field(schema, k, v) for k, v in node.value.items()}
        return node._replace(value=values)
    if isinstance(node.value, list) and isinstance(schema, Arr):
        return node._replace(value=[coerce(schema.items, item) for item in node.value])
    if isinstance(node.value, list | dict) and isinstance(schema, AnyOf):
        for option in schema.options:
            if _type_matches(option, node.value):
                return coerce(option, node)
    if node.interpolated and isinstance(node.value, str) and not node.placeholder:
        return node._replace(value=_convert(schema, node.value))
    return node


def _coerce_field(schema: Obj, key: str, node: YNode) -> YNode:
    field = schema.fields.get(key, schema.values)
    return node if field is None else coerce(field, node)


def _convert(schema: Schema, text: str) -> object:
    options = schema.options if isinstance(schema, AnyOf) else (schema,)
    if any(isinstance(o, Str) for o in options):
        return text
    for option in options:
        converted = _CONVERTERS.get(type(option), lambda _: None)(text.strip())
        if converted is not None or (isinstance(option, Null) and not text.strip()):
            return converted
    return text


_MAX_DIGITS = 1000  # past this, not a number anyone meant (int() refuses 4300 digits)


def _to_int(text: str) -> int | None:
    ok = len(text) <= _MAX_DIGITS and re.fullmatch(r"[-+]?[0-9]+", text)
    return int(text) if ok else None


def _to_number(text: str) -> float | int | None:
    if len(text) > _MAX_DIGITS:
        return None  # left as text: "expected a number, got string '1111...'"
    if re.fullmatch(r"[-+]?[0-9]+", text):
        return int(text)
    if re.fullmatch(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?", text):
        return float(text)
    return None


def _to_bool(text: str) -> bool | None:
    return {"true": True, "false": False}.get(text.lower())


_CONVERTERS: dict[type, Any] = {Int: _to_int, Num: _to_number, Bool: _to_bool}
