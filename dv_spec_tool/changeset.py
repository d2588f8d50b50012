"""Change sets: what a refactoring of the design means for the vault.

`dv-spec diff --base REF` reads the design at a git ref (the project folder
extracted with `git archive` into a temporary folder, loaded like any
project) and the design in the working tree, resolves both, and compares
them entity by entity, key by key. Each comparison is one small function
with a stable id (CS1xx) that returns the changes it sees, each with what
it implies for data already loaded and the migration steps it needs; a
registry lists them. The result is plain data; its Markdown and starter
prompt are the dbt macros change_set_markdown and change_set_prompt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field

from . import macro_api
from .design import build_design
from .errors import UsageError
from .kinds import HASH_KEY_KINDS, LINK_KINDS, PARENTED_KINDS, PAYLOAD_KINDS, RANK, SAT_KINDS
from .project import load_project
from .spec import SpecBuilder

# Migration phases, in the order a migration runs them.
PHASES = ("agree", "prepare", "code", "load", "rebuild", "verify")
KEY_ASPECTS = ("business_keys", "hash_key", "link_hubs", "dependent_keys", "parent", "hash_algorithm", "source_key_mapping")


# ---------------------------------------------------------------- the base design from git


def _git(cwd: str, *args, binary: bool = False):
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("--base needs git, which is not installed (or not on PATH)") from None
    if result.returncode != 0:
        return None
    return result.stdout if binary else result.stdout.decode("utf-8", "replace").strip()


@contextmanager
def design_at(project_dir: str, ref: str):
    """Yield (design, commit) of the dbt project in `project_dir` as it was at git `ref`."""
    root = os.path.abspath(project_dir)
    if not os.path.isdir(root):
        raise UsageError(f"{project_dir}: no such directory")
    top = _git(root, "rev-parse", "--show-toplevel")
    if not top:
        raise UsageError(f"--base {ref}: {project_dir} is not inside a git repository")
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if not commit:
        raise UsageError(f"--base {ref}: not a commit, branch or tag of this repository (git rev-parse cannot resolve it)")
    relative = os.path.relpath(os.path.realpath(root), os.path.realpath(top)).replace(os.sep, "/")
    args = ["archive", "--format=tar", commit] + ([] if relative == "." else ["--", relative])
    archive = _git(top, *args, binary=True)
    if archive is None:
        raise UsageError(f"--base {ref}: the project folder `{relative}` did not exist at {commit[:12]}")
    folder = tempfile.mkdtemp(prefix="dv-spec-base-")
    try:
        with tarfile.open(fileobj=_bytes_io(archive)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(folder, filter="data")
            else:  # Python < 3.12 without the backported filter
                tar.extractall(folder)  # noqa: S202 - our own repository's archive
        base_root = folder if relative == "." else os.path.join(folder, relative)
        if not os.path.isfile(os.path.join(base_root, "dbt_project.yml")):
            raise UsageError(f"--base {ref}: no dbt_project.yml in `{relative}` at {commit[:12]}")
        yield build_design(load_project(base_root)), commit
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _bytes_io(data: bytes):
    import io

    return io.BytesIO(data)


# ---------------------------------------------------------------- comparison rules


@dataclass
class Change:
    """One key-level change of one entity, what it implies, and how to migrate."""

    rule: str
    aspect: str
    text: str
    before: object = None
    after: object = None
    implications: list = field(default_factory=list)
    migration: list = field(default_factory=list)  # (phase, text)
    criteria: list = field(default_factory=list)  # change acceptance criteria (text), verified by review
    questions: list = field(default_factory=list)
    rekeys_downstream: bool = False


@dataclass
class Pair:
    """One entity in both designs: resolved entities and specs (None where absent)."""

    name: str
    base: dict | None
    head: dict | None
    base_spec: dict | None
    head_spec: dict | None
    base_design: dict
    head_design: dict

    @property
    def kind(self) -> str:
        return (self.head or self.base)["kind"]


RULES = []


def rule(rule_id: str):
    """Register a comparison: fn(pair) -> list[Change]. Ids are explicit and unique."""

    def register(fn):
        if any(existing[0] == rule_id for existing in RULES):
            raise ValueError(f"duplicate change rule id {rule_id}")
        fn.rule_id = rule_id
        RULES.append((rule_id, fn))
        return fn

    return register


def _code(values) -> str:
    if isinstance(values, (list, tuple)):
        return ", ".join(f"`{v}`" for v in values) if values else "nothing"
    return f"`{values}`"


def _sources(entity: dict) -> dict:
    return {s["ref"]: s for s in entity.get("sources") or []}


@rule("CS101")
def business_keys_changed(pair: Pair) -> list:
    """A hub's business keys (or their order): every hash key changes, so it is a new hub."""
    if pair.kind != "hub" or pair.base["business_keys"] == pair.head["business_keys"]:
        return []
    name = pair.name
    return [Change(
        "CS101", "business_keys", f"business key changed from {_code(pair.base['business_keys'])} to {_code(pair.head['business_keys'])}",
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


@rule("CS102")
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


@rule("CS103")
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
            ([f"added {_code(label(added))}"] if added else []) + ([f"removed {_code(label(removed))}"] if removed else []))
    else:
        text = f"hub order changed from {_code(label(before))} to {_code(label(after))}"
    implications = [f"The link hash key `{pair.head['hash_key']}` covers other hub keys now, so every link key changes: this is a new link table, loaded by a backfill from the sources' history."]
    if added:
        implications.append("Rows already loaded cannot be converted: they do not carry the new hub's business key; the new hub's foreign key has to come from the sources.")
        implications.append("The stage feeding the link must compute the new foreign key (" + _code([r["foreign_key"] for r in pair.head["refs"] if (r["hub"], r["role"]) in added]) + ").")
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


@rule("CS104")
def dependent_keys_changed(pair: Pair) -> list:
    if pair.kind not in LINK_KINDS or pair.base.get("dependent_keys") == pair.head.get("dependent_keys"):
        return []
    return [Change(
        "CS104", "dependent_keys", f"dependent keys changed from {_code(pair.base['dependent_keys'])} to {_code(pair.head['dependent_keys'])}",
        pair.base["dependent_keys"], pair.head["dependent_keys"],
        implications=["The link hash key covers the dependent keys, so every link key changes and the link's grain changes."],
        migration=[("load", f"Rebuild `{pair.name}` with `--full-refresh` from the sources' history.")],
        criteria=[f"`{pair.name}` has one row per distinct combination of hub keys and dependent keys in the sources."],
        rekeys_downstream=True)]


@rule("CS105")
def parent_changed(pair: Pair) -> list:
    if pair.kind not in PARENTED_KINDS or pair.base.get("parent") == pair.head.get("parent"):
        return []
    return [Change(
        "CS105", "parent", f"parent changed from `{pair.base['parent']}` to `{pair.head['parent']}`", pair.base["parent"], pair.head["parent"],
        implications=[f"Every row of `{pair.name}` gets a new parent key: the satellite is re-keyed and reloaded."],
        migration=[("load", f"Rebuild `{pair.name}` with `--full-refresh` from the source's history.")],
        criteria=[f"Every `{pair.name}` key is present in `{pair.head['parent']}`."],
        rekeys_downstream=True)]


@rule("CS106")
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
                "CS106", "source_key_mapping", f"`{ref}` now maps its key columns differently: {_code([f'{s} -> {t}' for t, s in new_keys])} (was {_code([f'{s} -> {t}' for t, s in old_keys])})",
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


@rule("CS107")
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
            "CS107", "payload", f"payload reordered from {_code(before)} to {_code(after)}", before, after,
            implications=["The hashdiff hashes columns sorted by name, so reordering the payload changes no hashdiff; only the table's column order changes."]))
    return changes


