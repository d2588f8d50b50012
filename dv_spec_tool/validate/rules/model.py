"""Rules about the Data Vault model itself: keys, links, satellites."""

from collections import Counter

from dv_spec_tool.core.design import as_list
from dv_spec_tool.core.kinds import HASH_KEY_KINDS, LINK_KINDS, PARENT_KINDS, PARENTED_KINDS, SAT_KINDS
from dv_spec_tool.validate.rules.rule import rule


@rule("DV202", "link-too-few-hubs")
def link_too_few_hubs(ctx):
    """A link references fewer than two hubs; a relationship needs two ends (a hub may appear twice with roles)."""
    for entry in ctx.sound_entities():
        if entry.dv["kind"] in LINK_KINDS and len(entry.dv["hubs"]) < 2:
            yield ctx.at(entry, ("hubs",), f"{entry.dv['kind']} `{entry.name}` references {len(entry.dv['hubs'])} hub; it needs at least two",
                         "add the other hub, or for a self-relationship list the hub twice with roles")


@rule("DV204", "duplicate-entity")
def duplicate_entity(ctx):
    """Two model entries carry a design under the same name; dbt model names are unique."""
    for entry in ctx.design.duplicates:
        first = ctx.design.entities[entry.name]
        line, col = entry.file.doc.position(entry.model_path + ("name",))
        yield ctx.at(entry, (), f"entity `{entry.name}` is already designed in {first.file.path}:{first.position()[0]}",
                     "rename one of them or merge the two entries")._replace(line=line, col=col)


@rule("DV205", "duplicate-hash-key")
def duplicate_hash_key(ctx):
    """Two hubs or links use the same hash key column name, so links and satellites could not tell them apart."""
    owners = {}
    for entry in ctx.sound_entities():
        if entry.dv["kind"] in HASH_KEY_KINDS:
            key = entry.dv["hash_key"]
            if key in owners:
                yield ctx.at(entry, ("hash_key",), f"hash key `{key}` is already the hash key of `{owners[key]}`",
                             f"name it after this entity, e.g. `{entry.name.split('_', 1)[-1]}_hk`")
            else:
                owners[key] = entry.name


@rule("DV206", "key-mapping-arity")
def key_mapping_arity(ctx):
    """A source's business-key mapping lists a different number of columns than the hub has business keys."""
    for entry in ctx.sound_entities():
        kind = entry.dv["kind"]
        if kind not in HASH_KEY_KINDS + tuple(PARENT_KINDS):
            continue
        for index, source in enumerate(as_list(entry.dv.get("sources"))):
            mapping = source.get("business_keys")
            path = ("sources", index, "business_keys")
            if isinstance(mapping, list):
                hub = _mapped_hub(ctx, entry)
                if hub is not None:
                    yield from _arity(ctx, entry, path, mapping, hub)
            elif isinstance(mapping, dict):
                link = entry.name if kind in LINK_KINDS else entry.dv.get("parent")
                refs = {ref["name"]: ref["hub"] for ref in ctx.refs(link)}
                for ref_name, columns in mapping.items():
                    if ref_name in refs:
                        yield from _arity(ctx, entry, path + (ref_name,), columns, refs[ref_name])


def _mapped_hub(ctx, entry):
    if entry.dv["kind"] == "hub":
        return entry.name
    if entry.dv["kind"] in PARENT_KINDS and ctx.design.kind_of(entry.dv.get("parent")) == "hub":
        return entry.dv["parent"]
    return None


def _arity(ctx, entry, path, columns, hub):
    keys = (ctx.entity(hub) or {}).get("business_keys") or []
    if keys and len(columns) != len(keys):
        yield ctx.at(entry, path, f"maps {len(columns)} column(s) onto {len(keys)} business key(s) of `{hub}` ({', '.join(keys)})",
                     "list one source column per business key, in the hub's order")


@rule("DV207", "payload-overlaps-keys")
def payload_overlaps_keys(ctx):
    """A payload column is also a key, hashdiff, multi-active key or metadata column; payload is descriptive only."""
    settings = ctx.resolved["settings"]
    for entry in ctx.sound_entities():
        payload = as_list(entry.dv.get("payload"))
        if not payload:
            continue
        reserved = {settings["load_datetime_column"]: "the load datetime", settings["record_source_column"]: "the record source"}
        for key in ("hash_key", "hashdiff", "effective_from"):
            if isinstance(entry.dv.get(key), str):
                reserved[entry.dv[key]] = f"the {key.replace('_', ' ')}"
        for column in as_list(entry.dv.get("multi_active_keys")) + as_list(entry.dv.get("reference_keys")):
            reserved[column] = "a key"
        for column in as_list(entry.dv.get("dependent_keys")):
            reserved[column] = "a dependent key of the link"
        for source in ctx.entity(entry.name)["sources"]:
            for column in source["key_columns"]:
                reserved.setdefault(column["source_column"], "a business key")
                reserved.setdefault(column["target"], "a business key")
        for index, column in enumerate(payload):
            if column in reserved:
                yield ctx.at(entry, ("payload", index), f"payload column `{column}` is {reserved[column]}",
                             "remove it from `payload`; keys and metadata are loaded already")


