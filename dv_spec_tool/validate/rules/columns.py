"""Rules about column names: against known source columns and naming conventions."""

import os

from dv_spec_tool.core.design import as_list, required_source_columns, source_ref
from dv_spec_tool.core.files import read_text
from dv_spec_tool.core.findings import did_you_mean
from dv_spec_tool.core.kinds import HASH_KEY_KINDS
from dv_spec_tool.core.yamlpos import YamlError
from dv_spec_tool.importers.automate_dv import project_vars
from dv_spec_tool.importers.automate_dv_reader import read_model
from dv_spec_tool.validate.rules.rule import rule


def _known_columns(ctx, ref, seen=()):
    """Columns of a node, following declared stages to their own source; None if unknown.

    A declared stage has its source's columns plus those its model derives
    and hashes (read from its AutomateDV call); when that call cannot be
    read, its columns are unknown.
    """
    node = ctx.project.nodes.get(ref)
    if node is not None and node.columns is not None:
        return node.columns, node.columns_from
    stage = ctx.design.get(ref)
    if stage is not None and isinstance(stage.dv, dict) and stage.dv.get("kind") == "stage" and ref not in seen:
        sources = as_list(stage.dv.get("sources"))
        if sources and isinstance(sources[0], dict):
            upstream = source_ref(sources[0])
            columns, origin = _known_columns(ctx, upstream, seen + (ref,))
            own = _stage_columns(ctx, ref, node)
            if columns is None or own is None:
                return None, ""
            return columns + own, f"stage `{ref}`: the columns it derives and hashes, and those of `{upstream}`, {origin}"
    return None, ""


def _stage_columns(ctx, ref, node):
    """The columns a stage adds: its model's AutomateDV call's (derived, hashed, around it), None if that call cannot
    be read; without a model yet, those the design derives in it."""
    if node is None or not node.path.endswith(".sql"):
        stage = ctx.resolved["stages"].get(ref) or {}
        return list(stage.get("derived") or {}) + list(stage.get("hashed") or {})
    try:
        text = read_text(os.path.join(ctx.project.root, node.path))
    except (OSError, YamlError):
        return None
    call = read_model(node.name, node.path, text, project_vars(ctx.project))
    if call.error or call.macro != "stage":
        return None
    columns = []
    for key in ("derived_columns", "hashed_columns"):
        if isinstance(call.args.get(key), dict):
            columns += [str(c) for c in call.args[key]]
    return columns + list(call.wrapper_columns)


@rule("DV300", "column-not-in-source")
def column_not_in_source(ctx):
    """A column the design reads from a source is not among that source's known columns (seed header, dbt source `columns:`)."""
    for entry in ctx.sound_entities():
        entity = ctx.entity(entry.name)
        for source in entity["sources"]:
            columns, origin = _known_columns(ctx, source["ref"])
            if columns is None:
                continue
            lowered = {c.lower() for c in columns}
            for column, path in required_source_columns(entity, source):
                if column.lower() not in lowered:
                    yield ctx.at(entry, path, f"column `{column}` is not in `{source['ref']}` ({origin})",
                                 did_you_mean(column, columns) or "map it with a per-source `business_keys` or add it to the source")


def _convention_violation(name, convention):
    if not convention:
        return ""
    prefix, suffix = convention.get("prefix") or "", convention.get("suffix") or ""
    # Snowflake identifiers are case-insensitive: CUSTOMER_HK ends with _hk.
    if not name.lower().startswith(prefix.lower()):
        return f"does not start with `{prefix}`"
    if not name.lower().endswith(suffix.lower()):
        return f"does not end with `{suffix}`"
    return ""


@rule("DV301", "naming-convention", severity="warning")
def naming_convention(ctx):
    """An entity, hash key or hashdiff name breaks the project's naming convention (vars.dv_spec.naming)."""
    naming = ctx.resolved["settings"]["naming"]
    for entry in ctx.sound_entities():
        kind = entry.dv["kind"]
        problem = _convention_violation(entry.name, naming.get(kind))
        if problem:
            yield ctx.at(entry, ("kind",), f"{kind} name `{entry.name}` {problem}",
                         "rename it, or change `vars.dv_spec.naming` in dbt_project.yml")
        checks = [("hash_key", "hash_key")] if kind in HASH_KEY_KINDS else []
        if "hashdiff" in entry.dv:
            checks.append(("hashdiff", "hashdiff"))
        for key, convention in checks:
            problem = _convention_violation(entry.dv[key], naming.get(convention))
            if problem:
                yield ctx.at(entry, (key,), f"{key.replace('_', ' ')} `{entry.dv[key]}` {problem}",
                             "rename it, or change `vars.dv_spec.naming` in dbt_project.yml")