@rule("CS108")
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
            "CS108", key, f"{label} changed from {_code(old)} to {_code(new)}", old, new, implications=[implications],
            migration=[("code", f"Update `{pair.name}` and its stage (`dv-spec scaffold --select {pair.name}`)."),
                       ("load", f"Rebuild `{pair.name}` with `--full-refresh` if its history must follow the new rule.")]))
    return changes


@rule("CS109")
def structure_changed(pair: Pair) -> list:
    """PIT satellites, bridge links, as-of dates: rebuild the table."""
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
            "CS109", members, f"{members} changed from {_code(old)} to {_code(new)}", old, new,
            implications=[f"`{pair.name}`'s columns change: it is rebuilt (full refresh); queries joining through it change with it."],
            migration=[("rebuild", f"Rebuild `{pair.name}` with `--full-refresh` after the {members} it lists are loaded.")],
            criteria=[f"`{pair.name}` has one column pair per listed {members[:-1]} and its grain tests pass."]))
    return changes


@rule("CS110")
def ghost_record_changed(pair: Pair) -> list:
    if bool(pair.base.get("ghost_record")) == bool(pair.head.get("ghost_record")):
        return []
    wanted = bool(pair.head.get("ghost_record"))
    return [Change(
        "CS110", "ghost_record", "ghost record " + ("required" if wanted else "no longer required"), not wanted, wanted,
        implications=[f"`{pair.name}` must {'carry' if wanted else 'no longer carry'} one ghost (zero-key) row; PITs point at it for keys without rows."],
        migration=[("load", f"{'Insert' if wanted else 'Delete'} the ghost row once, or rebuild `{pair.name}` with `--full-refresh`.")])]


