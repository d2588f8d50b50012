"""Everything the checks and flags share for one run: the resolved design,
the compiled SQL, which dbt node a table in the SQL is, and each entity's
rows traced back to its declared sources (computed once, on first use).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from sqlglot import exp

from dv_spec_tool.check import keys
from dv_spec_tool.check.sqlmodel import UNKNOWN, Evaluator, Traced, tables_read
from dv_spec_tool.core.kinds import KEYED_KINDS, LINK_KINDS, PARENTED_KINDS



@dataclass(frozen=True)
class KeySpec:
    """A hash column an entity computes: the key it is, and the columns it hashes per source."""

    column: str
    identity: str  # the hub or link whose key this is (computations of one identity must agree)
    role: str  # "hash key", "foreign key to hub_x", "key of parent hub_x"
    refs: tuple | None  # hub reference names whose key columns it hashes (None: all of them)
    dependent_keys: tuple = ()

    def expected(self, source: dict) -> list:
        columns = [c["source_column"] for c in source["key_columns"] if self.refs is None or c["ref"] in self.refs]
        return [c.lower() for c in columns + list(self.dependent_keys)]


@dataclass
class RowInfo:
    """One row source of an entity's SQL (a union branch), classified."""

    kind: str  # source | ghost | carried | unmatched
    values: dict  # column -> Traced
    source: dict | None = None  # the declared (resolved) source it reads
    tables: set = field(default_factory=set)  # leaf tables other than the entity itself


@dataclass
class Computation:
    """A hash key computed for one source: compared with every other computation of the same key."""

    identity: str
    entity: str
    column: str
    source: str
    template: str
    model: str | None
    line: int


@dataclass
class Analysis:
    entity: dict
    rows: list  # RowInfo
    outputs: list | None


def key_specs(entity: dict, resolved: dict) -> list:
    """The hash columns an entity's rows carry, with what each must hash."""
    kind = entity["kind"]
    entities = resolved["entities"]
    specs = []
    if kind == "hub":
        specs.append(KeySpec(entity["hash_key"], entity["name"], "hash key", None))
    elif kind in LINK_KINDS:
        specs.append(KeySpec(entity["hash_key"], entity["name"], "hash key", None, tuple(entity.get("dependent_keys") or ())))
        specs += _reference_specs(entity.get("refs") or [])
    elif kind in PARENTED_KINDS:
        parent = entities.get(entity.get("parent"))
        if parent is None or not entity.get("parent_hash_key"):
            return specs
        dependent = tuple(parent.get("dependent_keys") or ()) if parent["kind"] in LINK_KINDS else ()
        specs.append(KeySpec(entity["parent_hash_key"], parent["name"], f"key of parent {parent['name']}", None, dependent))
        if kind == "eff_sat":
            specs += _reference_specs(parent.get("refs") or [])
    return [s for s in specs if s.column]


def _reference_specs(refs) -> list:
    return [KeySpec(ref["foreign_key"], ref["hub"], f"foreign key to {ref['hub']}", (ref["name"],))
            for ref in refs if ref.get("foreign_key")]


def source_nodes(source: dict) -> set:
    """The nodes reading which counts as reading this declared source."""
    return {source["stage"], source["upstream"], source["ref"]}


