"""Change-set rules on one entity in both designs: one function per key-level
comparison, `fn(pair) -> list[Change]`, registered under a stable id (CS1xx)
in the one registry (`registry.CHANGE_RULES`). Each change says what it
implies for data already loaded and the migration steps it needs.
"""

from __future__ import annotations

from dv_spec_tool.core.kinds import HASH_KEY_KINDS, LINK_KINDS, PARENTED_KINDS, PAYLOAD_KINDS, SAT_KINDS
from dv_spec_tool.core.registry import CHANGE_RULES
from dv_spec_tool.generate.changeset.changes import Change, Pair, as_code


def change_rule(rule_id: str):
    """Register a comparison of one entity in both designs, fn(pair) -> list[Change]; ids are unique."""
    return CHANGE_RULES.register(rule_id, applies_to="pair")


def key_rules() -> list:
    """The registered comparisons of one entity, in id order."""
    return CHANGE_RULES.entries(applies_to="pair")


def _sources(entity: dict) -> dict:
    return {s["ref"]: s for s in entity.get("sources") or []}


@change_rule("CS101")
def business_keys_changed(pair: Pair) -> list:
    """A hub's business keys (or their order): every hash key changes, so it is a new hub."""
    if pair.kind != "hub" or pair.base["business_keys"] == pair.head["business_keys"]:
        return []
    name = pair.name
    return [Change(
        "CS101", "business_keys", f"business key changed from {as_code(pair.base['business_keys'])} to {as_code(pair.head['business_keys'])}",
        pair.base["business_keys"], pair.head["business_keys"],
        implications=[
            f"Every hash key of `{name}` changes (the hash covers other columns, or the same in another order): in all but name this is a new hub.",
            "Every link referencing it, every satellite on it and every PIT and bridge over it is re-keyed.",
        ],
        migration=[("agree", f"Decide how `{name}` is migrated: a new hub table loaded from the sources' history, or a one-off re-hash of the existing rows with the new business key."),
                   ("prepare", f"Archive `{name}` and everything keyed on it before the migration (a zero-copy CLONE on Snowflake)."),
                   ("load", f"Reload `{name}` from the sources' full history (dbt `--full-refresh`), then every model keyed on it, in build order.")],
        criteria=[f"Every business entity in the old `{name}` is in the new one exactly once (count the distinct business keys before and after)."],
        questions=[f"`{name}`: does the new business key identify the same things as the old one (no merges, no splits), and who signs off the re-keying?"],
        rekeys_downstream=True)]


@change_rule("CS102")
def hash_key_renamed(pair: Pair) -> list:
    """A hub's or link's hash key column is renamed: rename it wherever it appears."""
    if pair.kind not in HASH_KEY_KINDS or pair.base["hash_key"] == pair.head["hash_key"]:
        return []
    before, after = pair.base["hash_key"], pair.head["hash_key"]
    return [Change(
        "CS102", "hash_key", f"hash key column renamed from `{before}` to `{after}`", before, after,
        implications=[f"The values stay the same; the column is renamed in `{pair.name}`, in the stages that compute it, and in every foreign or parent key named after it."],
        migration=[("prepare", f"`ALTER TABLE {pair.name} RENAME COLUMN {before} TO {after};` (and the same in every table that carries it)."),
                   ("code", "Regenerate or edit the stages and models that compute or select it (`dv-spec scaffold`).")],
        criteria=[f"No model or test refers to `{before}` any more (`grep`, `dbt parse`)."])]


