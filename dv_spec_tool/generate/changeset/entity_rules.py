"""Change-set rules on whole entities and on the design's settings: an entity
added (CS001), removed (CS002), of another kind (CS003), a satellite split
(CS004), and the vault-wide settings (CS100), registered with the key-level
rules in the one registry (`registry.CHANGE_RULES`).
"""

from __future__ import annotations

from dv_spec_tool.core.registry import CHANGE_RULES
from dv_spec_tool.generate.changeset.changes import Change, Pair, as_code


@CHANGE_RULES.register("CS001", applies_to="entity")
def entity_added(name: str, entity: dict, split_from: list = ()) -> Change:
    """An entity added: a new table and its backfill (from the old satellite's history when split from one)."""
    kind = entity["kind"]
    how = {
        "hub": "its first load brings every business key in the sources' history",
        "link": "a backfill from the sources' history brings every relationship",
        "nh_link": "a backfill from the sources' history brings every event",
        "sat": "it starts empty; a backfill from the source's history (oldest load first) brings the history the source still holds",
        "ma_sat": "it starts empty; a backfill from the source's history (oldest load first) brings the history the source still holds",
        "eff_sat": "it starts empty; a backfill from the source's history rebuilds the periods",
        "xts": "it starts empty; a backfill from the source's history (oldest load first) records what each load brought",
        "ref_table": "its first load brings the reference data",
        "pit": "it is built from the hub and satellites it lists",
        "bridge": "it is built from the hub and links it lists",
        "stage": "a view: nothing to load",
    }.get(kind, "it is built")
    phase = "rebuild" if kind in ("pit", "bridge") else "load"
    change = Change("CS001", "entity", f"new {kind}", None, name,
                    implications=[f"A new table `{name}`: {how}."],
                    migration=[("code", f"Implement `{name}` from its spec (`dv-spec spec --select {name}`; `dv-spec scaffold --select {name}` writes the AutomateDV version)."),
                               (phase, f"Build `{name}` and backfill it: {how}.")])
    if split_from:
        change.implications[0] = f"A new table `{name}`, split from {as_code(split_from)}: it starts empty."
        change.implications.append(f"Split from {as_code(split_from)}: backfill it from that satellite's history (its rows, only the columns that moved, the hashdiff recomputed, consecutive repeats dropped) rather than from the source alone.")
        change.migration = [step for step in change.migration if step[0] != "load"]
    return change


@CHANGE_RULES.register("CS002", applies_to="entity")
def entity_removed(name: str, entity: dict, readers: list) -> Change:
    """An entity removed: its table's history to archive, the models that still read it to change first."""
    return Change("CS002", "entity", f"{entity['kind']} removed from the design", name, None,
                  implications=[f"`{name}` is no longer loaded. Its table holds history: archive it before dropping it."]
                  + ([f"Models that still read it must change first: {as_code(readers)}."] if readers else []),
                  migration=[("agree", f"Decide whether `{name}`'s table is archived and dropped or kept read-only."),
                             ("code", f"Delete the model file of `{name}` (and its `ac_` tests), after the models that read it are changed.")],
                  criteria=[f"Nothing in the project refers to `{name}` any more (`dbt parse` succeeds)."])


@CHANGE_RULES.register("CS003", applies_to="entity")
def kind_changed(pair: Pair) -> Change:
    """An entity's kind changed: a different kind of table, rebuilt from scratch."""
    return Change("CS003", "kind", f"kind changed from {pair.base['kind']} to {pair.head['kind']}", pair.base["kind"], pair.head["kind"],
                  implications=[f"A different kind of table: `{pair.name}` is rebuilt from scratch under the new kind's load pattern."],
                  migration=[("prepare", f"Archive `{pair.name}`."), ("load", f"Rebuild `{pair.name}` with `--full-refresh`.")],
                  rekeys_downstream=True)


@CHANGE_RULES.register("CS004", applies_to="entity")
def satellite_split(name: str, targets: list) -> Change:
    """A satellite split: payload moved to new satellites on the same parent, which start empty and are backfilled from its history."""
    # targets: (new satellite, [columns moved to it])
    moved = [f"{as_code(cols)} to `{target}`" for target, cols in targets]
    return Change(
        "CS004", "split", "satellite split: payload moved " + "; ".join(moved), name, [t for t, _ in targets],
        implications=["The new satellites start empty; their history comes from this satellite's rows (each with only its columns and a recomputed hashdiff, consecutive repeats dropped) or from the sources' history.",
                      "PITs listing this satellite must list the new ones."],
        migration=[("load", "Backfill the new satellites from the old satellite's history before it is retired or shrunk."),
                   ("verify", "Compare, per key and load datetime, the old satellite's payload with the new satellites' payloads together.")],
        criteria=[f"For every key and load datetime of `{name}`'s history, the moved columns in the new satellites hold the same values."],
        questions=[f"`{name}` split: is the old satellite retired, or kept for the columns that stay?"])


@CHANGE_RULES.register("CS100", applies_to="settings")
def settings_changed(base: dict, head: dict) -> list:
    """The hash algorithm, load-datetime or record-source column: every key changes, or every table's column is renamed."""
    changes = []
    old, new = base["settings"], head["settings"]
    if old.get("hash_algorithm") != new.get("hash_algorithm"):
        changes.append(Change(
            "CS100", "hash_algorithm", f"hash algorithm changed from {old.get('hash_algorithm')} to {new.get('hash_algorithm')}",
            old.get("hash_algorithm"), new.get("hash_algorithm"),
            implications=["Every hash key and hashdiff of the vault changes (and possibly the binary length): every table is rebuilt."],
            migration=[("prepare", "Archive the whole vault schema (a zero-copy CLONE on Snowflake)."),
                       ("load", "Rebuild every vault model with `--full-refresh`, in build order.")],
            rekeys_downstream=True))
    for key in ("load_datetime_column", "record_source_column"):
        if old.get(key) != new.get(key):
            changes.append(Change(
                "CS100", key, f"{key.replace('_', ' ')} changed from `{old.get(key)}` to `{new.get(key)}`", old.get(key), new.get(key),
                implications=["Every vault table's metadata column is renamed."],
                migration=[("prepare", f"Rename `{old.get(key)}` to `{new.get(key)}` in every vault table (ALTER TABLE ... RENAME COLUMN).")]))
    return changes