@rule("CS111")
def documentation_changed(pair: Pair) -> list:
    changes = []
    for key in ("description", "owner", "subject_area"):
        old, new = (pair.base.get(key) or "").strip() if isinstance(pair.base.get(key), str) else pair.base.get(key), \
                   (pair.head.get(key) or "").strip() if isinstance(pair.head.get(key), str) else pair.head.get(key)
        if old != new:
            changes.append(Change("CS111", key, f"{key.replace('_', ' ')} changed" + ("" if key == "description" else f" from {_code(old)} to {_code(new)}"),
                                  old, new, implications=["Documentation only: no data changes."]))
    return changes


@rule("CS112")
def column_types_changed(pair: Pair) -> list:
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


def _settings_changes(base: dict, head: dict) -> list:
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


# ---------------------------------------------------------------- the change set


def _added(name: str, entity: dict) -> Change:
    kind = entity["kind"]
    how = {
        "hub": "its first load brings every business key in the sources' history",
        "link": "a backfill from the sources' history brings every relationship",
        "nh_link": "a backfill from the sources' history brings every event",
        "sat": "it starts empty; a backfill from the source's history (oldest load first) brings the history the source still holds",
        "ma_sat": "it starts empty; a backfill from the source's history (oldest load first) brings the history the source still holds",
        "eff_sat": "it starts empty; a backfill from the source's history rebuilds the periods",
        "ref_table": "its first load brings the reference data",
        "pit": "it is built from the hub and satellites it lists",
        "bridge": "it is built from the hub and links it lists",
        "stage": "a view: nothing to load",
    }.get(kind, "it is built")
    phase = "rebuild" if kind in ("pit", "bridge") else "load"
    return Change("CS001", "entity", f"new {kind}", None, name,
                  implications=[f"A new table `{name}`: {how}."],
                  migration=[("code", f"Implement `{name}` from its spec (`dv-spec spec --select {name}`; `dv-spec scaffold --select {name}` writes the AutomateDV version)."),
                             (phase, f"Build `{name}` and backfill it: {how}.")])


