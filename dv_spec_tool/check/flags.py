"""Review flags: what in the compiled SQL a person should look at.

Flags are not failures: a filter or a cast can be right, and only a person
who knows the source can say. Each flag has a stable id (RV01 ...), a name,
a one-line summary and a rationale (its docstring), and says where: the
model and the line of its compiled SQL. Flags belong to the entities'
review criterion (AC-<entity>-21 in the acceptance criteria).

A flag function gets the Context and the models to look at
({model: entities it concerns}) and yields (model, line, message).
"""

from __future__ import annotations

import re

from sqlglot import exp

from dv_spec_tool.check import keys
from dv_spec_tool.check.context import Context, describe, key_specs
from dv_spec_tool.check.sqlmodel import UNKNOWN, line_of
from dv_spec_tool.core.kinds import STAGED_KINDS
from dv_spec_tool.core.registry import REVIEW_FLAGS


def flag(flag_id: str, name: str):
    """Register a review flag under a stable id, in the one registry; duplicates are refused."""
    return REVIEW_FLAGS.register(flag_id, name)


def all_flags() -> list:
    return REVIEW_FLAGS.entries()


def _trees(ctx: Context, targets: dict):
    for model in targets:
        parsed = ctx.ev.parse(model)
        if parsed is not None and parsed.tree is not None:
            yield model, parsed.tree


# ----------------------------------------------------------------- RV01

# Literals a load pattern compares with: 0 and 1 (ROW_NUMBER() = 1, ON 1 = 1),
# zero and all-F keys (ghost records, LAG defaults), the end-of-time and
# ghost-record dates, and TO_BINARY's 'HEX' format.
_SENTINEL = re.compile(r"^(0+|[Ff]+|9999-12-31.*|1900-01-01.*|HEX)$")


def _sentinel(literal: exp.Literal) -> bool:
    if literal.is_string:
        return bool(_SENTINEL.match(literal.this))
    return literal.this in ("0", "1")


def pattern_columns(ctx: Context) -> set:
    """Key, date and metadata column names of the whole design: what a load pattern filters on."""
    names = {ctx.settings["load_datetime_column"], ctx.settings["record_source_column"], "as_of_date"}
    for entity in ctx.entities.values():
        for key in ("hash_key", "parent_hash_key", "hashdiff", "stage_hashdiff", "satellite_name", "effective_from", "start_date",
                    "end_date", "hub_hash_key"):
            if entity.get(key):
                names.add(entity[key])
        for key in ("business_keys", "reference_keys", "multi_active_keys", "dependent_keys",
                    "driving_foreign_keys", "secondary_foreign_keys"):
            names.update(entity.get(key) or [])
        names.update(ref["foreign_key"] for ref in entity.get("refs") or [] if ref.get("foreign_key"))
        if entity["kind"] in ("pit", "bridge"):
            names.update(entity.get("columns") or [])
            for link in entity.get("links") or []:
                names.update(n for n in (link.get("hash_key"), link.get("end_date"), link.get("bridge_end_date"),
                                         link.get("bridge_load_date")) if n)
                names.update(link.get("foreign_keys") or [])
        for source in entity.get("sources") or []:
            names.add(source["load_datetime"])
            for column in source["key_columns"]:
                names.update((column["source_column"], column["target"]))
    for stage in ctx.stages.values():
        names.update(stage.get("derived") or {})
        names.update(stage.get("hashed") or {})
    return {n.lower() for n in names if n}


def _computed_aliases(tree) -> set:
    """Aliases of window functions and aggregates in a model (row numbers, counts, latest dates)."""
    found = set()
    for alias in tree.find_all(exp.Alias):
        if alias.this.find(exp.Window, exp.AggFunc) is not None:
            found.add(alias.alias.lower())
    return found


def _conjuncts(condition) -> list:
    if isinstance(condition, exp.Paren):
        return _conjuncts(condition.this)
    if isinstance(condition, exp.And):
        return _conjuncts(condition.this) + _conjuncts(condition.expression)
    return [condition]


