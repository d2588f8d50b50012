"""The shape of the resolved design: what `macros/design/resolve_design.sql` returns.

These TypedDicts are the one table of that shape. Python reads the macro's
dicts through them without copying (a TypedDict is a plain dict at run time),
and `schemas/resolved_design.schema.json` is generated from them
(`python -m dv_spec_tool.core.resolved_design`), strict enough (`required`,
`additionalProperties: false`) that a key renamed, removed or added in the
macro fails tests/test_macro_api.py, which also fails when the committed schema
and these classes differ.

A resolved design may come from a design with broken references (the
validator resolves before it reports them): those references resolve to None,
hence the `| None` on names of other entities and on the keys read from them.
"""

from __future__ import annotations

import json
import os
import sys
import types
import typing
from typing import Literal, TypedDict, Union

SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas", "resolved_design.schema.json")


# ---------------------------------------------------------------- settings

class NamingRule(TypedDict, total=False):
    """The prefix and suffix of one kind's names (or of hash keys, hashdiffs)."""

    prefix: str
    suffix: str


class Settings(TypedDict):
    """vars.dv_spec with every default applied (design_settings)."""

    hash_algorithm: str
    load_datetime_column: str
    record_source_column: str
    stage_prefix: str
    stage_folder: str
    naming: dict[str, NamingRule | None]  # a kind, hash_key or hashdiff -> its rule


# ---------------------------------------------------------------- sources

class KeyColumn(TypedDict):
    """The source column that feeds one business key, with the path of the mapping in the design (for findings)."""

    ref: str  # the hub reference's name (role or hub); a hub's own name for a hub
    hub: str
    target: str  # the business key
    source_column: str
    path: list[str | int]  # [] when the key is mapped by name


class Source(TypedDict):
    """One item of an entity's `sources`: what it reads and which stage computes its keys."""

    index: int
    ref: str  # a model name or `source.table`
    type: Literal["source", "model"]
    stage: str
    declared_stage: bool
    upstream: str  # what the stage reads
    upstream_type: Literal["source", "model"]
    record_source: str
    record_source_kind: Literal["literal", "column", "expression"]
    load_datetime: str
    load_datetime_kind: Literal["column", "expression"]
    record_source_declared: bool
    key_columns: list[KeyColumn]


class HubRef(TypedDict):
    """A link's reference to a hub, in hash order."""

    index: int
    hub: str
    role: str | None
    name: str  # role, else hub
    foreign_key: str | None
    hash_key: str | None  # the hub's
    business_keys: list[str]  # the hub's


class PitSatellite(TypedDict):
    name: str
    kind: str | None
    foreign_key: str  # <satellite>_<satellite_key>
    foreign_load_datetime: str  # <satellite>_<satellite_load_datetime>


class BridgeLink(TypedDict):
    name: str
    hash_key: str | None
    foreign_keys: list[str | None]
    effectivity_satellite: str | None
    end_date: str | None  # the effectivity satellite's
    foreign_key: str  # <link>_pk
    bridge_end_date: str | None  # <eff_sat>_end_date
    bridge_load_date: str | None  # <eff_sat>_load_datetime


# ---------------------------------------------------------------- entities

class _Entity(TypedDict):
    name: str
    description: str
    file: str
    subject_area: str | None
    owner: str | None
    ghost_record: bool
    payload: list[str]
    hash_key: str | None
    hashdiff: str | None
    effective_from: str | None
    dependent_keys: list[str]
    sources: list[Source]
    columns: list[str | None]  # the table's columns in AutomateDV's order (None where a reference is missing)


class HubEntity(_Entity):
    kind: Literal["hub"]
    business_keys: list[str]


class LinkEntity(_Entity):
    kind: Literal["link", "nh_link"]
    refs: list[HubRef]


class _ParentedEntity(_Entity):
    parent: str
    parent_kind: str | None
    parent_hash_key: str | None


class SatEntity(_ParentedEntity):
    kind: Literal["sat"]
    hashdiff_columns: list[str]
    stage_hashdiff: str | None  # the stage's name for the hashdiff (src_hashdiff's source_column), else hashdiff


class MaSatEntity(_ParentedEntity):
    kind: Literal["ma_sat"]
    multi_active_keys: list[str]
    unloaded_model: str
    hashdiff_columns: list[str]
    stage_hashdiff: str | None  # the stage's name for the hashdiff (src_hashdiff's source_column), else hashdiff


class EffSatEntity(_ParentedEntity):
    kind: Literal["eff_sat"]
    unloaded_model: str
    driving_foreign_keys: list[str | None]
    secondary_foreign_keys: list[str | None]
    start_date: str
    end_date: str
    end_dating: Literal["auto", "source"]


class XtsSatellite(TypedDict):
    """A satellite an xts tracks, as the xts reads it from the stage."""
    name: str
    hashdiff: str | None  # the satellite's hashdiff column in the stage (None where the satellite is missing)
    name_column: str  # the stage column holding the satellite's name (satellite_name_columns, else <sat>_name)


class XtsEntity(_ParentedEntity):
    kind: Literal["xts"]
    satellites: list[XtsSatellite]
    satellite_name: str  # AutomateDV's xts writes HASHDIFF and SATELLITE_NAME: names its macro fixes