@change_rule("CS103")
def link_hubs_changed(pair: Pair) -> list:
    """A link's hubs (added, removed or reordered): a new link key, a new link table and a backfill."""
    if pair.kind not in LINK_KINDS:
        return []
    before = [(r["hub"], r["role"]) for r in pair.base["refs"]]
    after = [(r["hub"], r["role"]) for r in pair.head["refs"]]
    if before == after:
        return []
    label = lambda refs: [h + (f" ({r})" if r else "") for h, r in refs]  # noqa: E731
    added = [h for h in after if h not in before]
    removed = [h for h in before if h not in after]
    name = pair.name
    if added or removed:
        text = "hubs changed: " + "; ".join(
            ([f"added {as_code(label(added))}"] if added else []) + ([f"removed {as_code(label(removed))}"] if removed else []))
    else:
        text = f"hub order changed from {as_code(label(before))} to {as_code(label(after))}"
    implications = [f"The link hash key `{pair.head['hash_key']}` covers other hub keys now, so every link key changes: this is a new link table, loaded by a backfill from the sources' history."]
    if added:
        implications.append("Rows already loaded cannot be converted: they do not carry the new hub's business key; the new hub's foreign key has to come from the sources.")
        implications.append("The stage feeding the link must compute the new foreign key (" + as_code([r["foreign_key"] for r in pair.head["refs"] if (r["hub"], r["role"]) in added]) + ").")
    if removed:
        implications.append("Several old link rows can collapse into one new key: the relationship's grain changes.")
    implications.append("Satellites and effectivity satellites on the link get new parent keys; bridges through it change.")
    return [Change(
        "CS103", "link_hubs", text, label(before), label(after), implications=implications,
        migration=[("agree", f"Decide whether `{name}` is replaced in place (same name) or a new link is built beside it while consumers move."),
                   ("prepare", f"Archive `{name}` and its satellites (a zero-copy CLONE on Snowflake)."),
                   ("code", f"Update the stage(s) of `{name}` to compute every foreign key and the new link hash key (`dv-spec scaffold --select {name}`)."),
                   ("load", f"Rebuild `{name}` with `--full-refresh` from the sources' full history, then its satellites.")],
        criteria=[f"Every relationship in the old `{name}` is present in the new one (joined on the old hubs' keys)."],
        questions=[f"`{name}`: do the sources hold the history needed to backfill the new grain?"] if added else [],
        rekeys_downstream=True)]


@change_rule("CS104")
def dependent_keys_changed(pair: Pair) -> list:
    """A link's dependent keys: the link hash key covers them, so every link key and the grain change."""
    if pair.kind not in LINK_KINDS or pair.base.get("dependent_keys") == pair.head.get("dependent_keys"):
        return []
    return [Change(
        "CS104", "dependent_keys", f"dependent keys changed from {as_code(pair.base['dependent_keys'])} to {as_code(pair.head['dependent_keys'])}",
        pair.base["dependent_keys"], pair.head["dependent_keys"],
        implications=["The link hash key covers the dependent keys, so every link key changes and the link's grain changes."],
        migration=[("load", f"Rebuild `{pair.name}` with `--full-refresh` from the sources' history.")],
        criteria=[f"`{pair.name}` has one row per distinct combination of hub keys and dependent keys in the sources."],
        rekeys_downstream=True)]


@change_rule("CS105")
def parent_changed(pair: Pair) -> list:
    """A satellite's parent: every row gets a new parent key, so it is re-keyed and reloaded."""
    if pair.kind not in PARENTED_KINDS or pair.base.get("parent") == pair.head.get("parent"):
        return []
    return [Change(
        "CS105", "parent", f"parent changed from `{pair.base['parent']}` to `{pair.head['parent']}`", pair.base["parent"], pair.head["parent"],
        implications=[f"Every row of `{pair.name}` gets a new parent key: the satellite is re-keyed and reloaded."],
        migration=[("load", f"Rebuild `{pair.name}` with `--full-refresh` from the source's history.")],
        criteria=[f"Every `{pair.name}` key is present in `{pair.head['parent']}`."],
        rekeys_downstream=True)]


