"""From a diagram to design entities: the Data Vault reading of a picture.

`diagram_to_design(diagram, conventions, settings)` turns labels into
identifiers, classifies each table (conventions.py), reads keys by Data Vault
structure (a hub's columns other than its hash key and load metadata are its
business keys; a link's hubs are the columns holding their hash keys; a
satellite's parent is the table a line or its key column joins it to), with
the key markers and lines as evidence, and returns design blocks. Whatever a picture does not say (where rows come from, a hashdiff
name it does not show, a hub without key markers, the hash order of hubs
joined only by lines) becomes a TODO attached to the key it concerns: the
writer prints it and puts it in the YAML as a `# TODO(dv-spec): ...` comment.
Nothing is guessed silently: a value proposed by a naming convention is
written, and says so in its TODO; every table, row and line not used is a
reported problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dv_spec_tool.core.kinds import DIAGRAM_KINDS, HASH_KEY_KINDS, LINK_KINDS
from dv_spec_tool.importers.diagrams.conventions import (
    classify,
    hash_like,
    hashdiff_like,
    is_metadata,
    kind_from_prefix,
    shape_value,
)
from dv_spec_tool.importers.diagrams.model import Column, Diagram, identifier

KEY_ORDER = ("kind", "subject_area", "owner", "hash_key", "business_keys", "hubs", "dependent_keys", "parent",
             "driving_keys", "start_date", "end_date", "hashdiff", "stage_hashdiff", "multi_active_keys",
             "reference_keys", "payload", "effective_from", "hub", "satellites", "satellite_name_columns", "links",
             "effectivity_satellites", "link_columns", "as_of_dates", "ghost_record", "sources")
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
        self.labels = {}  # table id -> the name as drawn, when it is not an identifier
        self.merged = {}  # table id of a repeated drawing -> the id it is read as
        self.used = set()  # indexes of the relations the design uses
        self.metadata = [settings.get("load_datetime_column", ""), settings.get("record_source_column", "")]

    # ------------------------------------------------------------ reading
    def read(self) -> Reading:
        for table in self.diagram.tables:
            self._classify(table)
        self.neighbours = {tid: [] for tid in self.tables}
        for number, relation in enumerate(self.diagram.relations):
            source, target = self.merged.get(relation.source, relation.source), self.merged.get(relation.target, relation.target)
            if source in self.tables and target in self.tables and source != target:
                self.neighbours[source].append((target, number))
                self.neighbours[target].append((source, number))
        for kind in DIAGRAM_KINDS:
            for tid, table in self.tables.items():
                if self.kinds[tid] == kind:
                    entity = getattr(self, f"_{kind}")(table)
                    self._finish(table, entity)
        self._report_unused_lines()
        self.reading.entities = list(self.done.values())  # by kind, then in diagram order
        return self.reading

    def _report_unused_lines(self) -> None:
        names = {tid: t.name for tid, t in self.tables.items()}
        for number, relation in enumerate(self.diagram.relations):
            if number in self.used:
                continue
            source, target = self.merged.get(relation.source, relation.source), self.merged.get(relation.target, relation.target)
            if source in self.tables and target in self.tables and source != target:
                self.reading.problems.append((relation.where or self.tables[source].where,
                                              f"the line between `{names[source]}` ({self.kinds[source]}) and "
                                              f"`{names[target]}` ({self.kinds[target]}) is not used by the design: "
                                              "left out"))
            elif source == target:
                drawn = {t.id: t for t in self.diagram.tables}
                self.reading.problems.append((relation.where, f"a line from `{drawn[source].name if source in drawn else source}`"
                                              " to itself is left out"))
            else:
                drawn = {t.id: t for t in self.diagram.tables}
                ends = [f"`{names[e]}`" if e in self.tables else f"`{drawn[e].name if e in drawn else e}` (left out)"
                        for e in (source, target)]
                where = relation.where or (drawn[source].where if source in drawn else "")
                self.reading.problems.append((where, f"the line between {ends[0]} and {ends[1]} is left out"))

    def _normalised(self, table):
        """The table with its name and column names as identifiers; columns with no name are reported."""
        name = identifier(table.name)
        columns = []
        for column in table.columns:
            column_name = identifier(column.name)
            if not column_name:
                self.reading.problems.append((table.where, f"table `{name or table.name}`: the row {column.name!r} "
                                              f"{('(' + column.note + ') ') if column.note else ''}names no column; "
                                              "left out"))
                continue
            if any(c.name == column_name for c in columns):
                self.reading.problems.append((table.where, f"table `{name}`: column `{column_name}` is listed twice; "
                                              "read once"))
                continue
            columns.append(Column(column_name, column.type, column.roles, column.note,
                                  identifier(column.references), identifier(column.references_column)))
        table.columns = columns
        return name

    def _classify(self, table) -> None:
        drawn = table.name
        if not drawn.strip():
            self.reading.problems.append((table.where, "an ERD table without a name (its first text) is left out"))
            return
        name = self._normalised(table)
        if not name:
            self.reading.problems.append((table.where, f"table {drawn!r}: its name has no letters or digits; left out"))
            return
        table.name = name
        if name != drawn.lower():
            self.labels[table.id] = drawn
        if name in self.by_name:
            first = self.tables[self.by_name[name]]
            have, more = [c.name for c in first.columns], [c.name for c in table.columns]
            if set(more) <= set(have) or set(have) <= set(more):  # the same table drawn again
                first.columns += [c for c in table.columns if c.name not in have]
                self.merged[table.id] = first.id
                self.reading.problems.append((table.where, f"table `{name}` is drawn twice (also {first.where}); "
                                              "read as one table with the columns of both"))
            else:
                self.reading.problems.append((table.where, f"a second table named `{name}` with other columns "
                                              f"({', '.join(more) or 'none'}) is left out: give it its own name"))
            return
        kind, why = classify(table, self.conventions)
        if kind is None:
            self.reading.problems.append((table.where, f"table `{name}`: cannot tell whether it is a hub, link or "
                                          f"satellite: {why}; left out"))
            return
        self.tables[table.id] = table
        self.kinds[table.id] = kind
        self.by_name[name] = table.id

    def _finish(self, table, entity: Imported) -> None:
        entity.dv = ordered(entity.dv)
        entity.where = table.where
        drawn = self.labels.get(table.id)
        given = shape_value(table.data, self.conventions, "description")
        entity.description = entity.description or given or (f"Drawn as “{drawn}”." if drawn else "")
        self.done[entity.name] = entity

    # ------------------------------------------------------------ helpers
    def _new(self, table, kind) -> Imported:
        return Imported(table.name, {"kind": kind})

    def _payload_columns(self, table) -> list:
        """The columns that are not load metadata."""
        return [c for c in table.columns if not is_metadata(c.name, table.name, self.conventions, self.metadata)]

    def _linked(self, table, *kinds, use=False) -> list:
        """Neighbouring tables of these kinds, in line order, repeated when joined by several lines."""
        found = []
        for other, number in self.neighbours[table.id]:
            if self.kinds[other] in kinds:
                found.append(self.tables[other])
                if use:
                    self.used.add(number)
        return found

    def _use(self, table, other) -> None:
        """Count the lines between two tables as used by the design."""
        for neighbour, number in self.neighbours[table.id]:
            if neighbour == other.id:
                self.used.add(number)

    def _stem(self, table) -> str:
        _, prefix = kind_from_prefix(table.name, self.conventions)
        return table.name[len(prefix):] if prefix else table.name

    def _hash_like(self, column: Column) -> bool:
        return hash_like(column.name, self.conventions)

    def _named(self, column: Column, names_key: str) -> bool:
        return column.name.lower() in [n.lower() for n in self.conventions[names_key]]

    def _hashdiff_like(self, column: Column) -> bool:
        return hashdiff_like(column, self.conventions)

    def _hub_keys(self) -> dict:
        """hash key -> hub table, for the hubs read so far."""
        out = {}
        for tid, kind in self.kinds.items():
            if kind == "hub":
                key = self._entity_hash_key(self.tables[tid])
                if key:
                    out.setdefault(key.lower(), self.tables[tid])
        return out

    def _proposed_hash_key(self, entity, table, why: str = "") -> None:
        suffix = ((self.settings.get("naming") or {}).get("hash_key") or {}).get("suffix") or "_hk"
        proposal = f"{self._stem(table)}{suffix}"
        entity.dv["hash_key"] = proposal
        entity.todos.append(("hash_key", f"hash_key: the diagram shows no hash key column of `{table.name}`"
                                         + (f" ({why})" if why else "")
                                         + f"; `{proposal}` follows the naming convention: confirm or rename"))

    def _sources(self, entity, table) -> None:
        sources = []
        for neighbour in self._linked(table, "source", use=True):
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

    # ------------------------------------------------------------ kinds
    def _hub(self, table) -> Imported:
        """A hub is its hash key and business keys: the columns other than the hash key and load metadata."""
        entity = self._new(table, "hub")
        columns = self._payload_columns(table)
        marked = [c for c in columns if "BK" in c.roles]
        primary = [c for c in columns if "PK" in c.roles and "BK" not in c.roles]
        hash_keys = [c for c in primary if self._hash_like(c)] or \
            [c for c in columns if self._hash_like(c) and c not in marked and "PK" not in c.roles]
        if not hash_keys and len(primary) == 1 and len(columns) > 1:
            hash_keys = primary  # a hub's primary key beside other keys is its surrogate key, whatever its name
        if len(hash_keys) > 1:
            named = [c for c in hash_keys if self._stem(table).lower() in c.name.lower()]
            if len(named) == 1:
                hash_keys = named + [c for c in hash_keys if c is not named[0]]
            entity.todos.append(("hash_key", f"hash_key: `{table.name}` has several hash-key-like columns "
                                             f"({', '.join(c.name for c in hash_keys)}); `{hash_keys[0].name}` is taken: "
                                             "confirm, and keep one"))
        if hash_keys:
            entity.dv["hash_key"] = hash_keys[0].name
        else:
            self._proposed_hash_key(entity, table)
        business = [c for c in columns if c.name != entity.dv["hash_key"] and c not in hash_keys[1:]]
        entity.dv["business_keys"] = [c.name for c in business]
        unmarked = [c.name for c in business if c not in marked]
        if not business:
            entity.todos.append(("business_keys", f"business_keys: the diagram shows no business key column of hub "
                                 f"`{table.name}` (a hub holds its hash key, business keys and load metadata)"))
        elif unmarked and (marked or not any("PK" in c.roles for c in columns)):
            entity.todos.append(("business_keys", f"business_keys: {', '.join(unmarked)} of hub `{table.name}` "
                                 "are not marked BK but are neither its hash key nor load metadata, so they are read "
                                 "as business keys: confirm, or move descriptive columns to a satellite"))
        self._sources(entity, table)
        return entity

    def _link(self, table, kind="link") -> Imported:
        """A link: its own hash key, and one hub reference per column holding a hub's hash key."""
        entity = self._new(table, kind)
        columns = self._payload_columns(table)
        lines = self._linked(table, "hub")
        keys = self._hub_keys()
        stem = self._stem(table).lower()
        own = [c for c in columns if "PK" in c.roles and "FK" not in c.roles and c.name.lower() not in keys
               and not c.references] or \
            [c for c in columns if "FK" not in c.roles and not c.references and c.name.lower() not in keys
             and self._hash_like(c) and stem in c.name.lower()]
        own.sort(key=lambda c: (not self._hash_like(c), stem not in c.name.lower()))
        references, unmatched = [], []
        for column in columns:
            if own and column is own[0]:
                continue
            ref = self._hub_reference(column, lines, keys)
            if ref is not None:
                references.append((column, ref))
            elif "FK" in column.roles or column.references:
                unmatched.append(column)
        if own:
            entity.dv["hash_key"] = own[0].name
        else:
            self._proposed_hash_key(entity, table, "its key columns are its hubs' hash keys" if references else "")
        hubs, seen = [], []
        for column, ref in references:
            hubs.append(ref)
            hub_name = ref if isinstance(ref, str) else ref["hub"]
            seen.append(hub_name)
            for hub in lines:
                if hub.name == hub_name:
                    self._use(table, hub)
        rest_lines = []
        for hub in lines:
            if hub.name in seen:
                seen.remove(hub.name)
            else:
                rest_lines.append(hub)
        if rest_lines:
            hubs += [hub.name for hub in rest_lines]
            for hub in rest_lines:
                self._use(table, hub)
            entity.todos.append(("hubs", f"hubs: {', '.join(h.name for h in rest_lines)} joined by a line but named by no "
                                 f"key column of `{table.name}`; added in line order: confirm the hub and the hash order"))
        if unmatched:
            entity.todos.append(("hubs", f"hubs: foreign key column(s) {', '.join(c.name for c in unmatched)} of "
                                 f"`{table.name}` name no hub's hash key (a role-playing key is `<role>_<hub hash key>` "
                                 "or `<hub hash key>_<role>`): which hub?"))
        names = [h if isinstance(h, str) else h["hub"] for h in hubs]
        repeated = sorted({n for n in names if names.count(n) > 1 and any(h == n for h in hubs)})
        if repeated:
            entity.todos.append(("hubs", f"hubs: `{table.name}` joins {', '.join(repeated)} more than once: give each "
                                 "reference a role (`{hub: ..., role: ...}`)"))
        entity.dv["hubs"] = hubs
        if len(hubs) < 2:
            entity.todos.append(("hubs", f"hubs: `{table.name}` joins {len(hubs)} hub(s); a link joins two or more: draw "
                                 "lines to its hubs or add key columns named after their hash keys"))
        used = {entity.dv["hash_key"].lower()} | {c.name.lower() for c, _ in references} | {c.name.lower() for c in unmatched}
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

    def _hub_reference(self, column, lines, keys):
        """The hubs item a link's key column stands for (a hub name, or {hub, role}), or None."""
        name = column.name.lower()
        if column.references:
            target = self.by_name.get(column.references.lower())
            if target is not None and self.kinds.get(target) == "hub":
                hub = self.tables[target]
                hash_key = self._entity_hash_key(hub).lower()
                if name == hash_key:
                    return hub.name
                if hash_key and name.endswith("_" + hash_key):
                    return {"hub": hub.name, "role": column.name[: -len(hash_key) - 1]}
                return {"hub": hub.name, "foreign_key": column.name}
        preferred = {self._entity_hash_key(h).lower(): h for h in lines if self._entity_hash_key(h)}
        for pool in (preferred, keys):
            if name in pool:
                return pool[name].name
        for pool in (preferred, keys):
            for hash_key, hub in sorted(pool.items(), key=lambda item: -len(item[0])):
                if name.endswith("_" + hash_key):
                    return {"hub": hub.name, "role": column.name[: -len(hash_key) - 1]}
                if name.startswith(hash_key + "_"):
                    return {"hub": hub.name, "role": column.name[len(hash_key) + 1:], "foreign_key": column.name}
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
                entity.todos.append(("parent", f"parent: `{table.name}` is joined to {', '.join(c.name for c in unique)}; "
                                     "which one is its parent?"))
                return None, ""
        if not unique:
            everything = [self.tables[t] for t in self.tables if self.kinds[t] in kinds]
            unique = [c for c in everything if self._entity_hash_key(c).lower() in columns]
            if len(unique) != 1:
                entity.todos.append(("parent", f"parent: no line joins `{table.name}` to its parent "
                                     f"({' or '.join(kinds)})"
                                     + (f" and its key columns name {len(unique)} of them" if unique else "")
                                     + "; draw one, or set `parent:`"))
                return None, ""
        parent = unique[0]
        self._use(table, parent)
        return parent, self._entity_hash_key(parent)

    def _entity_hash_key(self, table) -> str:
        entity = self.done.get(table.name)
        return (entity.dv.get("hash_key") or "") if entity else ""

    def _sat(self, table, kind="sat") -> Imported:
        entity = self._new(table, kind)
        parent, parent_key = self._parent(entity, table, HASH_KEY_KINDS)
        if parent is not None:
            entity.dv["parent"] = parent.name
        columns = self._payload_columns(table)
        keyed = [c for c in columns if c.name.lower() == parent_key.lower()] if parent_key else []
        if not keyed:  # the parent key is the satellite's key column, named otherwise or with no parent known
            keyed = [c for c in columns if ("FK" in c.roles or "PK" in c.roles) and self._hash_like(c)][:1]
            if keyed and parent is not None:
                entity.todos.append(("parent", f"parent: `{table.name}` keys on {keyed[0].name}, not on "
                                     f"`{parent.name}`'s hash key {parent_key or '(none)'}: confirm the parent"))
        rest = [c for c in columns if c not in keyed]
        others = {self._entity_hash_key(self.tables[t]).lower() for t in self.tables if self.kinds[t] in HASH_KEY_KINDS}
        foreign = [c for c in rest if c.name.lower() in others - {""}]
        if foreign:  # another entity's hash key is no descriptive column
            entity.todos.append(("payload", f"payload: {', '.join(c.name for c in foreign)} of `{table.name}` "
                                 "hold(s) the hash key of another hub or link, so they are left out of the payload: "
                                 "should they be a link instead?"))
            rest = [c for c in rest if c not in foreign]
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
        parent, parent_key = self._parent(entity, table, LINK_KINDS)
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
            found = [c for c in table.columns if role in c.roles] or [c for c in table.columns if self._named(c, names)]
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
        satellites = self._ordered_by_columns(table, self._linked(table, "sat", "ma_sat", use=True), "_pk")
        entity.dv["satellites"] = [t.name for t in satellites]
        if not satellites:
            entity.todos.append(("satellites", f"satellites: draw lines from `{table.name}` to the satellites it covers"))
        self._as_of_dates(entity, table)
        return entity

    def _bridge(self, table) -> Imported:
        entity = self._new(table, "bridge")
        self._hub_of(entity, table)
        links = self._ordered_by_columns(table, self._linked(table, "link", "nh_link", use=True), "_pk")
        entity.dv["links"] = [t.name for t in links]
        if not links:
            entity.todos.append(("links", f"links: draw lines from `{table.name}` to the links it walks"))
        effectivity = self._ordered_by_columns(table, self._linked(table, "eff_sat", use=True), "_end_date")
        if effectivity:
            entity.dv["effectivity_satellites"] = [t.name for t in effectivity]
        self._as_of_dates(entity, table)
        return entity

    def _hub_of(self, entity, table) -> None:
        hubs = []
        for hub in self._linked(table, "hub", use=True):
            if hub not in hubs:
                hubs.append(hub)
        if len(hubs) == 1:
            entity.dv["hub"] = hubs[0].name
        else:
            entity.todos.append(("kind", f"hub: `{table.name}` is joined to {len(hubs)} hubs; join it to exactly one "
                                 "(the hub it is built on), or set `hub:`"))
