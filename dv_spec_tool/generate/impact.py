"""What a change to the design affects, before it is made.

Two questions the studio and the MCP write tools ask before a destructive
edit, so a person is told and asked rather than surprised:

* `dependents(design, name)`: the entities whose design points at `name`
  (a hub's satellites and links, a link's satellites, a PIT's hub...);
  deleting `name` leaves them dangling, renaming it renames their references;
* `rename_implications(design, old, new, keep_physical)`: what renaming an
  entity means for what is already built and loaded: the design keys to
  write so the physical names stay (or change), the columns that change in
  which tables, the new table, the model file and generated tests left behind.

Plain functions over a loaded `Design`; nothing is written. Physical names
come from the contract's resolver (`Design.resolve`), the same one `validate`,
`scaffold` and `dv-spec diff` use, so a default hash key (`member_hk` derived
from `hub_member`) is seen as the column it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from dv_spec_tool.core import macro_api
from dv_spec_tool.core.design import Design
from dv_spec_tool.core.dv_schema import schema_errors
from dv_spec_tool.core.kinds import HASH_KEY_KINDS, LINK_KINDS, PARENTED_KINDS, SAT_KINDS
from dv_spec_tool.core.resolved_design import ResolvedEntity
from dv_spec_tool.edit.design_edit import renamed_references

# Design keys that name a physical column derived from the entity's name by default.
PHYSICAL_KEYS = {**{kind: ("hash_key",) for kind in HASH_KEY_KINDS}, **{kind: ("hashdiff",) for kind in SAT_KINDS}}
_KEY_WORDS = {"hash_key": "hash key", "hashdiff": "hashdiff"}


@dataclass(frozen=True)
class Dependent:
    name: str  # the entity that points at the one asked about
    kind: str
    relation: str  # how: parent, hub, hub:<role>, satellite, link, effectivity


@dataclass(frozen=True)
class RenamePlan:
    old: str
    new: str
    keep_physical: bool
    # dv keys to write on the renamed entity with the rename: the current physical
    # names pinned (keep_physical) or the names derived from the new name
    design_changes: dict = field(default_factory=dict)
    # one sentence each: what the rename means for tables, files and tests
    implications: list = field(default_factory=list)
    # (entity after the rename, old column, new column) for every column that changes
    column_changes: list = field(default_factory=list)


def references(dv) -> list:
    """(target, relation) pairs an entity's raw design block points at, in order.

    Tolerant of broken blocks: only well-formed references are returned.

    >>> references({"kind": "link", "hubs": ["hub_a", {"hub": "hub_b", "role": "to"}]})
    [('hub_a', 'hub'), ('hub_b', 'hub:to')]
    """
    if not isinstance(dv, dict):
        return []
    kind = dv.get("kind")
    found = []
    if kind in LINK_KINDS:
        for item in dv.get("hubs") if isinstance(dv.get("hubs"), list) else []:
            if isinstance(item, str):
                found.append((item, "hub"))
            elif isinstance(item, dict) and isinstance(item.get("hub"), str):
                role = item.get("role")
                found.append((item["hub"], f"hub:{role}" if isinstance(role, str) and role else "hub"))
    if kind in PARENTED_KINDS and isinstance(dv.get("parent"), str):
        found.append((dv["parent"], "parent"))
    if kind in ("pit", "bridge") and isinstance(dv.get("hub"), str):
        found.append((dv["hub"], "hub"))
    for key, relation in (("satellites", "satellite"), ("links", "link"), ("effectivity_satellites", "effectivity")):
        if kind in ("pit", "bridge") and isinstance(dv.get(key), list):
            found += [(item, relation) for item in dv[key] if isinstance(item, str)]
    return found


def dependents(design: Design, name: str) -> list:
    """The entities whose design points at `name`, sorted by name (each once, first relation).

    >>> from dv_spec_tool.core.project import Project, EntityEntry
    >>> from dv_spec_tool.core.design import build_design
    >>> p = Project("/", "p", {})
    >>> p.entries = [EntityEntry("hub_a", {"kind": "hub"}, None, (), ()),
    ...              EntityEntry("sat_a", {"kind": "sat", "parent": "hub_a"}, None, (), ())]
    >>> dependents(build_design(p), "hub_a")
    [Dependent(name='sat_a', kind='sat', relation='parent')]
    """
    found = {}
    for entry in design.entities.values():
        if entry.name == name:
            continue
        for target, relation in references(entry.dv):
            if target == name and entry.name not in found:
                found[entry.name] = Dependent(entry.name, design.kind_of(entry.name) or "unknown", relation)
    return [found[n] for n in sorted(found)]


def describe_dependents(items: list) -> str:
    """`sat_a (satellite, parent), link_ab (link, hub)` for a confirmation message."""
    return ", ".join(f"{d.name} ({d.kind}, {d.relation})" for d in items)


def rename_implications(design: Design, old: str, new: str, keep_physical: bool = True) -> RenamePlan:
    """What renaming entity `old` to `new` implies, and the design keys that keep (or change) its physical names.

    With `keep_physical`, the hash key or hashdiff the entity has now (even a
    default derived from its name) is written explicitly, so no column of any
    table changes; without it, they follow the new name, and every column that
    changes (here and in the satellites and links that carry the hash key) is listed.
    """
    entry = design.get(old)
    if entry is None:
        raise KeyError(old)
    kind = design.kind_of(old)
    dv = entry.dv if isinstance(entry.dv, dict) else {}
    before = _resolved(design, {})
    current = before.get(old) or {}
    unverified = not current
    changes = {}
    if not unverified:
        derived = physical_names(design, kind, new)
        for key in PHYSICAL_KEYS.get(kind, ()):
            now = current.get(key)
            if keep_physical and now and dv.get(key) != now:
                changes[key] = now
            elif not keep_physical and derived.get(key) and derived[key] != now:
                changes[key] = derived[key]
    after = _resolved(design, {old: (new, {**dv, **changes})}) if not unverified else {}
    column_changes = _column_changes(before, after, old, new)

    table = "view" if kind == "stage" else "table"
    implications = [f"the model `{old}` becomes `{new}`: a new {table} `{new}` in the warehouse; "
                    f"move the rows loaded into `{old}` (or reload them) and drop `{old}`"]
    for key, value in changes.items():
        word = _KEY_WORDS[key]
        if keep_physical:
            implications.append(f"the {word} stays `{value}` (written explicitly, so it no longer follows the name)")
    grouped: dict = {}
    for name, was, now in column_changes:
        grouped.setdefault((was, now), []).append(name)
    for (was, now), names in grouped.items():
        implications.append(f"column `{was}` becomes `{now}` in {', '.join(f'`{n}`' for n in names)}: a migration "
                            "(rename the column in the loaded tables, or reload them)")
    users = dependents(design, old)
    if users:
        implications.append(f"references in {', '.join(d.name for d in users)} are renamed to `{new}`")
    for path in _model_files(design, old):
        implications.append(f"{path} is left behind (an orphaned model): rename it to {new}.sql or delete it "
                            "and run `dv-spec scaffold`")
    if _has_tests(entry):
        implications.append(f"the tests scaffolded into `{old}`'s entry still test the old names: "
                            "run `dv-spec scaffold` again to regenerate them")
    if unverified:
        implications.append("not verified: the design of this entity has errors, so its physical names "
                            "could not be worked out; check the hash key and hashdiff by hand")
    return RenamePlan(old, new, keep_physical, changes, implications, column_changes)


def physical_names(design: Design, kind: str, name: str) -> dict:
    """The hash key or hashdiff a new `kind` entity called `name` gets by the house
    convention: the name without the project's prefix for the kind, plus `_hk`
    (the project's hash key suffix) or `_hashdiff`. {} when the name is only a prefix.

    >>> from dv_spec_tool.core.project import Project
    >>> from dv_spec_tool.core.design import build_design
    >>> physical_names(build_design(Project("/", "p", {})), "hub", "hub_member")
    {'hash_key': 'member_hk'}
    """
    naming = (design.settings.get("naming") or {}) if isinstance(design.settings, dict) else {}
    prefix = (naming.get(kind) or {}).get("prefix") or ""
    stem = name[len(prefix):] if prefix and name.startswith(prefix) else name
    if not stem:
        return {}
    suffix = (naming.get("hash_key") or {}).get("suffix") or "_hk"
    words = {"hash_key": stem + suffix, "hashdiff": f"{stem}_hashdiff"}
    return {key: words[key] for key in PHYSICAL_KEYS.get(kind, ())}


def _resolved(design: Design, replace: dict) -> dict[str, ResolvedEntity]:
    """{name: resolved entity} of the structurally sound entities, with `replace`
    ({old: (new name, new dv)}) applied and references to the old names renamed."""
    entities = []
    for entry in design.entities.values():
        name, dv = replace.get(entry.name, (entry.name, entry.dv))
        if schema_errors(dv):
            continue
        for was, (now, _) in replace.items():
            dv = renamed_references(dv, was, now) or dv
        entities.append({"name": name, "dv": dv, "description": entry.description, "file": entry.file.path})
    try:
        return macro_api.resolve_design(entities, design.settings_input)["entities"]
    except Exception:  # a design the resolver cannot take: the plan says "not verified"
        return {}


def _column_changes(before: dict[str, ResolvedEntity], after: dict[str, ResolvedEntity], old: str, new: str) -> list:
    """(entity, old column, new column) where a column's name changed position by position."""
    result = []
    for name, entity in sorted(after.items()):
        was = before.get(old if name == new else name)
        if not was:
            continue
        for a, b in zip(was["columns"], entity["columns"]):
            if a != b:
                result.append((name, a, b))
    return result


def _model_files(design: Design, name: str) -> list:
    """The model files of that name under the model paths (what `dv-spec scaffold` wrote)."""
    found = []
    root = design.project.root
    for folder in design.project.model_paths:
        for base, dirs, files in os.walk(os.path.join(root, folder)):
            dirs.sort()
            if f"{name}.sql" in files:
                found.append(os.path.relpath(os.path.join(base, f"{name}.sql"), root).replace(os.sep, "/"))
    return found


def _has_tests(entry) -> bool:
    doc = entry.file.doc if entry.file is not None else None
    if doc is None or not entry.model_path:
        return False
    model = doc.data
    try:
        for key in entry.model_path:
            model = model[key]
    except (KeyError, IndexError, TypeError):
        return False
    if not isinstance(model, dict):
        return False
    if model.get("data_tests") or model.get("tests"):
        return True
    return any(isinstance(c, dict) and (c.get("data_tests") or c.get("tests")) for c in model.get("columns") or [])