def _removed(name: str, entity: dict, readers: list) -> Change:
    return Change("CS002", "entity", f"{entity['kind']} removed from the design", name, None,
                  implications=[f"`{name}` is no longer loaded. Its table holds history: archive it before dropping it."]
                  + ([f"Models that still read it must change first: {_code(readers)}."] if readers else []),
                  migration=[("agree", f"Decide whether `{name}`'s table is archived and dropped or kept read-only."),
                             ("code", f"Delete the model file of `{name}` (and its `ac_` tests), after the models that read it are changed.")],
                  criteria=[f"Nothing in the project refers to `{name}` any more (`dbt parse` succeeds)."])


def _downstream_closure(name: str, builder: SpecBuilder) -> list:
    """Design entities that read `name`, directly or through others, with the first reason seen."""
    out, queue, seen = [], [name], {name}
    while queue:
        current = queue.pop(0)
        if current not in builder.resolved["entities"]:
            continue
        for item in builder.entity_spec(current)["dependencies"]["downstream"]:
            if item["name"] not in seen:
                seen.add(item["name"])
                why = item["why"] if current == name else f"through `{current}`: {item['why']}"
                out.append({"name": item["name"], "kind": item["kind"], "why": why})
                queue.append(item["name"])
    return out


def _split_satellites(pairs: list, base: SpecBuilder, head: SpecBuilder) -> list:
    """A satellite removed (or shrunk) whose payload moved to new satellites on the same parent."""
    found = []
    for pair in pairs:
        if pair.base is None or pair.base["kind"] not in SAT_KINDS:
            continue
        lost = [c for c in pair.base["payload"] if pair.head is None or c not in pair.head["payload"]]
        if not lost:
            continue
        targets = []
        for other in pairs:
            if other.base is None and other.head and other.head["kind"] in SAT_KINDS and other.head.get("parent") == pair.base["parent"]:
                moved = [c for c in other.head["payload"] if c in lost]
                if moved:
                    targets.append((other.name, moved))
        if targets:
            found.append((pair, targets))
    return found