@change_rule("CS106")
def sources_changed(pair: Pair) -> list:
    """Sources added or removed; a source's business-key mapping, record source or load datetime changed."""
    if pair.kind in ("pit", "bridge"):
        return []
    before, after = _sources(pair.base), _sources(pair.head)
    changes = []
    table = pair.name
    for ref in sorted(set(after) - set(before)):
        source = after[ref]
        if pair.kind == "hub":
            implications = [f"Keys first delivered by `{ref}` are inserted with record source '{source['record_source']}'; keys already in `{table}` keep theirs (the first source wins)."]
        elif pair.kind in LINK_KINDS:
            implications = [f"Relationships first delivered by `{ref}` are inserted with record source '{source['record_source']}'."]
        else:
            implications = [f"`{table}` gets rows from `{ref}` too, with record source '{source['record_source']}'."]
        implications.append(f"The stage `{source['stage']}` must exist and compute the keys this entity needs.")
        changes.append(Change(
            "CS106", "sources", f"source `{ref}` added", None, ref, implications=implications,
            migration=[("code", f"Create or update the stage `{source['stage']}` (`dv-spec scaffold --select {table}`)."),
                       ("load", f"Backfill: load `{ref}`'s history into `{table}` once, oldest load first.")],
            criteria=[f"Every key in `{ref}` is in `{table}` after the backfill, and rows first seen in `{ref}` carry record source '{source['record_source']}'."]))
    for ref in sorted(set(before) - set(after)):
        source = before[ref]
        changes.append(Change(
            "CS106", "sources", f"source `{ref}` removed", ref, None,
            implications=[f"Rows already loaded from `{ref}` stay in `{table}` with record source '{source['record_source']}' (the vault is insert-only); nothing new arrives from it.",
                          f"If no other entity reads it, the stage `{source['stage']}` is no longer needed."],
            migration=[("code", f"Remove `{ref}` from the model's `source_model`; drop the stage `{source['stage']}` if nothing else reads it.")],
            criteria=[f"`{table}` no longer reads `{ref}` (`dv-spec check` declared_sources), and its rows from '{source['record_source']}' are still there."]))
    for ref in sorted(set(before) & set(after)):
        old, new = before[ref], after[ref]
        old_keys = [(c["target"], c["source_column"]) for c in old["key_columns"]]
        new_keys = [(c["target"], c["source_column"]) for c in new["key_columns"]]
        same_targets = [t for t, _ in old_keys] == [t for t, _ in new_keys]
        if old_keys != new_keys and same_targets:  # other targets: CS101 / CS103 / CS105 report it
            changes.append(Change(
                "CS106", "source_key_mapping", f"`{ref}` now maps its key columns differently: {as_code([f'{s} -> {t}' for t, s in new_keys])} (was {as_code([f'{s} -> {t}' for t, s in old_keys])})",
                old_keys, new_keys,
                implications=[f"Keys from `{ref}` are computed from other columns: unless the new columns hold the same values, keys already loaded from `{ref}` will not match and new rows appear for the same business entities."],
                migration=[("verify", f"Before loading, compare the old and new key columns of `{ref}` (they must hash the same for rows already loaded).")],
                criteria=[f"For every row of `{ref}`, the key computed the new way equals the key already loaded, or the difference is agreed."],
                rekeys_downstream=True))
        if old["record_source"] != new["record_source"]:
            changes.append(Change(
                "CS106", "record_source", f"record source of `{ref}` changed from '{old['record_source']}' to '{new['record_source']}'",
                old["record_source"], new["record_source"],
                implications=[f"New rows from `{ref}` carry '{new['record_source']}'; rows already loaded keep '{old['record_source']}'. Reports and tests that filter on the record source must accept both."],
                migration=[("code", f"Update the stage `{new['stage']}` (the record-source literal).")],
                criteria=[f"Rows loaded from `{ref}` after the change carry '{new['record_source']}'."]))
        if old["load_datetime"] != new["load_datetime"]:
            changes.append(Change(
                "CS106", "load_datetime", f"load datetime of `{ref}` now comes from `{new['load_datetime']}` (was `{old['load_datetime']}`)",
                old["load_datetime"], new["load_datetime"],
                implications=["Load datetimes of new rows come from another column; satellites compare loads by it, so check it is later than everything already loaded."],
                migration=[("code", f"Update the stage `{new['stage']}`.")]))
    return changes


