"""Rules about column names: against known source columns and naming conventions."""

from ..design import LINK_KINDS, as_list, required_source_columns, source_ref
from ..context import did_you_mean
from . import rule


def _known_columns(ctx, ref, seen=()):
    """Columns of a node, following declared stages to their own source; None if unknown."""
    node = ctx.project.nodes.get(ref)
    if node is not None and node.columns is not None:
        return node.columns, node.columns_from
    stage = ctx.design.get(ref)
    if stage is not None and isinstance(stage.dv, dict) and stage.dv.get("kind") == "stage" and ref not in seen:
        sources = as_list(stage.dv.get("sources"))
        if sources and isinstance(sources[0], dict):
            return _known_columns(ctx, source_ref(sources[0]), seen + (ref,))
    return None, ""


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
    if not name.startswith(prefix):
        return f"does not start with `{prefix}`"
    if not name.endswith(suffix):
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
        checks = [("hash_key", "hash_key")] if kind in ("hub",) + LINK_KINDS else []
        if "hashdiff" in entry.dv:
            checks.append(("hashdiff", "hashdiff"))
        for key, convention in checks:
            problem = _convention_violation(entry.dv[key], naming.get(convention))
            if problem:
                yield ctx.at(entry, (key,), f"{key.replace('_', ' ')} `{entry.dv[key]}` {problem}",
                             "rename it, or change `vars.dv_spec.naming` in dbt_project.yml")