def _beyond_pattern(predicate, names: set) -> str:
    """Why a predicate goes beyond the load pattern ('' when it does not)."""
    for node in predicate.walk():
        if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star) and node.name.lower() not in names:
            return f"on `{node.name}`, which is not a key, date or load column"
        if isinstance(node, exp.Literal) and not _sentinel(node):
            return f"against the literal {node.sql()}"
        if keys.is_nondeterministic(node):
            return f"against the clock or a random value ({node.sql()})"
    return ""


@flag("RV01", "filter")
def filters(ctx: Context, targets: dict):
    """A WHERE, QUALIFY, HAVING or join condition filters rows beyond the load pattern.

    AutomateDV's own conditions are recognised and not flagged: keys not null,
    the first or latest row per key (ROW_NUMBER/RANK ... = 1), a change in the
    hashdiff (LAG), rows not yet in the table (anti-joins on the keys), the
    incremental load-datetime window, effectivity end dates and as-of dates.
    A condition on any other column, or against any other literal, drops
    rows the design says should load; a person should confirm it is wanted.
    """
    names = pattern_columns(ctx)
    for model, tree in _trees(ctx, targets):
        local = names | _computed_aliases(tree)
        for select in tree.find_all(exp.Select):
            clauses = [(key.upper(), select.args.get(key)) for key in ("where", "qualify", "having")]
            clauses += [("JOIN ... ON", join.args.get("on")) for join in select.args.get("joins") or []]
            for clause, node in clauses:
                if node is None:
                    continue
                condition = node.this if isinstance(node, (exp.Where, exp.Qualify, exp.Having)) else node
                for predicate in _conjuncts(condition):
                    reason = _beyond_pattern(predicate, local)
                    if reason:
                        yield model, line_of(predicate), (f"{clause} `{describe(predicate, ctx.dialect)}` filters rows {reason}: "
                                                         "rows it drops never reach the vault")


# ----------------------------------------------------------------- RV02


def _allowed_reads(ctx: Context, entity: dict) -> set:
    kind = entity["kind"]
    allowed = {entity["name"]}
    if kind == "stage":
        allowed |= {s["ref"] for s in entity.get("sources") or []}
        return allowed
    allowed |= {entity.get("hub"), entity.get("as_of_dates")}
    members = [s["name"] for s in entity.get("satellites") or []]
    for link in entity.get("links") or []:
        members += [link["name"], link.get("effectivity_satellite")]
    for member in filter(None, members):
        allowed.add(member)
        if member in ctx.entities:
            for source in ctx.entities[member].get("sources") or []:
                allowed |= {source["stage"], source["upstream"], source["ref"]}
    return {a for a in allowed if a}


@flag("RV02", "undeclared_join")
def undeclared_tables(ctx: Context, targets: dict):
    """A PIT, bridge or declared stage reads a table its design does not name.

    (Vault tables with sources are held to their declared sources by the
    declared_sources check instead, which fails.) A PIT may read its hub, its
    satellites, the as-of dates and the satellites' stages; a bridge its hub,
    links, effectivity satellites, as-of dates and the links' stages; a stage
    its one source.
    """
    for model, entities in targets.items():
        entity = ctx.entities.get(model)
        if entity is None or entity["kind"] in STAGED_KINDS or model not in entities:
            continue
        allowed = _allowed_reads(ctx, entity)
        for node, line in ctx.reads(model):
            if node not in allowed:
                yield model, line, f"reads `{node}`, which the design of this {entity['kind']} does not name ({', '.join(sorted(allowed))})"


# ----------------------------------------------------------- RV03, RV04


