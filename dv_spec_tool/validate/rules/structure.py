"""Rules about the shape of each `dv` block, from the shipped JSON Schema.

Each id below reports one kind of schema violation; the schema is validated
once per entity (see Context.schema_errors) and shared by these rules.
"""

from dv_spec_tool.core.project import is_identifier
from dv_spec_tool.validate.rules.rule import rule


def _schema_issues(ctx, rule_id):
    for name, errors in ctx.schema_errors.items():
        entry = ctx.design.entities[name]
        for error in errors:
            if error.rule == rule_id:
                yield ctx.at(entry, error.path, error.message, error.hint)


@rule("DV100", "unknown-kind")
def unknown_kind(ctx):
    """`kind` is not one of the Data Vault kinds dv-spec knows."""
    yield from _schema_issues(ctx, "DV100")


@rule("DV101", "unknown-key")
def unknown_key(ctx):
    """A key is not part of the contract for this kind (often a typo).

    Unknown keys are errors so that `hashdif:` cannot silently leave a satellite without a hashdiff.
    """
    yield from _schema_issues(ctx, "DV101")


@rule("DV102", "missing-key")
def missing_key(ctx):
    """A key the kind requires is missing."""
    yield from _schema_issues(ctx, "DV102")


@rule("DV103", "wrong-shape")
def wrong_shape(ctx):
    """A value has the wrong type or shape (a string where a list belongs, an empty list, a repeated item)."""
    yield from _schema_issues(ctx, "DV103")


@rule("DV104", "invalid-identifier")
def invalid_identifier(ctx):
    """A name that goes into SQL is not a plain identifier (`name; drop table x`).

    Generated SQL uses design names unquoted, so only plain identifiers are safe.
    """
    yield from _schema_issues(ctx, "DV104")
    for entry in ctx.design.entities.values():
        if not is_identifier(entry.name):
            line, col = entry.file.doc.position(entry.model_path + ("name",))
            yield ctx.at(entry, (), f"model name {entry.name!r} is not a plain SQL identifier",
                         "use letters, digits and underscores, starting with a letter or underscore")._replace(
                line=line, col=col)


# Snowflake's reserved keywords: unquoted, these break generated SQL.
RESERVED = frozenset("""
ACCOUNT ALL ALTER AND ANY AS BETWEEN BY CASE CAST CHECK COLUMN CONNECT CONNECTION CONSTRAINT CREATE CROSS
CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DATABASE DELETE DISTINCT DROP ELSE EXISTS
FALSE FOLLOWING FOR FROM FULL GRANT GROUP GSCLUSTER HAVING ILIKE IN INCREMENT INNER INSERT INTERSECT INTO
IS ISSUE JOIN LATERAL LEFT LIKE LOCALTIME LOCALTIMESTAMP MINUS NATURAL NOT NULL OF ON OR ORDER ORGANIZATION
QUALIFY REGEXP REVOKE RIGHT RLIKE ROW ROWS SAMPLE SCHEMA SELECT SET SOME START TABLE TABLESAMPLE THEN TO
TRIGGER TRUE TRY_CAST UNION UNIQUE UPDATE USING VALUES VIEW WHEN WHENEVER WHERE WITH
""".split())

_COLUMN_KEYS = ("hash_key", "hashdiff", "effective_from", "start_date", "end_date")
_COLUMN_LISTS = ("business_keys", "payload", "multi_active_keys", "reference_keys")


def _identifiers(dv):
    for key in _COLUMN_KEYS:
        if isinstance(dv.get(key), str):
            yield dv[key], (key,)
    for key in _COLUMN_LISTS:
        for index, value in enumerate(dv.get(key) or []):
            yield value, (key, index)
    for index, item in enumerate(dv.get("hubs") or []):
        if isinstance(item, dict):
            for key in ("role", "foreign_key"):
                if key in item:
                    yield item[key], ("hubs", index, key)
    for index, source in enumerate(dv.get("sources") or []):
        if isinstance(source, dict):
            if isinstance(source.get("load_datetime"), str):
                yield source["load_datetime"], ("sources", index, "load_datetime")
            if isinstance(source.get("record_source"), dict) and isinstance(source["record_source"].get("column"), str):
                yield source["record_source"]["column"], ("sources", index, "record_source", "column")
            mapping = source.get("business_keys")
            items = mapping.items() if isinstance(mapping, dict) else [(None, mapping)]
            for ref, columns in items:
                for position, column in enumerate(columns if isinstance(columns, list) else []):
                    sub = ("sources", index, "business_keys") + ((ref,) if ref is not None else ()) + (position,)
                    yield column, sub


@rule("DV105", "reserved-word")
def reserved_word(ctx):
    """A column or entity name is a Snowflake reserved word and would break unquoted SQL."""
    for entry in ctx.sound_entities():
        if entry.name.upper() in RESERVED:
            yield ctx.at(entry, (), f"entity name `{entry.name}` is a Snowflake reserved word", "choose another name")
        for value, path in _identifiers(entry.dv):
            if isinstance(value, str) and value.upper() in RESERVED:
                yield ctx.at(entry, path, f"column `{value}` is a Snowflake reserved word",
                             f"rename it, e.g. `{value}_value`, in the source or through a mapping")


@rule("DV106", "bad-source-reference")
def bad_source_reference(ctx):
    """A source item does not name exactly one `model` or a `source_name.table_name`."""
    yield from _schema_issues(ctx, "DV106")


@rule("DV107", "unsafe-literal")
def unsafe_literal(ctx):
    """A record-source literal contains quotes, backslashes or line breaks, which would break or inject SQL."""
    yield from _schema_issues(ctx, "DV107")
