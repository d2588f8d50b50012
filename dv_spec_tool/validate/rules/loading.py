"""Rules about what the loads can deliver: keys with no parent row, satellites loaded twice, dates nobody sends.

They are warnings: the design may be right, but the engineer implementing it
cannot make the acceptance tests pass on every load without an answer from
the architect. `dv-spec spec` lists them as the entity's open questions.
"""

from dv_spec_tool.core.design import as_list
from dv_spec_tool.core.kinds import LINK_KINDS, PARENTED_KINDS, SAT_KINDS
from dv_spec_tool.validate.rules.columns import _known_columns
from dv_spec_tool.validate.rules.rule import rule


def _upstreams(entity) -> set:
    """What an entity's sources read, past declared stages (raw models and dbt sources)."""
    return {source["upstream"] for source in entity["sources"]}


def _source_index(entity, upstream) -> int:
    return next(i for i, source in enumerate(entity["sources"]) if source["upstream"] == upstream)


@rule("DV230", "orphan-keys", severity="warning")
def orphan_keys(ctx):
    """A link or satellite is loaded from a source that does not load the hub (or link) its keys point at, so a key seen only there has no parent row and fails the foreign-key test."""
    for entry in ctx.sound_entities():
        entity = ctx.entity(entry.name)
        kind = entity["kind"]
        if kind in LINK_KINDS:
            parents = [ref["hub"] for ref in entity["refs"]]
        elif kind in PARENTED_KINDS and entity.get("parent"):
            parents = [entity["parent"]]
        else:
            continue
        for upstream in sorted(_upstreams(entity)):
            for parent in dict.fromkeys(parents):
                loaded = ctx.entity(parent)
                if loaded is None or upstream in _upstreams(loaded):
                    continue
                yield ctx.at(entry, ("sources", _source_index(entity, upstream)),
                             f"`{entry.name}` is loaded from `{upstream}`, which does not load `{parent}`: a key that arrives "
                             f"only there has no row in `{parent}` and fails the {'foreign-key' if kind in LINK_KINDS else 'parent-key'} test",
                             f"add `{upstream}` to the sources of `{parent}`, or confirm that every key in `{upstream}` "
                             f"reaches `{parent}` from its other sources first")


@rule("DV231", "duplicate-satellite", severity="warning")
def duplicate_satellite(ctx):
    """Two satellites of one parent load the same payload column(s) from the same source: the history is kept twice and the two drift apart."""
    seen = {}
    for entry in ctx.sound_entities():
        entity = ctx.entity(entry.name)
        if entity["kind"] not in SAT_KINDS:
            continue
        for upstream in sorted(_upstreams(entity)):
            for other, payload in seen.get((entity["parent"], upstream), []):
                shared = [column for column in entity["payload"] if column in payload]
                if shared:
                    yield ctx.at(entry, ("payload",),
                                 f"`{entry.name}` and `{other}` both load {', '.join(f'`{c}`' for c in shared)} of "
                                 f"`{entity['parent']}` from `{upstream}`",
                                 f"keep each column in one satellite: drop it from `{entry.name}` or `{other}`, "
                                 "or merge the two satellites")
            seen.setdefault((entity["parent"], upstream), []).append((entry.name, entity["payload"]))


@rule("DV232", "effectivity-dates-ignored", severity="warning")
def effectivity_dates_ignored(ctx):
    """An effectivity satellite is auto end-dated (`end_dating: auto`, the default) although its source has the start and end date columns, which are then not read."""
    for entry in ctx.sound_entities():
        entity = ctx.entity(entry.name)
        if entity["kind"] != "eff_sat" or entry.dv.get("end_dating") is not None:
            continue
        for source in entity["sources"]:
            columns, _origin = _known_columns(ctx, source["ref"])
            lowered = {column.lower() for column in as_list(columns)}
            if entity["start_date"].lower() in lowered and entity["end_date"].lower() in lowered:
                yield ctx.at(entry, ("kind",),
                             f"`{source['ref']}` has `{entity['start_date']}` and `{entity['end_date']}`, but `{entry.name}` "
                             "computes its dates (end_dating defaults to `auto`) and ignores them",
                             "set `end_dating: source` if the source sends closing rows, or `end_dating: auto` to confirm")


@rule("DV233", "hashdiff-hashes-load-datetime", severity="warning")
def hashdiff_hashes_load_datetime(ctx):
    """A satellite's hashdiff hashes its load datetime, which differs on every load: each load then adds a row although nothing in the payload changed."""
    settings = ctx.resolved["settings"]
    for entry in ctx.sound_entities():
        entity = ctx.entity(entry.name)
        if entity["kind"] not in SAT_KINDS:
            continue
        hashed = {str(column).lower(): column for column in entity["hashdiff_columns"]}
        loads = [settings["load_datetime_column"]] + [source["load_datetime"] for source in entity["sources"]
                                                      if source["load_datetime_kind"] == "column"]
        found = [hashed[column.lower()] for column in dict.fromkeys(loads) if column.lower() in hashed]
        if found:
            yield ctx.at(entry, ("hashdiff_columns",) if "hashdiff_columns" in entry.dv else ("payload",),
                         f"`{entry.name}`'s hashdiff `{entity['hashdiff']}` hashes {', '.join(f'`{c}`' for c in found)}, "
                         "its load datetime: every load is a change, and adds a row although the payload did not change",
                         f"drop {', '.join(f'`{c}`' for c in found)} from the hashdiff (the stage's and `hashdiff_columns`)")