def _key_shapes(ctx: Context, targets: dict):
    """(traced, shape, column) for every key and hashdiff computed for the targeted entities."""
    seen = set()
    entities = sorted({e for names in targets.values() for e in names})
    for name in entities:
        entity = ctx.entities.get(name)
        if entity is None or ctx.analysis(name) is None:
            continue
        columns = [spec.column.lower() for spec in key_specs(entity, ctx.resolved)]
        if entity.get("hashdiff"):
            columns.append(entity["hashdiff"].lower())
        for row in ctx.source_rows(name):
            for column in columns:
                traced = row.values.get(column)
                if traced is None or id(traced) in seen:
                    continue
                seen.add(id(traced))
                yield traced, ctx.shape(traced), column, name


@flag("RV03", "literal_in_key")
def literals_in_keys(ctx: Context, targets: dict):
    """A hash key or hashdiff hashes a hard-coded value.

    Separators and null placeholders ('||', '^^', '') are expected; any other
    literal inside the hash (a default such as 'UNKNOWN', a salt, a date)
    changes every key, or makes different rows share one.
    """
    for traced, shape, column, name in _key_shapes(ctx, targets):
        if shape.literals:
            yield traced.model or name, traced.line, f"`{column}` hashes the literal(s) {', '.join(shape.literals)}"


@flag("RV04", "nondeterministic_key")
def nondeterministic_keys(ctx: Context, targets: dict):
    """A hash key or hashdiff depends on the clock or a random value.

    CURRENT_TIMESTAMP, RANDOM(), UUID_STRING() and the like give a different
    key on every run: the same business key lands as a new hub row, the same
    payload as a new satellite row.
    """
    for traced, shape, column, name in _key_shapes(ctx, targets):
        if shape.nondeterministic:
            yield traced.model or name, traced.line, f"`{column}` depends on {', '.join(dict.fromkeys(shape.nondeterministic))}"


# ----------------------------------------------------------------- RV05

_TEXT = {"VARCHAR", "CHAR", "NCHAR", "NVARCHAR", "TEXT", "STRING", "BPCHAR"}
_INTEGER = {"TINYINT", "SMALLINT", "INT", "BIGINT", "UTINYINT", "USMALLINT", "UINT", "UBIGINT"}
_HASH_BYTES = {"md5": 16, "sha1": 20, "sha256": 32}


def _narrowing(cast, ctx: Context) -> str:
    """Why a cast may lose information ('' when it does not)."""
    to = cast.args.get("to")
    if not isinstance(to, exp.DataType):
        return ""
    kind = to.this.name if hasattr(to.this, "name") else str(to.this)
    sizes = [e for e in to.expressions]
    operand = cast.this
    if kind in _TEXT and (sizes or kind == "CHAR"):
        return f"to {to.sql(dialect=ctx.dialect)}, which truncates longer values"
    if kind in _INTEGER:
        return f"to {to.sql(dialect=ctx.dialect)}, which drops leading zeros of codes and any fraction"
    if kind == "DECIMAL" and sizes:
        return f"to {to.sql(dialect=ctx.dialect)}, which rounds or overflows values beyond its precision"
    if kind in ("BINARY", "VARBINARY") and sizes:
        size = sizes[0].this if isinstance(sizes[0], exp.DataTypeParam) else sizes[0]
        text = size.name if isinstance(size, exp.Expression) else str(size)
        wanted = _HASH_BYTES.get(ctx.settings["hash_algorithm"])
        if text.isdigit() and wanted and int(text) < wanted:
            return f"to {to.sql(dialect=ctx.dialect)}, shorter than a {ctx.settings['hash_algorithm']} hash ({wanted} bytes)"
    if kind == "DATE":
        ldts = ctx.settings["load_datetime_column"].lower()
        if any(c.name.lower() == ldts for c in operand.find_all(exp.Column)) or \
                (isinstance(operand, exp.Column) and operand.name.lower() == ldts):
            return "of the load datetime to DATE, which drops its time of day"
    return ""