def compare(base: SpecBuilder, head: SpecBuilder, base_label: dict) -> dict:
    """The change set from `base` to `head` (both resolved designs with their specs), as data."""
    names = sorted(set(base.resolved["entities"]) | set(head.resolved["entities"]),
                   key=lambda n: (RANK.get(((head.resolved["entities"].get(n) or base.resolved["entities"].get(n))["kind"]), 9), n))
    pairs = []
    for name in names:
        b, h = base.resolved["entities"].get(name), head.resolved["entities"].get(name)
        pairs.append(Pair(name, b, h, base.entity_spec(name) if b else None, head.entity_spec(name) if h else None,
                          base.resolved, head.resolved))
    settings = _settings_changes(base.resolved, head.resolved)
    splits = {pair.name: targets for pair, targets in _split_satellites(pairs, base, head)}
    split_targets = {target for targets in splits.values() for target, _ in targets}

    entries = []
    for pair in pairs:
        if pair.base is None:
            status, changes = "added", [_added(pair.name, pair.head)]
            if pair.name in split_targets:
                origin = [old for old, targets in splits.items() if any(t == pair.name for t, _ in targets)]
                changes[0].implications[0] = f"A new table `{pair.name}`, split from {_code(origin)}: it starts empty."
                changes[0].implications.append(f"Split from {_code(origin)}: backfill it from that satellite's history (its rows, only the columns that moved, the hashdiff recomputed, consecutive repeats dropped) rather than from the source alone.")
                changes[0].migration = [step for step in changes[0].migration if step[0] != "load"]
        elif pair.head is None:
            readers = [d["name"] for d in _downstream_closure(pair.name, base) if d["name"] in head.resolved["entities"]]
            status, changes = "removed", [_removed(pair.name, pair.base, readers)]
        elif pair.base["kind"] != pair.head["kind"]:
            status = "changed"
            changes = [Change("CS003", "kind", f"kind changed from {pair.base['kind']} to {pair.head['kind']}", pair.base["kind"], pair.head["kind"],
                              implications=[f"A different kind of table: `{pair.name}` is rebuilt from scratch under the new kind's load pattern."],
                              migration=[("prepare", f"Archive `{pair.name}`."), ("load", f"Rebuild `{pair.name}` with `--full-refresh`.")],
                              rekeys_downstream=True)]
        else:
            changes = []
            for _, fn in RULES:
                changes.extend(fn(pair))
            if not changes:
                continue
            status = "changed"
        if pair.name in splits:
            targets = splits[pair.name]
            moved = [f"{_code(cols)} to `{target}`" for target, cols in targets]
            changes.insert(0, Change(
                "CS004", "split", "satellite split: payload moved " + "; ".join(moved), pair.name, [t for t, _ in targets],
                implications=["The new satellites start empty; their history comes from this satellite's rows (each with only its columns and a recomputed hashdiff, consecutive repeats dropped) or from the sources' history.",
                              "PITs listing this satellite must list the new ones."],
                migration=[("load", "Backfill the new satellites from the old satellite's history before it is retired or shrunk."),
                           ("verify", "Compare, per key and load datetime, the old satellite's payload with the new satellites' payloads together.")],
                criteria=[f"For every key and load datetime of `{pair.name}`'s history, the moved columns in the new satellites hold the same values."],
                questions=[f"`{pair.name}` split: is the old satellite retired, or kept for the columns that stay?"]))
        entries.append((pair, status, changes))

    changes_out, all_affected, steps, criteria, questions = [], {}, [], [], []
    for pair, status, changes in entries:
        builder = head if pair.head is not None else base
        affected = _downstream_closure(pair.name, builder)
        rekey = any(c.rekeys_downstream for c in changes)
        for item in affected:
            item["rekeyed"] = rekey
        models = []
        for entity in [pair.name] + [a["name"] for a in affected]:
            models.extend(head.context["downstream_models"].get(entity, []))
        entity = pair.head or pair.base
        changes_out.append({
            "entity": pair.name, "kind": pair.kind, "status": status,
            "subject_area": entity.get("subject_area"), "owner": entity.get("owner"), "design_file": entity.get("file"),
            "changes": [{"rule": c.rule, "aspect": c.aspect, "text": c.text, "before": c.before, "after": c.after,
                         "key_level": c.aspect in KEY_ASPECTS or c.rekeys_downstream} for c in changes],
            "implications": [i for c in changes for i in c.implications],
            "affected": affected, "affected_models": sorted(set(models)),
        })
        for item in affected:
            known = all_affected.get(item["name"])
            if known is None or (item["rekeyed"] and not known["rekeyed"]):
                all_affected[item["name"]] = dict(item, because_of=pair.name)
        for c in changes:
            for phase, text in c.migration:
                steps.append((PHASES.index(phase), RANK.get(pair.kind, 9), pair.name, text))
            for text in c.criteria:
                criteria.append({"entity": pair.name, "text": text})
            for text in c.questions:
                questions.append({"entity": pair.name, "topic": c.aspect.replace("_", " "), "question": text})
        if pair.head is not None:
            for question in head.entity_spec(pair.name)["open_questions"]:
                questions.append({"entity": pair.name, "topic": question["topic"], "question": question["question"]})
    for c in settings:
        for phase, text in c.migration:
            steps.append((PHASES.index(phase), -1, "", text))

    changed_names = [e["entity"] for e in changes_out]
    affected_list = [a for name, a in sorted(all_affected.items(), key=lambda kv: (RANK.get(kv[1]["kind"], 9), kv[0]))
                     if name not in changed_names]
    rebuild = [a["name"] for a in affected_list if a["rekeyed"]]
    if rebuild:
        steps.append((PHASES.index("rebuild"), 9, "", "Re-key and rebuild the affected downstream models with `--full-refresh`, in build order: " + _code(rebuild) + "."))
    if changes_out or settings:
        select = " ".join(f"{n}+" for n in changed_names if n in head.resolved["entities"])
        steps.append((PHASES.index("verify"), 9, "", "Run `dv-spec validate`, then `dbt build --select " + (select or "<changed models>") + "` (models and their `ac_` tests), then `dv-spec check`."))
        owners = sorted({e["owner"] for e in changes_out if e["owner"]})
        steps.append((PHASES.index("agree"), -1, "", "Review this change set with the architect and the owners" + (f" ({_code(owners)})" if owners else "") + "."))
    seen_steps, migration = set(), []
    for phase, _, entity, text in sorted(steps, key=lambda s: (s[0], s[1], s[2])):
        if text not in seen_steps:
            seen_steps.add(text)
            migration.append({"phase": PHASES[phase], "entity": entity or None, "text": text})

    entity_criteria = []
    for entry in changes_out:
        if entry["status"] == "removed":
            continue
        for criterion in head.entity_spec(entry["entity"])["acceptance_criteria"]:
            entity_criteria.append(criterion)
    change_criteria = [{"id": f"CS-{index:02d}", "entity": item["entity"], "text": item["text"], "verified_by": "review"}
                       for index, item in enumerate(criteria, start=1)]
    return {
        "spec_type": "change_set",
        "project": head.design.project.name,
        "base": base_label,
        "head": "working tree",
        "summary": {
            "added": [e["entity"] for e in changes_out if e["status"] == "added"],
            "removed": [e["entity"] for e in changes_out if e["status"] == "removed"],
            "changed": [e["entity"] for e in changes_out if e["status"] == "changed"],
            "settings_changed": bool(settings),
        },
        "settings_changes": [{"rule": c.rule, "aspect": c.aspect, "text": c.text, "before": c.before, "after": c.after,
                              "implications": c.implications} for c in settings],
        "changes": changes_out,
        "affected": affected_list,
        "migration_steps": migration,
        "acceptance_criteria": entity_criteria,
        "change_criteria": change_criteria,
        "open_questions": questions,
    }


