"""The design model: entities as written, plus the defaults the contract defines.

Every consumer (rules, scaffolding, specs, the checker) resolves defaults
through these functions, so a default is decided in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .project import EntityEntry, Project

KINDS = ("hub", "link", "nh_link", "sat", "ma_sat", "eff_sat", "pit", "bridge", "ref_table", "stage")
LINK_KINDS = ("link", "nh_link")
SAT_KINDS = ("sat", "ma_sat")
PARENT_KINDS = {"sat": ("hub", "link"), "ma_sat": ("hub", "link"), "eff_sat": ("link",)}

DEFAULT_NAMING = {
    "hub": {"prefix": "hub_"},
    "link": {"prefix": "link_"},
    "nh_link": {"prefix": "nh_link_"},
    "sat": {"prefix": "sat_"},
    "ma_sat": {"prefix": "ma_sat_"},
    "eff_sat": {"prefix": "eff_sat_"},
    "pit": {"prefix": "pit_"},
    "bridge": {"prefix": "bridge_"},
    "ref_table": {"prefix": "ref_"},
    "hash_key": {"suffix": "_hk"},
}
DEFAULT_SETTINGS = {
    "hash_algorithm": "md5",
    "load_datetime_column": "load_datetime",
    "record_source_column": "record_source",
}


@dataclass(frozen=True)
class HubRef:
    """One hub reference of a link: which hub, under which name, into which column."""

    index: int
    hub: str
    role: str | None
    name: str  # the role, else the hub name: how per-source mappings refer to it
    foreign_key: str | None  # resolved once the hub's hash key is known


@dataclass
class Design:
    project: Project
    settings: dict
    entities: dict = field(default_factory=dict)  # name -> EntityEntry (first wins)
    duplicates: list = field(default_factory=list)  # later EntityEntry with a taken name

    def get(self, name) -> EntityEntry | None:
        return self.entities.get(name) if isinstance(name, str) else None

    def kind_of(self, name) -> str | None:
        entry = self.get(name)
        return entry.dv.get("kind") if entry is not None and isinstance(entry.dv, dict) else None

    def of_kind(self, *kinds) -> list:
        return [e for e in self.entities.values() if isinstance(e.dv, dict) and e.dv.get("kind") in kinds]


def build_design(project: Project) -> Design:
    settings = dict(DEFAULT_SETTINGS)
    if isinstance(project.settings, dict):
        settings.update({k: v for k, v in project.settings.items() if k != "naming"})
    naming = {k: dict(v) for k, v in DEFAULT_NAMING.items()}
    user_naming = project.settings.get("naming") if isinstance(project.settings, dict) else None
    if isinstance(user_naming, dict):
        for key, value in user_naming.items():
            naming[key] = dict(value) if isinstance(value, dict) else None
    settings["naming"] = naming
    design = Design(project=project, settings=settings)
    for entry in project.entries:
        if entry.name in design.entities:
            design.duplicates.append(entry)
        else:
            design.entities[entry.name] = entry
    return design


def as_list(value) -> list:
    return value if isinstance(value, list) else []


def source_ref(source: dict) -> str:
    """The name a source item reads from: a model name or `source.table`."""
    return source.get("model") or source.get("source") or ""


def record_source(source: dict) -> str:
    return source.get("record_source") or source_ref(source)


def load_datetime_source_column(design: Design, source: dict) -> str:
    return source.get("load_datetime") or design.settings["load_datetime_column"]


def hub_refs(design: Design, link_dv: dict) -> list:
    """The hub references of a link, in hash order, with resolved foreign keys."""
    refs = []
    for index, item in enumerate(as_list(link_dv.get("hubs"))):
        if isinstance(item, str):
            hub, role, foreign_key = item, None, None
        elif isinstance(item, dict):
            hub, role, foreign_key = item.get("hub"), item.get("role"), item.get("foreign_key")
        else:
            continue
        if not isinstance(hub, str):
            continue
        if foreign_key is None:
            hub_entry = design.get(hub)
            hash_key = hub_entry.dv.get("hash_key") if hub_entry and isinstance(hub_entry.dv, dict) else None
            if isinstance(hash_key, str):
                foreign_key = f"{role}_{hash_key}" if role else hash_key
        refs.append(HubRef(index, hub, role, role or hub, foreign_key))
    return refs


def business_keys(design: Design, hub_name: str) -> list:
    entry = design.get(hub_name)
    if entry is None or not isinstance(entry.dv, dict):
        return []
    return [k for k in as_list(entry.dv.get("business_keys")) if isinstance(k, str)]


@dataclass(frozen=True)
class KeyColumn:
    """A business-key column as the vault names it and as one source names it."""

    ref: str  # hub reference name (hub name, or role)
    target: str  # the hub's business-key column
    source_column: str
    path: tuple  # where in the dv block the mapping was written (for positions)


def _hub_key_columns(design, hub, source_map, ref_name, role, path) -> list:
    keys = business_keys(design, hub)
    if isinstance(source_map, list):
        return [KeyColumn(ref_name, t, s, path + (i,)) for i, (t, s) in enumerate(zip(keys, source_map))]
    prefix = f"{role}_" if role else ""
    return [KeyColumn(ref_name, t, prefix + t, ()) for t in keys]


def key_columns(design: Design, entity: EntityEntry, source_index: int) -> list:
    """The business-key columns one source of an entity must provide.

    Hub: the hub's keys; link/nh_link: every referenced hub's keys; sat,
    ma_sat, eff_sat: the parent's. Mappings not written fall back to the
    defaults in docs/design-contract.md.
    """
    dv = entity.dv
    sources = as_list(dv.get("sources"))
    source = sources[source_index] if source_index < len(sources) and isinstance(sources[source_index], dict) else {}
    kind = dv.get("kind")
    base = ("sources", source_index, "business_keys")
    mapping = source.get("business_keys")
    if kind == "hub":
        return _hub_key_columns(design, entity.name, mapping, entity.name, None, base)
    if kind in LINK_KINDS:
        return _link_key_columns(design, dv, mapping, base)
    if kind in PARENT_KINDS:
        parent = design.get(dv.get("parent"))
        if parent is None or not isinstance(parent.dv, dict):
            return []
        if mapping is None:
            mapping, base = _parent_mapping(parent, source_ref(source))
        if parent.dv.get("kind") == "hub":
            return _hub_key_columns(design, parent.name, mapping, parent.name, None, base)
        if parent.dv.get("kind") in LINK_KINDS:
            return _link_key_columns(design, parent.dv, mapping, base)
    return []


def _link_key_columns(design, link_dv, mapping, base) -> list:
    mapping = mapping if isinstance(mapping, dict) else {}
    columns = []
    for ref in hub_refs(design, link_dv):
        columns += _hub_key_columns(design, ref.hub, mapping.get(ref.name), ref.name, ref.role, base + (ref.name,))
    return columns


def _parent_mapping(parent: EntityEntry, ref: str):
    """A satellite without its own mapping reuses the parent's for the same source."""
    for index, source in enumerate(as_list(parent.dv.get("sources"))):
        if isinstance(source, dict) and source_ref(source) == ref and "business_keys" in source:
            return source["business_keys"], ()
    return None, ()


