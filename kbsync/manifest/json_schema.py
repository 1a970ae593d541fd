"""JSON Schema for editors, rendered from the schema language's definitions.

``to_json_schema`` turns one kbsync.manifest.validation schema (Str, Int, Obj, ...)
into its JSON Schema (draft 2020-12 vocabulary); values that ``${VAR}`` may stand for
also accept the interpolation as written (``INTERPOLATED``), since editors see the
manifest before interpolation.
"""

from __future__ import annotations

from typing import Any

from kbsync.manifest.validation import AnyOf, Arr, Bool, Int, Null, Num, Obj, Schema, Str

# Editors see the manifest before interpolation: `project: ${ID}` must not be flagged.
INTERPOLATED = {"type": "string", "pattern": r"\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}"}


def to_json_schema(schema: Schema) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12 vocabulary) for one schema node."""
    out: dict[str, Any] = {}
    if schema.description:
        out["description"] = schema.description
    if isinstance(schema, AnyOf):
        out["anyOf"] = [to_json_schema(o) for o in schema.options]
        return out
    rendered = _JSON_RENDERERS[type(schema)](schema)
    if isinstance(schema, (Int, Num, Bool)) or _constrained(schema):
        rendered = {"anyOf": [rendered, INTERPOLATED]}
    out.update(rendered)
    return out


def _constrained(schema: Schema) -> bool:
    """A string that ``${VAR}`` as written may not satisfy (a pattern, an enum), though
    the value it stands for may: editors must not flag ``prune: ${PRUNE_MODE}``."""
    return isinstance(schema, Str) and bool(schema.pattern or schema.enum)


def _json_str(schema: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string"}
    if schema.enum:
        out["enum"] = list(schema.enum)
    patterns = [schema.pattern] if schema.pattern else []
    if schema.min_length:
        out["minLength"] = schema.min_length
        patterns.append(_not_blank(schema.min_length))  # validate counts the stripped text
    if schema.max_length is not None:
        out["maxLength"] = schema.max_length
    if len(patterns) == 1:
        out["pattern"] = patterns[0]
    elif patterns:
        out["allOf"] = [{"pattern": p} for p in patterns]
    return out


def _not_blank(min_length: int) -> str:
    """A pattern for "at least ``min_length`` characters once stripped of whitespace"."""
    if min_length == 1:
        return r"\S"
    return r"\S[\s\S]{" + str(min_length - 2) + r",}\S"


def _json_number(schema: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "integer" if isinstance(schema, Int) else "number"}
    if schema.minimum is not None:
        out["minimum"] = schema.minimum
    if schema.maximum is not None:
        out["maximum"] = schema.maximum
    return out


def _json_obj(schema: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object"}
    if schema.fields:
        out["properties"] = {k: to_json_schema(v) for k, v in schema.fields.items()}
    out["additionalProperties"] = (
        to_json_schema(schema.values) if schema.values is not None else False
    )
    if schema.keys is not None:
        out["propertyNames"] = _json_str(schema.keys)
    if schema.required:
        out["required"] = list(schema.required)
    if schema.exactly_one:
        out["oneOf"] = [{"required": [k]} for k in schema.exactly_one]
    return out


_JSON_RENDERERS: dict[type, Any] = {
    Str: _json_str,
    Int: _json_number,
    Num: _json_number,
    Bool: lambda _: {"type": "boolean"},
    Null: lambda _: {"type": "null"},
    Arr: lambda s: {"type": "array", "items": to_json_schema(s.items)},
    Obj: _json_obj,
}