@change_rule("CS107")
def payload_changed(pair: Pair) -> list:
    """Satellite payload / hashdiff columns added, removed or renamed (nh_link and ref_table payload too)."""
    if pair.kind not in PAYLOAD_KINDS:
        return []
    before, after = list(pair.base.get("payload") or []), list(pair.head.get("payload") or [])
    if before == after:
        return []
    table = pair.name
    added = [c for c in after if c not in before]
    removed = [c for c in before if c not in after]
    changes = []
    hashdiff = pair.kind in SAT_KINDS
    types = {c["name"]: c.get("type") for c in (pair.head_spec or {}).get("columns", [])}
    # A removed column in the position of an added one is a rename.
    renames = []
    for old in list(removed):
        if old in before and before.index(old) < len(after) and after[before.index(old)] in added:
            new = after[before.index(old)]
            renames.append((old, new))
            removed.remove(old)
            added.remove(new)
    for old, new in renames:
        implications = [f"Rename the column in `{table}` rather than adding a new one, so its history stays in one column."]
        if hashdiff and pair.base_spec["hashdiff"] and pair.head_spec["hashdiff"]:
            # The order the hashdiff hashes its columns in, as the spec states it (AutomateDV's: sorted by name).
            old_order = pair.base_spec["hashdiff"]["hash_order"]
            new_order = pair.head_spec["hashdiff"]["hash_order"]
            moved = [c if c != old else new for c in old_order] != new_order
            if moved:
                implications.append(f"The hashdiff hashes its columns sorted by name, and `{new}` sorts to another place than `{old}`: every key's hashdiff changes, so the next load inserts a new row for every key unless the latest rows' hashdiffs are recomputed.")
            else:
                implications.append(f"`{new}` sorts to the same place as `{old}` in the hashdiff, so hashdiffs stay the same when the values do: no new rows.")
        changes.append(Change(
            "CS107", "payload", f"payload column `{old}` renamed to `{new}`", old, new, implications=implications,
            migration=[("prepare", f"`ALTER TABLE {table} RENAME COLUMN {old} TO {new};`"),
                       ("code", f"Update the stage and `{table}`'s payload (`dv-spec scaffold --select {table}`).")],
            criteria=[f"`{table}` has `{new}` with the history `{old}` had, and no `{old}` column."]))
    for column in added:
        implications = []
        if hashdiff:
            implications.append(f"The hashdiff `{pair.head['hashdiff']}` covers `{column}` now: on the next load every key's hashdiff differs from its latest row, so satellite history will show a change for every key (a new row per key) unless the latest rows are migrated.")
        implications.append(f"Rows already loaded have no value for `{column}` (NULL) unless backfilled from the source's history.")
        column_type = types.get(column) or "<type unknown>"
        changes.append(Change(
            "CS107", "payload", f"payload column `{column}` added" + (" (the hashdiff covers it)" if hashdiff else ""), None, column,
            implications=implications,
            migration=[("agree", f"Decide for `{table}`: accept one extra row per key on the next load, or recompute the hashdiff of each key's latest row in a one-off migration first.") if hashdiff else ("agree", f"Decide whether `{column}` is backfilled."),
                       ("prepare", f"`ALTER TABLE {table} ADD COLUMN {column} {column_type};`"),
                       ("code", f"Add `{column}` to the stage and the model (`dv-spec scaffold --select {table}`).")],
            criteria=([f"After the next load, `{table}` has at most one new row per key caused by the new column alone (none if the hashdiffs were migrated)."] if hashdiff else [])
                     + [f"`{column}` is filled for rows loaded after the change."],
            questions=[f"`{table}`: should `{column}` be backfilled for history, and is one new row per key acceptable?"] if hashdiff else []))
    for column in removed:
        implications = ["The column's history stays in the rows already loaded: keep the column (NULL from now on) or drop it after archiving."]
        if hashdiff:
            implications.insert(0, f"The hashdiff `{pair.head['hashdiff']}` no longer covers `{column}`: every key's hashdiff changes, so the next load inserts a new row for every key unless the latest rows are migrated.")
        changes.append(Change(
            "CS107", "payload", f"payload column `{column}` removed", column, None, implications=implications,
            migration=[("code", f"Remove `{column}` from the stage's hashdiff and the model (`dv-spec scaffold --select {table}`)."),
                       ("agree", f"Decide whether `{table}.{column}` is kept (NULL from now on) or archived and dropped.")],
            criteria=[f"`{table}`'s hashdiff no longer covers `{column}` (`dv-spec check` hashdiff_lineage)."]))
    if not (added or removed or renames) and before != after:
        changes.append(Change(
            "CS107", "payload", f"payload reordered from {as_code(before)} to {as_code(after)}", before, after,
            implications=["The hashdiff hashes columns sorted by name, so reordering the payload changes no hashdiff; only the table's column order changes."]))
    return changes


