"""From a diagram to design entities: the Data Vault reading of a picture.

`diagram_to_design(diagram, conventions, settings)` classifies each table
(conventions.py), takes keys from the column markers, a satellite's parent
and a link's hubs from the lines and foreign-key columns, and returns design
blocks. Whatever a picture does not say (where rows come from, a hashdiff
name it does not show, a hub without key markers, the hash order of hubs
joined only by lines) becomes a TODO attached to the key it concerns: the
writer prints it and puts it in the YAML as a `# TODO(dv-spec): ...` comment.
Nothing is guessed silently: a value proposed by a naming convention is
written, and says so in its TODO.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .conventions import classify, kind_from_prefix, shape_value
from .model import Column, Diagram

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
VAULT_KINDS = ("hub", "link", "nh_link", "sat", "ma_sat", "eff_sat", "ref_table", "pit", "bridge")
KEY_ORDER = ("kind", "subject_area", "owner", "hash_key", "business_keys", "hubs", "dependent_keys", "parent",
             "driving_keys", "start_date", "end_date", "hashdiff", "multi_active_keys", "reference_keys", "payload",
             "effective_from", "hub", "satellites", "links", "effectivity_satellites", "as_of_dates", "ghost_record",
             "sources")
SOURCES_TODO = ("sources: name the model(s) or dbt source(s) `{name}` loads from, "
                "e.g. `- model: <model>` or `- source: <source>.<table>` (a diagram does not say)")


@dataclass
class Imported:
    """One design entity read from a diagram or a dbt project, with what is left to decide."""

    name: str
    dv: dict
    description: str = ""
    todos: list = field(default_factory=list)  # (key, message): key of the dv block the TODO is about
    where: str = ""  # where it was read from
    target: str = ""  # the schema file it belongs in, when the reader knows (else the writer decides)


@dataclass
class Reading:
    entities: list = field(default_factory=list)  # Imported
    problems: list = field(default_factory=list)  # (where, message): things left out, with why


def ordered(dv: dict) -> dict:
    """A dv block with its keys in the contract's order."""
    rank = {key: n for n, key in enumerate(KEY_ORDER)}
    return {key: dv[key] for key in sorted(dv, key=lambda k: rank.get(k, len(rank)))}


def diagram_to_design(diagram: Diagram, conventions: dict, settings: dict) -> Reading:
    """The design entities a diagram describes, with TODOs for what it leaves open."""
    return _Reader(diagram, conventions, settings).read()


