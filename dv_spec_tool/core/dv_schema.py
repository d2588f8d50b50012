"""Structural checks of `dv` blocks and settings against the shipped JSON Schema.

The schema is the one source of truth for shape: editors read it for
completion, and this module turns its validation errors into findings a
person can act on (rule id, key path, message, fix hint).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import NamedTuple

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from dv_spec_tool.core.findings import did_you_mean
from dv_spec_tool.core.kinds import KINDS

SCHEMA_DIR = os.path.join(os.path.dirname(__file__), "schemas")
DV_SCHEMA_PATH = os.path.join(SCHEMA_DIR, "dv.schema.json")

_TYPE_WORDS = {
    "array": "a list",
    "string": "a string",
    "object": "a mapping",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "null": "empty",
}


class SchemaError(NamedTuple):
    rule: str
    path: tuple  # inside the checked block
    message: str
    hint: str = ""


@lru_cache(maxsize=None)
def dv_schema() -> dict:
    with open(DV_SCHEMA_PATH, encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=None)
def _validator(definition: str | None) -> Draft202012Validator:
    schema = dv_schema()
    if definition is not None:
        schema = {**schema["$defs"][definition], "$defs": schema["$defs"]}
        schema.pop("allOf", None)
    return Draft202012Validator(_inline_refs(schema, dv_schema()["$defs"]))


def _inline_refs(schema, defs: dict):
    """`schema` with each `{"$ref": "#/$defs/x"}` replaced by a copy of x (siblings kept, x under `allOf`).

    The same errors, with the same schema objects' contents, without jsonschema resolving a
    reference at every use (a third of checking a design). The schema's references do not cycle.
    """
    if isinstance(schema, list):
        return [_inline_refs(item, defs) for item in schema]
    if not isinstance(schema, dict):
        return schema
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/$defs/") and "allOf" not in schema:
        target = _inline_refs(defs[reference[len("#/$defs/"):]], defs)
        siblings = {key: _inline_refs(value, defs) for key, value in schema.items() if key != "$ref"}
        return {**siblings, "allOf": [target]} if siblings else target
    return {key: _inline_refs(value, defs) for key, value in schema.items()}


def _what(value) -> str:
    for json_type, word in _TYPE_WORDS.items():
        if json_type == "array" and isinstance(value, list):
            return word
        if json_type == "object" and isinstance(value, dict):
            return word
        if json_type == "boolean" and isinstance(value, bool):
            return word
    if isinstance(value, str):
        return f"the string {value!r}"
    if value is None:
        return "empty"
    return f"{value!r}"


def _key_name(path: tuple) -> str:
    named = [str(p) for p in path if not isinstance(p, int)]
    return f"`{'.'.join(named)}`" if named else "the dv block"


def _convert(error, kind_word: str) -> list:
    path = tuple(error.absolute_path)
    validator = error.validator
    rule_id = error.schema.get("x-rule") if isinstance(error.schema, dict) else None
    if validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        return [
            SchemaError("DV101", path + (key,), f"unknown key `{key}` in {kind_word}",
                        did_you_mean(key, allowed) or f"allowed keys: {', '.join(sorted(allowed))}")
            for key in extra
        ]
    if validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return [
            SchemaError("DV102", path, f"missing required key `{key}` in {kind_word}",
                        f"{kind_word} needs: {', '.join(error.validator_value)}")
            for key in missing
        ]
    if validator == "oneOf":
        if rule_id == "DV106":
            return [SchemaError("DV106", path, "a source needs exactly one of `model` or `source`",
                                "e.g. `- model: raw_providers` or `- source: crm.providers`")]
        # Prefer the branch matching the value's type: a mapping with a typo
        # should be told about the typo, not that it "must be a string".
        relevant = [e for e in error.context if e.validator != "type"] or error.context
        inner = best_match(relevant)
        if inner is not None:
            # context errors carry paths relative to the oneOf location
            inner_errors = _convert(inner, kind_word)
            return [e._replace(path=path + e.path[len(path):] if e.path[:len(path)] == path else path + e.path)
                    for e in inner_errors]
    if validator == "enum":
        choices = [str(c) for c in error.validator_value]
        what = "kind" if rule_id == "DV100" else _key_name(path)
        return [SchemaError(rule_id or "DV103", path, f"unknown {what} {error.instance!r}",
                            did_you_mean(error.instance, choices) or f"one of: {', '.join(choices)}")]
    if validator in ("pattern", "maxLength") and rule_id:
        return [SchemaError(rule_id, path, *_pattern_message(rule_id, error.instance, path))]
    if validator == "type":
        expected = error.validator_value
        expected = [expected] if isinstance(expected, str) else expected
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
        return [SchemaError("DV103", path, f"{_key_name(path)} must be {words}, not {_what(error.instance)}",
                            _type_hint(path, expected))]
    if validator in ("minItems", "maxItems", "uniqueItems", "minLength"):
        messages = {
            "minItems": "must not be empty" if error.validator_value == 1 else f"needs at least {error.validator_value} items",
            "maxItems": f"takes at most {error.validator_value} item(s)",
            "uniqueItems": "lists the same item twice",
            "minLength": "must not be empty",
        }
        return [SchemaError("DV103", path, f"{_key_name(path)} {messages[validator]}")]
    return [SchemaError(rule_id or "DV103", path, f"{_key_name(path)}: {error.message}")]


def _pattern_message(rule_id: str, value, path: tuple) -> tuple:
    if rule_id == "DV104":
        return (f"{_key_name(path)} value {value!r} is not a plain SQL identifier",
                "use letters, digits and underscores, starting with a letter or underscore")
    if rule_id == "DV106":
        return (f"source {value!r} must be `source_name.table_name`", "e.g. `source: crm.providers`")
    if path and path[-1] == "expression":
        return (f"{_key_name(path)} value {value!r} may not contain a semicolon or line break",
                "an expression is one SQL value, computed in the stage")
    return (f"{_key_name(path)} value {value!r} may not contain quotes, backslashes or line breaks",
            "record_source is written into SQL as a literal")


def _type_hint(path: tuple, expected: list) -> str:
    if path and path[-1] in ("business_keys", "payload", "hubs", "satellites", "links", "sources") and "array" in expected:
        return f"write a YAML list, e.g. `{path[-1]}: [a, b]`"
    return ""


def schema_errors(dv) -> list:
    """Structural errors of one `dv` block, sorted by path."""
    if not isinstance(dv, dict):
        return [SchemaError("DV103", (), f"the dv block must be a mapping, not {_what(dv)}",
                            "write `dv:` followed by indented keys, starting with `kind:`")]
    kind = dv.get("kind")
    kind_word = f"a {kind} design" if isinstance(kind, str) else "a design"
    found = []
    # A known kind is checked against its own definition: the same errors as
    # the whole schema's `allOf`, without evaluating nine other `if` branches.
    definition = kind if kind in dv_schema()["$defs"]["kind"]["enum"] else None
    for error in _validator(definition).iter_errors(dv):
        found.extend(_convert(error, kind_word))
    # A typo (`hashdif`) would also read as a missing `hashdiff`: report it once.
    typos = {(e.path[:-1], e.hint) for e in found if e.rule == "DV101"}
    found = [e for e in found if not (e.rule == "DV102" and any(
        path == e.path and f"`{e.message.split('`')[1]}`" in hint for path, hint in typos))]
    unique = {(e.rule, e.path, e.message): e for e in found}
    return sorted(unique.values(), key=lambda e: (tuple(map(str, e.path)), e.rule))


def settings_errors(settings) -> list:
    """Errors in `vars: {dv_spec: ...}`; all reported as DV020."""
    if settings in (None, {}):
        return []
    if not isinstance(settings, dict):
        return [SchemaError("DV020", (), f"`vars.dv_spec` must be a mapping, not {_what(settings)}")]
    return [e._replace(rule="DV020") for error in _validator("settings").iter_errors(settings)
            for e in _convert(error, "the dv_spec settings")]


@lru_cache(maxsize=1)
def kind_fields() -> dict:
    """Per kind: its keys in contract order, which are required, each key's shape and description.

    Read from the JSON Schema of the dv block, so the studio's forms never
    drift from the contract.
    """
    defs = dv_schema()["$defs"]
    result = {}
    for kind in KINDS:
        spec = defs[kind]
        fields = []
        for key, prop in spec.get("properties", {}).items():
            if key == "kind":
                continue
            field = {"key": key, "type": _shape(prop, defs), "description": prop.get("description", "")}
            if field["type"] == "sources":
                # how a source maps the keys: a list (hub), per hub reference (link),
                # like the parent (satellites), or not at all (plain)
                item = prop["items"]["$ref"].rsplit("/", 1)[-1]
                field["keys"] = {"hub_source": "list", "link_source": "mapping", "sat_source": "parent"}.get(item, "")
                field["max"] = prop.get("maxItems")
            fields.append(field)
        result[kind] = {"description": spec.get("description", ""), "required": spec.get("required", []),
                        "fields": fields}
    return result


def _shape(prop: dict, defs: dict) -> str:
    if "$ref" in prop:
        return _shape(defs[prop["$ref"].rsplit("/", 1)[-1]], defs)
    kind = prop.get("type")
    if kind == "array":
        items = prop.get("items", {})
        if "$ref" in items and items["$ref"].endswith("_source"):
            return "sources"
        return "list"
    if kind == "boolean":
        return "bool"
    return "text"