@change_rule("CS108")
def satellite_keys_changed(pair: Pair) -> list:
    """Multi-active keys, effectivity driving keys and end dating, dates, effective-from."""
    changes = []
    for key, label in (("multi_active_keys", "multi-active keys"), ("driving_foreign_keys", "driving keys"), ("end_dating", "end dating"),
                       ("start_date", "start date column"), ("end_date", "end date column"), ("effective_from", "effective-from column")):
        if key not in (pair.head or {}) and key not in (pair.base or {}):
            continue
        old, new = pair.base.get(key), pair.head.get(key)
        if old == new:
            continue
        implications = {
            "multi_active_keys": "The satellite's grain and its hashdiff change: every key's set compares differently, so the next load inserts every set again unless migrated.",
            "driving_foreign_keys": "Which relationship ends when another starts changes: effectivity history loaded so far follows the old rule; rebuild it from the source's history if it must follow the new one.",
            "end_dating": "Who closes relationships changes (auto: the load, when a driving key moves; source: the source's closing rows): periods loaded so far follow the old rule; rebuild from the source's history if they must follow the new one.",
        }.get(key, f"New rows take `{new}`; rows already loaded keep what `{old}` gave them.")
        changes.append(Change(
            "CS108", key, f"{label} changed from {as_code(old)} to {as_code(new)}", old, new, implications=[implications],
            migration=[("code", f"Update `{pair.name}` and its stage (`dv-spec scaffold --select {pair.name}`)."),
                       ("load", f"Rebuild `{pair.name}` with `--full-refresh` if its history must follow the new rule.")]))
    return changes


@change_rule("CS109")
def structure_changed(pair: Pair) -> list:
    """PIT satellites, bridge links, their column names, as-of dates: rebuild the table; an xts's tracked satellites."""
    if pair.kind == "xts":
        return _tracked_satellites_changed(pair)
    if pair.kind not in ("pit", "bridge"):
        return []
    changes = []
    for key in ("hub", "as_of_dates"):
        if pair.base.get(key) != pair.head.get(key):
            changes.append(Change("CS109", key, f"{key} changed from `{pair.base.get(key)}` to `{pair.head.get(key)}`",
                                  pair.base.get(key), pair.head.get(key),
                                  implications=[f"`{pair.name}` is rebuilt from scratch."],
                                  migration=[("rebuild", f"Rebuild `{pair.name}` with `--full-refresh`.")]))
    members = "satellites" if pair.kind == "pit" else "links"
    old = [m["name"] for m in pair.base.get(members) or []]
    new = [m["name"] for m in pair.head.get(members) or []]
    if old != new:
        changes.append(Change(
            "CS109", members, f"{members} changed from {as_code(old)} to {as_code(new)}", old, new,
            implications=[f"`{pair.name}`'s columns change: it is rebuilt (full refresh); queries joining through it change with it."],
            migration=[("rebuild", f"Rebuild `{pair.name}` with `--full-refresh` after the {members} it lists are loaded.")],
            criteria=[f"`{pair.name}` has one column pair per listed {members[:-1]} and its grain tests pass."]))
    elif pair.base.get("columns") != pair.head.get("columns"):  # the same members under other column names
        old_columns, new_columns = pair.base.get("columns") or [], pair.head.get("columns") or []
        changes.append(Change(
            "CS109", "columns", f"columns renamed from {as_code(old_columns)} to {as_code(new_columns)}", old_columns, new_columns,
            implications=[f"`{pair.name}`'s columns are renamed: it is rebuilt (full refresh); queries reading the old names break."],
            migration=[("rebuild", f"Rebuild `{pair.name}` with `--full-refresh`; update the queries that read it.")]))
    return changes