def hash_key_of(design: Design, name: str) -> str | None:
    entry = design.get(name)
    if entry is None or not isinstance(entry.dv, dict):
        return None
    value = entry.dv.get("hash_key")
    return value if isinstance(value, str) else None


def required_source_columns(design: Design, entity: EntityEntry, source_index: int) -> list:
    """(column, path) pairs a source must provide for this entity: keys, payload, dates."""
    dv = entity.dv
    source = as_list(dv.get("sources"))[source_index]
    kind = dv.get("kind")
    columns = []
    if kind in ("hub", "link", "nh_link", "sat", "ma_sat", "eff_sat"):
        for column in key_columns(design, entity, source_index):
            columns.append((column.source_column, column.path or ("sources", source_index)))
    for key in ("reference_keys", "payload", "multi_active_keys"):
        if kind != "stage":
            for index, column in enumerate(as_list(dv.get(key))):
                columns.append((column, (key, index)))
    for key in ("effective_from", "start_date", "end_date"):
        if isinstance(dv.get(key), str):
            columns.append((dv[key], (key,)))
    if kind == "eff_sat":
        for key in ("start_date", "end_date"):
            if key not in dv:
                columns.append((key, ("kind",)))
    if kind != "stage":
        path = ("sources", source_index, "load_datetime") if "load_datetime" in source else ("sources", source_index)
        columns.append((load_datetime_source_column(design, source), path))
    return [(c, p) for c, p in columns if isinstance(c, str)]