@flag("RV05", "narrowing_cast")
def narrowing_casts(ctx: Context, targets: dict):
    """A column is cast to a narrower type.

    VARCHAR(n) and CHAR truncate, integer types drop leading zeros and
    fractions, NUMBER(p, s) rounds, a short BINARY cuts a hash, a load
    datetime cast to DATE loses its time: values that differ in the source can
    become equal in the vault. Casts of constants (ghost records) are not
    flagged.
    """
    for model, tree in _trees(ctx, targets):
        for cast in tree.find_all(exp.Cast, exp.TryCast):
            if cast.this is None or cast.this.find(exp.Column) is None:
                continue
            reason = _narrowing(cast, ctx)
            if reason:
                yield model, line_of(cast), f"`{describe(cast, ctx.dialect)}` casts {reason}"


# ----------------------------------------------------------------- RV06


@flag("RV06", "distinct")
def distinct_selects(ctx: Context, targets: dict):
    """A SELECT DISTINCT may hide duplicate rows.

    Flagged when it feeds the model's rows and does not keep every column of
    the table (so rows that differ elsewhere collapse into one), and always in
    a stage, which should keep one row per source row. AutomateDV's
    DISTINCT over the whole row (multi-active satellites, non-historised links,
    effectivity satellites) and its DISTINCT key lists for joins are not
    flagged.
    """
    for model, tree in _trees(ctx, targets):
        entity = ctx.entities.get(model)
        is_table = entity is not None and entity["kind"] != "stage"
        wanted = {c.lower() for c in entity.get("columns") or []} if is_table else set()
        for select in tree.find_all(exp.Select):
            if not select.args.get("distinct") or id(select) not in ctx.ev.used:
                continue
            if any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star)) for p in select.expressions):
                if is_table:
                    continue
            projected = {p.alias_or_name.lower() for p in select.expressions}
            if is_table and wanted <= projected:
                continue
            dropped = sorted(wanted - projected) if is_table else []
            where = f" without {', '.join(dropped)}" if dropped else " in a stage"
            yield model, line_of(select), f"SELECT DISTINCT{where} collapses rows that differ; duplicates in the source go unnoticed"


# ----------------------------------------------------------------- RV07


@flag("RV07", "not_analysed")
def not_analysed(ctx: Context, targets: dict):
    """Part of the SQL could not be parsed or traced, so it was not checked.

    A parse error, a column whose origin is ambiguous, a SELECT * over a table
    whose columns are unknown, a stage the design names but whose compiled SQL
    is missing: whatever dv-spec check could not read, a person should.
    """
    for model, entities in targets.items():
        parsed = ctx.ev.parse(model)
        if parsed is not None and parsed.query is None:
            yield model, parsed.error_line, f"could not be analysed: {parsed.error}"
        for line, message in sorted(ctx.ev.problems.get(model, ())):
            yield model, line, message
        entity = ctx.entities.get(model)
        if entity is not None and model in ctx.sql:
            read = {node for node, _ in ctx.reads(model)}
            for stage in ctx.stage_models(entity):
                if stage in read and stage not in ctx.sql and stage in ctx.stages:
                    yield model, 0, f"reads stage `{stage}`, whose compiled SQL is missing: the keys computed there were not checked"
    for traced, shape, column, name in _key_shapes(ctx, targets):
        if any(leaf.table == UNKNOWN for leaf in traced.leaves()):
            yield traced.model or name, traced.line, f"`{column}` could not be traced to source columns"


def review_targets(ctx: Context, names) -> dict:
    """{model: [entities]}: each entity's own model and the stages it reads through, where compiled SQL exists."""
    targets = {}
    for name in sorted(names):
        entity = ctx.entities[name]
        if name in ctx.sql:
            targets.setdefault(name, []).append(name)
        for stage in ctx.stage_models(entity):
            if stage in ctx.sql and stage != name:
                targets.setdefault(stage, []).append(name)
    return {model: targets[model] for model in sorted(targets)}