def _tracked_satellites_changed(pair: Pair) -> list:
    old = [m["name"] for m in pair.base.get("satellites") or []]
    new = [m["name"] for m in pair.head.get("satellites") or []]
    if old == new:
        return []
    return [Change(
        "CS109", "satellites", f"satellites changed from {as_code(old)} to {as_code(new)}", old, new,
        implications=[f"From the next load, `{pair.name}` records the rows of {as_code(new)}; rows already recorded stay "
                      "(those of a satellite no longer tracked included)."],
        migration=[("load", f"Backfill `{pair.name}` from the sources' history (oldest load first) if an added "
                            "satellite's earlier loads must be tracked too.")])]


@change_rule("CS110")
def ghost_record_changed(pair: Pair) -> list:
    """Ghost record required or no longer required: insert or delete the zero-key row."""
    if bool(pair.base.get("ghost_record")) == bool(pair.head.get("ghost_record")):
        return []
    wanted = bool(pair.head.get("ghost_record"))
    return [Change(
        "CS110", "ghost_record", "ghost record " + ("required" if wanted else "no longer required"), not wanted, wanted,
        implications=[f"`{pair.name}` must {'carry' if wanted else 'no longer carry'} one ghost (zero-key) row; PITs point at it for keys without rows."],
        migration=[("load", f"{'Insert' if wanted else 'Delete'} the ghost row once, or rebuild `{pair.name}` with `--full-refresh`.")])]


@change_rule("CS111")
def documentation_changed(pair: Pair) -> list:
    """Description, owner or subject area: documentation only, no data changes."""
    changes = []
    for key in ("description", "owner", "subject_area"):
        old, new = (pair.base.get(key) or "").strip() if isinstance(pair.base.get(key), str) else pair.base.get(key), \
                   (pair.head.get(key) or "").strip() if isinstance(pair.head.get(key), str) else pair.head.get(key)
        if old != new:
            changes.append(Change("CS111", key, f"{key.replace('_', ' ')} changed" + ("" if key == "description" else f" from {as_code(old)} to {as_code(new)}"),
                                  old, new, implications=["Documentation only: no data changes."]))
    return changes


@change_rule("CS112")
def column_types_changed(pair: Pair) -> list:
    """A target column's type: values already loaded keep the old type until the column is altered."""
    if not pair.base_spec or not pair.head_spec:
        return []
    old = {c["name"]: c.get("type") for c in pair.base_spec["columns"]}
    changes = []
    for column in pair.head_spec["columns"]:
        before = old.get(column["name"])
        if column["name"] in old and before and column.get("type") and before != column["type"]:
            changes.append(Change(
                "CS112", "column_type", f"`{column['name']}` type changed from `{before}` to `{column['type']}`", before, column["type"],
                implications=["Values already loaded keep the old type until the column is altered; a narrowing change can fail or truncate."],
                migration=[("prepare", f"`ALTER TABLE {pair.name} ALTER COLUMN {column['name']} SET DATA TYPE {column['type']};` (or rebuild)")]))
    return changes