class _Reader:
    def __init__(self, diagram, conventions, settings):
        self.diagram = diagram
        self.conventions = conventions
        self.settings = settings
        self.reading = Reading(problems=list(diagram.problems))
        self.kinds = {}  # table id -> kind
        self.tables = {}  # table id -> Table
        self.by_name = {}  # lower-case name -> table id
        self.done = {}  # entity name -> Imported
        metadata = list(conventions["metadata_columns"])
        metadata += [settings.get("load_datetime_column", ""), settings.get("record_source_column", "")]
        self.metadata = {m.lower() for m in metadata if m}

    # ------------------------------------------------------------ reading
    def read(self) -> Reading:
        for table in self.diagram.tables:
            self._classify(table)
        self.neighbours = {tid: [] for tid in self.tables}
        for relation in self.diagram.relations:
            if relation.source in self.tables and relation.target in self.tables and relation.source != relation.target:
                self.neighbours[relation.source].append(relation.target)
                self.neighbours[relation.target].append(relation.source)
        order = ("hub", "link", "nh_link", "sat", "ma_sat", "eff_sat", "ref_table", "pit", "bridge")
        for kind in order:
            for tid, table in self.tables.items():
                if self.kinds[tid] == kind:
                    entity = getattr(self, f"_{kind}")(table)
                    self._finish(table, entity)
        self.reading.entities = list(self.done.values())  # by kind, then in diagram order
        return self.reading

    def _classify(self, table) -> None:
        if not table.name:
            self.reading.problems.append((table.where, "an ERD table without a name (its first text) is left out"))
            return
        if not IDENTIFIER.match(table.name):
            self.reading.problems.append((table.where, f"table {table.name!r}: the name is not a plain SQL identifier "
                                          "(letters, digits, _): rename it in the diagram; left out"))
            return
        if table.name.lower() in self.by_name:
            self.reading.problems.append((table.where, f"a second table named `{table.name}` is left out"))
            return
        kind, why = classify(table, self.conventions)
        if kind is None:
            self.reading.problems.append((table.where, f"table `{table.name}`: cannot tell whether it is a hub, link or "
                                          f"satellite: {why}; left out"))
            return
        self.tables[table.id] = table
        self.kinds[table.id] = kind
        self.by_name[table.name.lower()] = table.id

    def _finish(self, table, entity: Imported) -> None:
        entity.dv = ordered(entity.dv)
        entity.where = table.where
        entity.description = entity.description or shape_value(table.data, self.conventions, "description")
        self.done[entity.name] = entity

    # ------------------------------------------------------------ helpers
    def _new(self, table, kind) -> Imported:
        return Imported(table.name, {"kind": kind})

    def _payload_columns(self, table) -> list:
        return [c for c in table.columns if c.name.lower() not in self.metadata]

    def _linked(self, table, *kinds) -> list:
        """Neighbouring tables of these kinds, in line order, repeated when joined by several lines."""
        return [self.tables[t] for t in self.neighbours[table.id] if self.kinds[t] in kinds]

    def _stem(self, table) -> str:
        _, prefix = kind_from_prefix(table.name, self.conventions)
        return table.name[len(prefix):] if prefix else table.name

    def _hash_like(self, column: Column) -> bool:
        return any(column.name.lower().endswith(s.lower()) for s in self.conventions["hash_key_suffixes"])

    def _named(self, column: Column, names_key: str) -> bool:
        return column.name.lower() in [n.lower() for n in self.conventions[names_key]]

    def _hashdiff_like(self, column: Column) -> bool:
        return "HD" in column.roles or any(column.name.lower().endswith(s.lower())
                                           for s in self.conventions["hashdiff_suffixes"])

    def _proposed_hash_key(self, entity, table) -> None:
        suffix = ((self.settings.get("naming") or {}).get("hash_key") or {}).get("suffix") or "_hk"
        proposal = f"{self._stem(table)}{suffix}"
        entity.dv["hash_key"] = proposal
        entity.todos.append(("hash_key", f"hash_key: the diagram shows no hash key column for `{table.name}`; "
                                         f"`{proposal}` follows the naming convention: confirm or rename"))

    def _sources(self, entity, table) -> None:
        sources = []
        for neighbour in self._linked(table, "source"):
            item = {"source": neighbour.name} if "." in neighbour.name else {"model": neighbour.name}
            if item not in sources:
                sources.append(item)
        for ref in re.split(r"[,\s]+", shape_value(table.data, self.conventions, "source")):
            if ref:
                item = {"source": ref} if "." in ref else {"model": ref}
                if item not in sources:
                    sources.append(item)
        entity.dv["sources"] = sources
        if not sources:
            entity.todos.append(("sources", SOURCES_TODO.format(name=table.name)))

    def _hub_hash_key(self, hub_table) -> str:
        entity = self.done.get(hub_table.name)
        return entity.dv.get("hash_key", "") if entity else ""

    # ------------------------------------------------------------ kinds
    def _hub(self, table) -> Imported:
        entity = self._new(table, "hub")
        columns = self._payload_columns(table)
        business = [c for c in columns if "BK" in c.roles]
        primary = [c for c in columns if "PK" in c.roles and "BK" not in c.roles]
        if business:
            hash_keys = primary or [c for c in columns if self._hash_like(c) and c not in business]
        else:
            hash_keys = [c for c in primary if self._hash_like(c)]
            business = [c for c in primary if not self._hash_like(c)]
        if hash_keys:
            entity.dv["hash_key"] = hash_keys[0].name
            if len(hash_keys) > 1:
                entity.todos.append(("hash_key", f"hash_key: `{table.name}` has several hash-key-like primary key "
                                                 f"columns ({', '.join(c.name for c in hash_keys)}); keep one"))
        else:
            self._proposed_hash_key(entity, table)
        entity.dv["business_keys"] = [c.name for c in business]
        if not business:
            candidates = [c.name for c in columns if c.name != entity.dv["hash_key"]]
            entity.todos.append(("business_keys", f"business_keys: the diagram marks no business key of hub `{table.name}` "
                                 "(mark them BK or PK in the key cell)"
                                 + (f"; its columns: {', '.join(candidates)}" if candidates else "")))
        used = {entity.dv["hash_key"].lower()} | {c.name.lower() for c in business}
        extra = [c.name for c in columns if c.name.lower() not in used]
        if extra:
            entity.todos.append(("kind", f"hub `{table.name}` also lists {', '.join(extra)}: hubs carry only keys and "
                                 "load metadata; move descriptive columns to a satellite"))
        self._sources(entity, table)
        return entity

    def _link(self, table, kind="link") -> Imported:
        entity = self._new(table, kind)
        columns = self._payload_columns(table)
        foreign = [c for c in columns if "FK" in c.roles or c.references]
        primary = [c for c in columns if "PK" in c.roles and c not in foreign]
        hash_keys = primary or [c for c in columns if self._hash_like(c) and c not in foreign]
        if hash_keys:
            entity.dv["hash_key"] = hash_keys[0].name
        else:
            self._proposed_hash_key(entity, table)
        lines = self._linked(table, "hub")
        candidates = lines or [self.tables[t] for t in self.tables if self.kinds[t] == "hub"]
        hubs, unmatched = [], []
        for column in foreign:
            ref = self._hub_reference(column, candidates)
            if ref is None:
                unmatched.append(column.name)
                continue
            hubs.append(ref)
            hub_name = ref if isinstance(ref, str) else ref["hub"]
            for n, line_hub in enumerate(lines):
                if line_hub.name == hub_name:
                    del lines[n]
                    break
        if lines:
            hubs += [hub.name for hub in lines]
            entity.todos.append(("hubs", f"hubs: the hash order of {', '.join(h.name for h in lines)} comes from the order "
                                 "of the lines in the diagram, not from foreign key columns: confirm the order"))
        if unmatched:
            entity.todos.append(("hubs", f"hubs: foreign key column(s) {', '.join(unmatched)} of `{table.name}` name no "
                                 "hub's hash key (a role-playing key is `<role>_<hub hash key>`): which hub?"))
        names = [h if isinstance(h, str) else h["hub"] for h in hubs]
        repeated = sorted({n for n in names if names.count(n) > 1 and any(h == n for h in hubs)})
        if repeated:
            entity.todos.append(("hubs", f"hubs: `{table.name}` joins {', '.join(repeated)} more than once: give each "
                                 "reference a role (`{hub: ..., role: ...}`)"))
        entity.dv["hubs"] = hubs
        if len(hubs) < 2:
            entity.todos.append(("hubs", f"hubs: `{table.name}` joins {len(hubs)} hub(s); a link joins two or more: draw "
                                 "lines to its hubs or add foreign key columns named after their hash keys"))
        used = {entity.dv["hash_key"].lower()} | {c.name.lower() for c in foreign}
        rest = [c for c in columns if c.name.lower() not in used]
        dependent = [c for c in rest if "DK" in c.roles or "BK" in c.roles]
        if dependent:
            entity.dv["dependent_keys"] = [c.name for c in dependent]
        rest = [c for c in rest if c not in dependent]
        if kind == "nh_link":
            effective = [c for c in rest if "EFF" in c.roles or self._named(c, "effective_from_names")]
            if effective:
                entity.dv["effective_from"] = effective[0].name
            rest = [c for c in rest if c not in effective[:1]]
            entity.dv["payload"] = [c.name for c in rest]
        elif rest:
            entity.todos.append(("kind", f"link `{table.name}` also lists {', '.join(c.name for c in rest)}: a link "
                                 "carries no payload; mark dependent keys DK, move the rest to a satellite"))
        self._sources(entity, table)
        return entity

    def _nh_link(self, table) -> Imported:
        return self._link(table, "nh_link")

    def _hub_reference(self, column, hubs):
        """The hubs item a link's foreign key column stands for: a hub name, or {hub, role}."""
        name = column.name.lower()
        if column.references:
            wanted = [h for h in hubs if h.name.lower() == column.references.lower()] or \
                     [self.tables[t] for t in self.tables if self.tables[t].name.lower() == column.references.lower()]
            hubs = wanted or hubs
        for hub in hubs:
            hash_key = self._hub_hash_key(hub).lower()
            if hash_key and name == hash_key:
                return hub.name
        for hub in hubs:
            hash_key = self._hub_hash_key(hub).lower()
            if hash_key and name.endswith("_" + hash_key):
                return {"hub": hub.name, "role": column.name[: -len(hash_key) - 1]}
        if column.references and len(hubs) == 1 and self.kinds.get(self.by_name.get(column.references.lower())) == "hub":
            return {"hub": hubs[0].name, "foreign_key": column.name}
        return None

    def _parent(self, entity, table, kinds) -> tuple:
        """(parent table, its hash key) of a satellite, from lines, then from key columns."""
        columns = {c.name.lower() for c in table.columns}
        unique = []
        for candidate in self._linked(table, *kinds):
            if candidate not in unique:
                unique.append(candidate)
        if len(unique) > 1:
            keyed = [c for c in unique if self._entity_hash_key(c).lower() in columns]
            if len(keyed) == 1:
                unique = keyed
            else:
                entity.todos.append(("kind", f"parent: `{table.name}` is joined to {', '.join(c.name for c in unique)}; "
                                     "which one is its parent?"))
                return None, ""
        if not unique:
            everything = [self.tables[t] for t in self.tables if self.kinds[t] in kinds]
            unique = [c for c in everything if self._entity_hash_key(c).lower() in columns]
            if len(unique) != 1:
                entity.todos.append(("kind", f"parent: no line joins `{table.name}` to its parent "
                                     f"({' or '.join(kinds)}); draw one, or set `parent:`"))
                return None, ""
        parent = unique[0]
        return parent, self._entity_hash_key(parent)

    def _entity_hash_key(self, table) -> str:
        entity = self.done.get(table.name)
        return (entity.dv.get("hash_key") or "") if entity else ""

    def _sat(self, table, kind="sat") -> Imported:
        entity = self._new(table, kind)
        parent, parent_key = self._parent(entity, table, ("hub", "link", "nh_link"))
        if parent is not None:
            entity.dv["parent"] = parent.name
        columns = self._payload_columns(table)
        rest = [c for c in columns if c.name.lower() != parent_key.lower()]
        hashdiffs = [c for c in rest if self._hashdiff_like(c)]
        if hashdiffs:
            entity.dv["hashdiff"] = hashdiffs[0].name
        else:
            proposal = f"{self._stem(table)}_hashdiff"
            entity.dv["hashdiff"] = proposal
            entity.todos.append(("hashdiff", f"hashdiff: the diagram shows no hashdiff column for `{table.name}`; "
                                             f"`{proposal}` is proposed: confirm or rename"))
        rest = [c for c in rest if c not in hashdiffs[:1]]
        effective = [c for c in rest if "EFF" in c.roles or self._named(c, "effective_from_names")]
        if effective:
            entity.dv["effective_from"] = effective[0].name
        rest = [c for c in rest if c not in effective[:1]]
        multi = [c for c in rest if "MAK" in c.roles]
        extra_keys = [c for c in rest if "PK" in c.roles and c not in multi and not ("FK" in c.roles)]
        if kind == "ma_sat":
            multi += extra_keys
            entity.dv["multi_active_keys"] = [c.name for c in multi]
            if not multi:
                entity.todos.append(("multi_active_keys", f"multi_active_keys: mark the column(s) that tell `{table.name}`'s "
                                     "active rows apart MAK (AutomateDV's src_cdk)"))
        elif multi or extra_keys:
            entity.todos.append(("kind", f"`{table.name}` has key column(s) {', '.join(c.name for c in multi + extra_keys)} "
                                 "beyond its parent key: if they are multi-active keys, make it an ma_sat"))
        rest = [c for c in rest if c not in multi]
        entity.dv["payload"] = [c.name for c in rest]
        hinted = [c.name for c in rest if any(h.lower() in c.name.lower() for h in self.conventions["effective_from_hints"])]
        if hinted and not effective:
            entity.todos.append(("payload", f"payload: is {' or '.join(hinted)} the effective-from column of "
                                 f"`{table.name}`? If so, mark it EFF (or set `effective_from:` and drop it here)"))
        if not rest:
            entity.todos.append(("payload", f"payload: the diagram lists no descriptive column of `{table.name}`"))
        self._sources(entity, table)
        return entity

    def _ma_sat(self, table) -> Imported:
        return self._sat(table, "ma_sat")

    def _eff_sat(self, table) -> Imported:
        entity = self._new(table, "eff_sat")
        parent, parent_key = self._parent(entity, table, ("link", "nh_link"))
        if parent is not None:
            entity.dv["parent"] = parent.name
        columns = self._payload_columns(table)
        refs = self._refs(parent) if parent is not None else []
        driving = []
        for column in columns:
            if "DRV" in column.roles:
                names = [name for name, foreign_key in refs if foreign_key.lower() == column.name.lower()]
                if names:
                    driving.append(names[0])
                else:
                    entity.todos.append(("driving_keys", f"driving_keys: driving column {column.name} matches no hub "
                                         f"reference of {parent.name if parent else 'the parent link'}"))
        entity.dv["driving_keys"] = driving
        if not driving:
            entity.todos.append(("driving_keys", f"driving_keys: which hub reference(s) of "
                                 f"{parent.name if parent else 'its link'} drive `{table.name}`? (mark the column DRV; "
                                 f"choices: {', '.join(n for n, _ in refs) or 'the link hubs'})"))
        for key, role, names in (("start_date", "START", "start_date_names"), ("end_date", "END", "end_date_names")):
            found = [c for c in columns if role in c.roles] or [c for c in columns if self._named(c, names)]
            if found:
                entity.dv[key] = found[0].name
        effective = [c for c in columns if "EFF" in c.roles or self._named(c, "effective_from_names")]
        if effective:
            entity.dv["effective_from"] = effective[0].name
        self._sources(entity, table)
        return entity

    def _refs(self, link_table) -> list:
        """(reference name, foreign key) of an imported link's hubs."""
        entity = self.done.get(link_table.name)
        out = []
        for item in (entity.dv.get("hubs", []) if entity else []):
            hub = item if isinstance(item, str) else item.get("hub")
            role = None if isinstance(item, str) else item.get("role")
            hub_entity = self.done.get(hub)
            hash_key = hub_entity.dv.get("hash_key", "") if hub_entity else ""
            foreign_key = (None if isinstance(item, str) else item.get("foreign_key")) or \
                (f"{role}_{hash_key}" if role else hash_key)
            out.append((role or hub, foreign_key))
        return out

    def _ref_table(self, table) -> Imported:
        entity = self._new(table, "ref_table")
        columns = self._payload_columns(table)
        keys = [c for c in columns if "PK" in c.roles or "BK" in c.roles]
        entity.dv["reference_keys"] = [c.name for c in keys]
        if not keys:
            entity.todos.append(("reference_keys", f"reference_keys: mark the key column(s) of `{table.name}` PK"))
        entity.dv["payload"] = [c.name for c in columns if c not in keys]
        self._sources(entity, table)
        return entity

    def _as_of_dates(self, entity, table) -> None:
        value = shape_value(table.data, self.conventions, "as_of_dates")
        if not value:
            for column in table.columns:
                match = re.search(r"as of dates:\s*([A-Za-z_][A-Za-z0-9_.]*)", column.note or "")
                if match:
                    value = match.group(1)
        if value:
            entity.dv["as_of_dates"] = value
        else:
            entity.todos.append(("as_of_dates", f"as_of_dates: which model or seed lists the as-of dates of "
                                 f"`{table.name}`? (a diagram does not say)"))

    def _ordered_by_columns(self, table, others, suffix) -> list:
        """Tables in the order their `<name><suffix>` columns appear, then the rest in line order."""
        position = {c.name.lower(): n for n, c in enumerate(table.columns)}
        unique = []
        for other in others:
            if other not in unique:
                unique.append(other)
        return sorted(unique, key=lambda t: position.get(f"{t.name}{suffix}".lower(), len(position) + unique.index(t)))

    def _pit(self, table) -> Imported:
        entity = self._new(table, "pit")
        self._hub_of(entity, table)
        satellites = self._ordered_by_columns(table, self._linked(table, "sat", "ma_sat"), "_pk")
        entity.dv["satellites"] = [t.name for t in satellites]
        if not satellites:
            entity.todos.append(("satellites", f"satellites: draw lines from `{table.name}` to the satellites it covers"))
        self._as_of_dates(entity, table)
        return entity

    def _bridge(self, table) -> Imported:
        entity = self._new(table, "bridge")
        self._hub_of(entity, table)
        links = self._ordered_by_columns(table, self._linked(table, "link", "nh_link"), "_pk")
        entity.dv["links"] = [t.name for t in links]
        if not links:
            entity.todos.append(("links", f"links: draw lines from `{table.name}` to the links it walks"))
        effectivity = self._ordered_by_columns(table, self._linked(table, "eff_sat"), "_end_date")
        if effectivity:
            entity.dv["effectivity_satellites"] = [t.name for t in effectivity]
        self._as_of_dates(entity, table)
        return entity

    def _hub_of(self, entity, table) -> None:
        hubs = []
        for hub in self._linked(table, "hub"):
            if hub not in hubs:
                hubs.append(hub)
        if len(hubs) == 1:
            entity.dv["hub"] = hubs[0].name
        else:
            entity.todos.append(("kind", f"hub: `{table.name}` is joined to {len(hubs)} hubs; join it to exactly one "
                                 "(the hub it is built on), or set `hub:`"))