def change_set(project_dir: str, ref: str, design_loader, style: str = "automate_dv") -> tuple:
    """(change set, its Markdown, its starter prompt) from the design at `ref` to the working tree's
    (loaded by `design_loader()`). The change set carries the prompt under `starter_prompt`."""
    head = SpecBuilder(design_loader())
    with design_at(project_dir, ref) as (base_design, commit):
        try:
            base = SpecBuilder(base_design)
        except UsageError as exc:
            raise UsageError(f"the design at {ref} ({commit[:12]}): {exc}") from None
        data = _compared(base, head, {"ref": ref, "commit": commit})
    specs = [head.entity_spec(e["entity"]) for e in data["changes"] if e["status"] != "removed"]
    prompt = macro_api.change_set_prompt(data, specs, style)
    data["starter_prompt"] = _without_header(prompt)
    return data, macro_api.change_set_markdown(data), prompt


def _compared(base: SpecBuilder, head: SpecBuilder, base_label: dict) -> dict:
    for name in base.entity_names:
        base.entity_spec(name)
    data = compare(base, head, base_label)
    data["conventions"] = macro_api.spec_conventions(head.resolved["settings"], head.context)
    return data


def change_set_between(base_design, head_design, base_label: dict, head_label: str) -> tuple:
    """(change set, its Markdown) from one loaded design to another, e.g. the files on disk to a proposed
    edit (the MCP server's propose_entities). Both must validate (UsageError otherwise)."""
    head = SpecBuilder(head_design)
    data = _compared(SpecBuilder(base_design), head, base_label)
    data["head"] = head_label
    return data, macro_api.change_set_markdown(data)


def _without_header(text: str) -> str:
    first, _, rest = text.partition("\n")
    return rest if first.startswith("<!-- Generated by dv-spec") else text