@rule("DV208", "hashdiff-without-payload")
def hashdiff_without_payload(ctx):
    """A satellite declares a hashdiff but no payload (nor multi-active keys or hashdiff_columns), so the hashdiff would hash nothing."""
    for entry in ctx.sound_entities():
        if entry.dv["kind"] in SAT_KINDS and not entry.dv.get("payload") \
                and not entry.dv.get("multi_active_keys") and not entry.dv.get("hashdiff_columns"):
            yield ctx.at(entry, ("hashdiff",), f"`{entry.name}` has hashdiff `{entry.dv['hashdiff']}` but no payload",
                         "add `payload: [columns]` the satellite tracks")


@rule("DV210", "ambiguous-hub-reference")
def ambiguous_hub_reference(ctx):
    """A link references the same hub twice without distinct roles, or two references share a foreign key column."""
    for entry in ctx.sound_entities():
        if entry.dv["kind"] not in LINK_KINDS:
            continue
        refs = ctx.refs(entry.name)
        counts = Counter(ref["name"] for ref in refs)
        foreign_keys = Counter(ref["foreign_key"] for ref in refs if ref["foreign_key"])
        for ref in refs:
            if counts[ref["name"]] > 1:
                yield ctx.at(entry, ("hubs", ref["index"]), f"`{ref['name']}` is referenced {counts[ref['name']]} times without distinct roles",
                             f"write `{{hub: {ref['hub']}, role: <role>}}` for each reference")
            elif ref["foreign_key"] and foreign_keys[ref["foreign_key"]] > 1:
                yield ctx.at(entry, ("hubs", ref["index"]), f"two hub references would both use foreign key column `{ref['foreign_key']}`",
                             "give them roles or explicit `foreign_key` names")


@rule("DV216", "satellite-multiple-sources", severity="warning")
def satellite_multiple_sources(ctx):
    """A satellite loads from several sources; Data Vault practice is one satellite per source (rate of change and ownership differ)."""
    for entry in ctx.sound_entities():
        if entry.dv["kind"] in PARENTED_KINDS and len(entry.dv["sources"]) > 1:
            yield ctx.at(entry, ("sources", 1), f"`{entry.name}` loads from {len(entry.dv['sources'])} sources",
                         "split it into one satellite per source, e.g. sat_<parent>_<source>")


@rule("DV217", "stage-column-conflict")
def stage_column_conflict(ctx):
    """Two entities need the same column of one stage computed differently (a hash key from other columns, another record source).

    One stage computes each column once; the design must agree on it, or the
    entities must read from different sources.
    """
    for stage in ctx.resolved["stages"].values():
        for conflict in stage["conflicts"]:
            entry = ctx.design.get(conflict["second"])
            source_index = next((s["index"] for s in ctx.entity(entry.name)["sources"] if s["stage"] == stage["name"]), 0)
            yield ctx.at(entry, ("sources", source_index),
                         f"stage `{stage['name']}` column `{conflict['column']}` would be {_definition(conflict['second_definition'])} "
                         f"for `{conflict['second']}` but {_definition(conflict['first_definition'])} for `{conflict['first']}`",
                         "make the mappings agree, or give the entities separate sources")


def _definition(definition) -> str:
    if isinstance(definition, dict):
        return "a hashdiff of " + ", ".join(definition.get("columns", []))
    if isinstance(definition, list):
        return "a hash of " + ", ".join(definition)
    text = str(definition)
    return f"the literal `{text[1:]}`" if text.startswith("!") else f"`{text}`"


@rule("DV218", "ghost-record-not-written", severity="warning")
def ghost_record_not_written(ctx):
    """An entity asks for a ghost record that AutomateDV will not write: its `enable_ghost_records` var is off, or the kind is not a sat.

    AutomateDV 0.11 writes ghost records into satellites (`sat`) only, and only
    with `vars: {enable_ghost_records: true}`; the acceptance test for the ghost
    record would fail on AutomateDV-built tables otherwise.
    """
    doc = ctx.project.project_doc
    variables = doc.data.get("vars") if doc is not None and isinstance(doc.data, dict) else None
    enabled = isinstance(variables, dict) and variables.get("enable_ghost_records") is True
    for entry in ctx.sound_entities():
        if entry.dv.get("ghost_record") is not True:
            continue
        if entry.dv["kind"] != "sat":
            yield ctx.at(entry, ("ghost_record",), f"AutomateDV writes ghost records only into a sat, not a {entry.dv['kind']}",
                         "drop `ghost_record`, or write the ghost record in your own SQL")
        elif not enabled:
            yield ctx.at(entry, ("ghost_record",), f"`{entry.name}` has `ghost_record: true` but AutomateDV will not write ghost records",
                         "set `vars: {enable_ghost_records: true}` in dbt_project.yml")