class _AsOfEntity(_Entity):
    hub: str
    hub_hash_key: str | None
    as_of_dates: str


class PitEntity(_AsOfEntity):
    kind: Literal["pit"]
    satellites: list[PitSatellite]


class BridgeEntity(_AsOfEntity):
    kind: Literal["bridge"]
    links: list[BridgeLink]


class RefTableEntity(_Entity):
    kind: Literal["ref_table"]
    reference_keys: list[str]


class StageEntity(_Entity):
    kind: Literal["stage"]


ResolvedEntity = Union[HubEntity, LinkEntity, SatEntity, MaSatEntity, EffSatEntity, XtsEntity, PitEntity, BridgeEntity,
                       RefTableEntity, StageEntity]


# ---------------------------------------------------------------- stages

class HashdiffDefinition(TypedDict):
    is_hashdiff: Literal[True]
    columns: list[str]


class StageColumn(TypedDict):
    # derived: a column, `!literal` or SQL; hashed: the columns hashed, or a hashdiff
    definition: str | list[str] | HashdiffDefinition
    by: str  # the first entity that needs it


class StageConflict(TypedDict):
    """Two consumers that define one stage column differently."""

    column: str
    section: Literal["derived", "hashed"]
    first: str
    first_definition: str | list[str] | HashdiffDefinition
    second: str
    second_definition: str | list[str] | HashdiffDefinition


class Stage(TypedDict):
    """A stage that computes keys and hashdiffs: a declared `kind: stage` model or a derived stg_<source>."""

    name: str
    declared: bool
    source: str | None
    source_type: Literal["source", "model"] | None
    file: str | None
    derived: dict[str, StageColumn]
    hashed: dict[str, StageColumn]
    consumers: list[str]
    conflicts: list[StageConflict]


class ResolvedDesign(TypedDict):
    """resolve_design(entities, settings): the design with every default of the contract applied."""

    settings: Settings
    entities: dict[str, ResolvedEntity]
    stages: dict[str, Stage]


# ---------------------------------------------------------------- the JSON Schema

def entity_classes() -> dict:
    """{kind: the TypedDict of its resolved entity}."""
    return {kind: cls for cls in typing.get_args(ResolvedEntity)
            for kind in typing.get_args(typing.get_type_hints(cls)["kind"])}


def json_schema() -> dict:
    """The JSON Schema of ResolvedDesign, generated from the classes above."""
    definitions: dict = {}
    root = _object_schema(ResolvedDesign, definitions)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "dv-spec resolved design",
        "description": (f"{ResolvedDesign.__doc__} Generated from dv_spec_tool/core/resolved_design.py "
                        "by `python -m dv_spec_tool.core.resolved_design`: edit the classes, not this file."),
        **{k: v for k, v in root.items() if k != "description"},
        "$defs": dict(sorted(definitions.items())),
    }


def _object_schema(cls, definitions: dict) -> dict:
    hints = typing.get_type_hints(cls)
    schema = {"type": "object"}
    if cls.__doc__ and not cls.__doc__.startswith(cls.__name__ + "("):
        schema["description"] = " ".join(cls.__doc__.split())
    schema["additionalProperties"] = False
    schema["required"] = [key for key in hints if key in cls.__required_keys__]
    schema["properties"] = {key: _type_schema(hint, definitions) for key, hint in hints.items()}
    return schema


def _type_schema(hint, definitions: dict) -> dict:
    simple = {str: "string", int: "integer", bool: "boolean", type(None): "null"}
    if hint in simple:
        return {"type": simple[hint]}
    if typing.is_typeddict(hint):
        if hint.__name__ not in definitions:
            definitions[hint.__name__] = {}  # reserved before recursing
            definitions[hint.__name__] = _object_schema(hint, definitions)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return {"const": args[0]} if len(args) == 1 else {"enum": list(args)}
    if origin is list:
        return {"type": "array", "items": _type_schema(args[0], definitions)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(args[1], definitions)}
    if origin in (Union, types.UnionType):
        if hint == ResolvedEntity:
            return {"$ref": f"#/$defs/{_entity_schema(definitions)}"}
        members = [_type_schema(arg, definitions) for arg in args]
        if all(list(m) == ["type"] for m in members):
            return {"type": [m["type"] for m in members]}
        return {"anyOf": members}
    raise TypeError(f"resolved_design: no JSON Schema for {hint!r}")


def _entity_schema(definitions: dict) -> str:
    """ResolvedEntity: one definition per kind, chosen by `kind` (if/then gives clearer errors than oneOf)."""
    classes = entity_classes()
    branches = []
    for cls in dict.fromkeys(classes.values()):
        kinds = [kind for kind, of in classes.items() if of is cls]
        branches.append({"if": {"properties": {"kind": {"enum": kinds}}},
                         "then": _type_schema(cls, definitions)})
    definitions["ResolvedEntity"] = {
        "description": "A resolved entity; its keys depend on its kind.",
        "type": "object", "required": ["kind"], "properties": {"kind": {"enum": list(classes)}},
        "allOf": branches,
    }
    return "ResolvedEntity"


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2) + "\n"


def main() -> int:
    with open(SCHEMA_FILE, "w", encoding="utf-8") as handle:
        handle.write(schema_text())
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