class Context:
    def __init__(self, resolved: dict, criteria: dict, sql: dict, depends_on: dict | None, dialect: str,
                 columns: dict | None = None, relations: dict | None = None, raw: dict | None = None):
        self.resolved = resolved
        self.settings = resolved["settings"]
        self.entities = resolved["entities"]
        self.stages = resolved["stages"]
        self.criteria = criteria
        # Node names keep their case (they are dbt's names); table identifiers in SQL match them case-insensitively.
        self.sql = dict(sql)
        self.raw = {name.lower(): code for name, code in (raw or {}).items()}
        self.depends_on = {name: list(nodes) for name, nodes in (depends_on or {}).items()}
        self.dialect = dialect
        self.relations = {k.lower(): v for k, v in (relations or {}).items()}
        base_columns = {name: [c.lower() for c in cols] for name, cols in (columns or {}).items() if cols}
        for name, entity in self.entities.items():
            if entity.get("columns"):
                base_columns.setdefault(name, [c.lower() for c in entity["columns"]])
        self._known = self._known_nodes()
        table_entities = {n for n, e in self.entities.items() if e["kind"] != "stage"}
        inline = {name for name in self.sql if name not in table_entities}
        # Lineage stops at the design's declared sources: a source model is the boundary, whatever it
        # reads (a raw layer over a dbt source or VALUES). Its output columns are still known from its SQL.
        boundary = self._declared_sources() & inline
        if boundary:
            everything = Evaluator(self.sql, dialect, inline, self.resolve_table, base_columns)
            for node in sorted(boundary):
                outputs = everything.outputs(node) if node not in base_columns else None
                if outputs:
                    base_columns[node] = [c.lower() for c in outputs]
        self.ev = Evaluator(self.sql, dialect, inline - boundary, self.resolve_table, base_columns)
        self._reads = {}
        self._analysis = {}
        self.shapes = {}  # (entity, column, row index) -> HashShape, for the flags

    # ------------------------------------------------------------ nodes

    def _declared_sources(self) -> set:
        """The models the design names as sources (not the stages in front of them)."""
        found = {source["upstream"] for entity in self.entities.values() for source in entity.get("sources") or []
                 if source.get("upstream")}
        found |= {stage["source"] for stage in self.stages.values() if stage.get("source")}
        return found - set(self.stages)

    def _known_nodes(self) -> dict:
        names = set(self.sql) | set(self.entities) | set(self.stages)
        for nodes in self.depends_on.values():
            names.update(nodes)
        for entity in self.entities.values():
            for source in entity.get("sources") or []:
                names.update(n for n in source_nodes(source) if n)
        for stage in self.stages.values():
            if stage.get("source"):
                names.add(stage["source"])
        by_identifier = {}
        for name in names:
            by_identifier.setdefault(name.split(".")[-1].lower(), set()).add(name)
        for identifier, node in self.relations.items():
            by_identifier.setdefault(identifier, set()).add(node)
        return {identifier: sorted(nodes) for identifier, nodes in by_identifier.items()}

    def resolve_table(self, model: str, table: exp.Table) -> str:
        """The dbt node a table of the compiled SQL is: by relation name, disambiguated by depends_on."""
        name = table.name.lower()
        candidates = self._known.get(name, [])
        if table.db:
            qualified = [c for c in candidates if c.lower() == f"{table.db.lower()}.{name}"]
            if qualified:
                return qualified[0]
        if len(candidates) > 1:
            preferred = [c for c in candidates if c in self.depends_on.get(model, ())]
            candidates = preferred or candidates
        return candidates[0] if candidates else name

    def reads(self, model: str) -> list:
        """(node, line) for every table a model reads, in order."""
        if model not in self._reads:
            parsed = self.ev.parse(model)
            self._reads[model] = [(self.resolve_table(model, t), line) for t, line in tables_read(parsed)] if parsed else []
        return self._reads[model]

    def stage_models(self, entity: dict) -> list:
        """The stages the design says an entity reads through, in source order."""
        return list(dict.fromkeys(s["stage"] for s in entity.get("sources") or [] if s.get("stage")))

    def review_criteria(self, names) -> tuple:
        return tuple(c["id"] for name in names for c in self.criteria.get(name, []) if c["verified_by"] == "review")

    # ------------------------------------------------------------ rows

    def analysis(self, name: str) -> Analysis | None:
        """The entity's rows, classified and matched to its declared sources (None without SQL)."""
        if name in self._analysis:
            return self._analysis[name]
        entity = self.entities[name]
        rows = self.ev.rows(name)
        result = None
        if rows is not None:
            wanted = [c.lower() for c in entity.get("columns") or []]
            infos = [self._classify(entity, row, wanted) for row in rows]
            result = Analysis(entity, infos, rows[0].names() if rows else None)
        self._analysis[name] = result
        return result

    def _classify(self, entity, row, wanted) -> RowInfo:
        values = {}
        for column in wanted:
            traced = row.get(column)
            if traced is not None:
                values[column] = traced
        leaves = [leaf for traced in values.values() for leaf in traced.leaves()]
        if not leaves:
            return RowInfo("ghost", values)
        tables = {leaf.table for leaf in leaves} - {entity["name"]}
        if not tables:
            return RowInfo("carried", values)
        for source in entity.get("sources") or []:
            if tables & source_nodes(source):
                return RowInfo("source", values, source, tables)
        return RowInfo("unmatched", values, None, tables)

    def source_rows(self, name: str) -> list:
        analysis = self.analysis(name)
        return [row for row in analysis.rows if row.kind == "source"] if analysis else []

    # ------------------------------------------------------------ keys

    def shape(self, traced: Traced) -> keys.HashShape:
        key = id(traced)
        if key not in self.shapes:
            self.shapes[key] = (traced, keys.analyse_hash(traced.expr, self.dialect))
        return self.shapes[key][1]

    @cached_property
    def computations(self) -> dict:
        """identity -> [Computation] over every keyed entity with SQL (not only the selected ones)."""
        found = {}
        for name in sorted(self.entities):
            entity = self.entities[name]
            if entity["kind"] not in KEYED_KINDS or self.analysis(name) is None:
                continue
            for spec in key_specs(entity, self.resolved):
                for row in self.source_rows(name):
                    traced = row.values.get(spec.column.lower())
                    if traced is None or traced.tables() == {name}:
                        continue
                    shape = self.shape(traced)
                    if shape.algorithm is None:
                        continue
                    found.setdefault(spec.identity, []).append(Computation(
                        spec.identity, name, spec.column, row.source["ref"], shape.template, traced.model, traced.line))
        return found

    def inconsistent(self, name: str) -> list:
        """(Computation, reference Computation) for this entity's keys that differ from how the key is mostly computed."""
        return self._inconsistent.get(name, [])

    @cached_property
    def _inconsistent(self) -> dict:
        out = {}
        for identity, computations in sorted(self.computations.items()):
            # Count places, not uses: one stage column read by three entities is one computation.
            counts = Counter(template for template, _, _ in {(c.template, c.model, c.line) for c in computations})
            owners = [c for c in computations if c.entity == identity]
            first = (owners or computations)[0]
            best = max(counts.values())
            # The most common computation is the reference; on a tie, the key's own entity's first source.
            reference_template = first.template if counts[first.template] == best else \
                next(c.template for c in computations if counts[c.template] == best)
            reference = next(c for c in (owners or computations) + computations if c.template == reference_template)
            for c in computations:
                if c.template != reference_template:
                    out.setdefault(c.entity, []).append((c, reference))
        return out


def strip_wrappers(node):
    """The expression under casts and the aggregates a load pattern takes a first or last value with."""
    wrappers = tuple(getattr(exp, name) for name in ("Cast", "TryCast", "Min", "Max", "AnyValue", "Paren", "ArgMin",
                                                      "ArgMax", "FirstValue", "LastValue", "Window", "IgnoreNulls",
                                                      "RespectNulls") if hasattr(exp, name))
    while isinstance(node, wrappers):
        node = node.this
    if isinstance(node, exp.Anonymous) and str(node.this).upper() in ("TO_TIMESTAMP", "TO_TIMESTAMP_NTZ", "TO_TIMESTAMP_TZ",
                                                                    "TO_TIMESTAMP_LTZ", "TO_VARCHAR", "TO_CHAR"):
        return strip_wrappers(node.expressions[0]) if node.expressions else node
    return node


def describe(node, dialect: str) -> str:
    """Short SQL for a message."""
    text = node.sql(dialect=dialect) if node is not None else ""
    return text if len(text) <= 160 else text[:157] + "..."


def unknown_leaves(traced: Traced) -> bool:
    return any(leaf.table == UNKNOWN for leaf in traced.leaves())
