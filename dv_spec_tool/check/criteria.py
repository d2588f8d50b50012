"""The checks behind the acceptance criteria verified by `dv-spec check`.

One check = one function registered under the name the criterion carries
in the `acceptance_criteria` macro (`check: hash_key_lineage`). A check gets
the shared Context and one resolved entity, and returns its problems: an
empty list passes; `NotVerified` says why the criterion could not be verified
(which makes `dv-spec check` exit non-zero unless --allow-not-verified).
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from dv_spec_tool.check.context import Context, describe, key_specs, source_nodes, strip_wrappers, unknown_leaves
from dv_spec_tool.check.results import Problem
from dv_spec_tool.check.sqlmodel import line_of
from dv_spec_tool.core.kinds import KEYED_KINDS
from dv_spec_tool.core.registry import CHECK_CRITERIA


class NotVerified(Exception):
    """The criterion cannot be verified here (no SQL, nothing to trace); the message says why."""


CHECKS = CHECK_CRITERIA.table  # {name the acceptance criteria use: registry Entry}


def check(name: str):
    """Register a check under the name the acceptance criteria use, in the one registry; duplicates are refused."""
    return CHECK_CRITERIA.register(name, name)


def _needs_sql(ctx: Context, name: str):
    parsed = ctx.ev.parse(name)
    if parsed is None:
        raise NotVerified(f"no compiled SQL for `{name}` (run `dbt compile`)")
    if parsed.query is None:
        raise NotVerified(f"`{name}`'s compiled SQL could not be analysed: {parsed.error}")
    return parsed


def _names(columns) -> str:
    return ", ".join(columns) if columns else "nothing"


@check("declared_sources")
def declared_sources(ctx: Context, entity: dict) -> list:
    """Reads only from its declared sources, through the stages the design names, and reads every one of them.

    Tables come from the compiled SQL (FROM and JOIN, subqueries included) and
    from the manifest's depends_on. A model may read its declared stage, the
    declared source itself, or its own table (incremental loads); a stage may
    read its declared source. Anything else means rows the design does not
    know about reach the vault.
    """
    name = entity["name"]
    _needs_sql(ctx, name)
    sources = entity.get("sources") or []
    allowed = {name}
    for source in sources:
        allowed |= source_nodes(source)
    declared = ", ".join(s["ref"] for s in sources)
    problems = []
    read = ctx.reads(name)
    for node, line in read:
        if node not in allowed:
            problems.append(Problem(name, line, f"reads `{node}`, which is not one of its declared sources ({declared}) or their stages"))
    for node in ctx.depends_on.get(name, ()):
        if node not in allowed:
            problems.append(Problem(name, 0, f"depends on `{node}` (manifest depends_on), which is not one of its declared sources ({declared})"))
    nodes = {node for node, _ in read}
    for source in sources:
        stage = source["stage"]
        if stage in nodes and stage != source["upstream"] and stage in ctx.sql:
            upstream = ctx.stages.get(stage, {}).get("source") or source["upstream"]
            stage_read = ctx.reads(stage)
            for node, line in stage_read:
                if node not in (stage, upstream):
                    problems.append(Problem(stage, line, f"its stage `{stage}` reads `{node}`; the design says it stages `{upstream}` only"))
            for node in ctx.depends_on.get(stage, ()):
                if node not in (stage, upstream):
                    problems.append(Problem(stage, 0, f"its stage `{stage}` depends on `{node}` (manifest depends_on); the design says it stages `{upstream}` only"))
            if upstream not in {node for node, _ in stage_read} and stage_read:
                problems.append(Problem(stage, line_of(ctx.ev.parse(stage).query),
                                        f"its stage `{stage}` never reads the declared source `{upstream}`"))
        elif not nodes & source_nodes(source):
            problems.append(Problem(name, 0, f"never reads its declared source `{source['ref']}` (through `{stage}`)"))
    return sorted(set(problems))


@check("output_columns")
def output_columns(ctx: Context, entity: dict) -> list:
    """Produces exactly the design's columns for its kind, no more, no fewer.

    The expected columns are the resolved entity's `columns`: AutomateDV's
    column set for the kind (a hub: hash key, business keys, load datetime,
    record source). A stage must produce every derived and hashed column its
    consumers need; the columns it passes through from its source are free.
    """
    name = entity["name"]
    parsed = _needs_sql(ctx, name)
    outputs = ctx.ev.outputs(name)
    if outputs is None:
        raise NotVerified(f"cannot list `{name}`'s output columns (a SELECT * over a table whose columns are not known)")
    line = line_of(_final_select(parsed.query))
    actual = list(dict.fromkeys(outputs))
    if entity["kind"] == "stage":
        stage = ctx.stages.get(name, {})
        required = [c.lower() for c in list(stage.get("derived", {})) + list(stage.get("hashed", {}))]
        missing = [c for c in required if c not in actual]
        return [Problem(name, line, f"does not produce {_names(missing)}, which its consumers ({', '.join(stage.get('consumers', []))}) read from it")] if missing else []
    expected = [c.lower() for c in entity.get("columns") or []]
    missing = [c for c in expected if c not in actual]
    extra = [c for c in actual if c not in expected]
    problems = []
    if missing:
        problems.append(Problem(name, line, f"does not produce {_names(missing)}; the design's {entity['kind']} columns are ({_names(expected)})"))
    if extra:
        problems.append(Problem(name, line, f"produces {_names(extra)}, which the design does not declare; the design's {entity['kind']} columns are ({_names(expected)})"))
    return problems


def _final_select(query):
    while isinstance(query, exp.SetOperation):
        query = query.this
    return query.expressions[0] if isinstance(query, exp.Select) and query.expressions else query


def _rows_to_trace(ctx: Context, entity: dict) -> list:
    name = entity["name"]
    _needs_sql(ctx, name)
    rows = ctx.source_rows(name)
    if not rows:
        raise NotVerified(f"no row of `{name}` could be traced to a declared source")
    return rows


def _opaque(ctx: Context, traced) -> str:
    """'column `c` of `stage`, whose SQL ...' when a value comes straight from a stage without compiled SQL."""
    value = strip_wrappers(traced.expr)
    if isinstance(value, exp.Column) and value.table in ctx.stages and value.table not in ctx.sql:
        return f"column `{value.name}` of `{value.table}`, whose compiled SQL is missing"
    return ""


def carried(traced, name: str) -> bool:
    """A value copied from the entity's own table (an incremental load carrying a row over), not computed."""
    tables = traced.tables()
    return bool(tables) and tables == {name}


def _where(traced, fallback: str):
    return (traced.model or fallback, traced.line)


@check("hash_key_lineage")
def hash_key_lineage(ctx: Context, entity: dict) -> list:
    """Each hash key hashes exactly the declared business-key columns, in order, normalised like every other computation of that key.

    Followed through the stages to the source columns: a hub's key hashes the
    source's business-key columns in the declared order; a link's key its
    hubs' keys in the link's order (then its dependent keys) and each foreign
    key its hub's; a satellite's parent key its parent's. The algorithm is the
    design's `hash_algorithm`. Every place that computes one hub's (or link's)
    key must normalise the same way (cast, trim, case, null handling):
    otherwise one business key gets two hash keys, the classic cause of
    duplicate hub rows.
    """
    name = entity["name"]
    if entity["kind"] not in KEYED_KINDS:
        return []
    rows = _rows_to_trace(ctx, entity)
    algorithm = ctx.settings["hash_algorithm"]
    problems, unseen = [], []
    for spec in key_specs(entity, ctx.resolved):
        column = spec.column.lower()
        for row in rows:
            traced = row.values.get(column)
            if traced is None or carried(traced, name):
                continue
            model, line = _where(traced, name)
            label = f"`{spec.column}` ({spec.role}, from {row.source['ref']})"
            shape = ctx.shape(traced)
            expected = spec.expected(row.source)
            if shape.algorithm is None:
                hidden = _opaque(ctx, traced)
                if hidden:
                    unseen.append(Problem(model, line, f"{label} is {hidden}; its hashing was not checked"))
                    continue
                problems.append(Problem(model, line, f"{label} is not a hash of the business key: it is `{describe(traced.expr, ctx.dialect)}`"))
                continue
            if shape.algorithm != algorithm:
                problems.append(Problem(model, line, f"{label} is hashed with {shape.algorithm.upper()}; the design's hash_algorithm is {algorithm}"))
            got = [c.name.lower() for c in shape.columns]
            if got != expected:
                problems.append(Problem(model, line, f"{label} hashes ({_names(got)}); the design says ({_names(expected)})"
                                                     + _difference(got, expected)))
            foreign = sorted({c.table for c in shape.columns} - source_nodes(row.source) - {name})
            if foreign and not unknown_leaves(traced):
                problems.append(Problem(model, line, f"{label} hashes columns of {', '.join(f'`{t}`' for t in foreign)}, "
                                                     f"not of its source `{row.source['upstream']}`"))
            if len(shape.normalisations) > 1:
                problems.append(Problem(model, line, f"{label} normalises its columns differently: "
                                                     + "; ".join(f"`{n}`" for n in shape.normalisations)))
    for computation, reference in ctx.inconsistent(name):
        problems.append(Problem(computation.model or name, computation.line,
                                f"`{computation.column}` (from {computation.source}) is computed as `{computation.template}`, "
                                f"but `{reference.column}` of {reference.entity} (from {reference.source}, {reference.model or reference.entity} "
                                f"line {reference.line}) as `{reference.template}`: one business key would get two {computation.identity} keys"))
    if not problems and unseen:
        raise NotVerified("; ".join(p.message for p in unseen))
    return sorted(set(problems))


def _difference(got, expected) -> str:
    missing = [c for c in expected if c not in got]
    extra = [c for c in got if c not in expected]
    parts = []
    if missing:
        parts.append(f"missing {_names(missing)}")
    if extra:
        parts.append(f"not declared: {_names(extra)}")
    if not parts:
        parts.append("same columns, different order" if sorted(got) == sorted(expected) else "repeated columns")
    return " (" + "; ".join(parts) + ")"


@check("metadata_lineage")
def metadata_lineage(ctx: Context, entity: dict) -> list:
    """The load datetime and the record source are what each source declares: a column, a literal or an expression.

    Per source: `load_datetime` must be that source's load-datetime column
    (`load_datetime` of the source item, else the project's
    `load_datetime_column`), possibly cast or taken as a MIN/MAX, or the
    declared `{expression: ...}`; the record source must be the source's
    `record_source` literal (default: the source's reference), its
    `{column: ...}` or its `{expression: ...}`. A clock (CURRENT_TIMESTAMP) as load datetime re-dates history
    on every run; a wrong record source hides where a row came from.
    """
    name = entity["name"]
    rows = _rows_to_trace(ctx, entity)
    ldts = ctx.settings["load_datetime_column"].lower()
    rsrc = ctx.settings["record_source_column"].lower()
    problems, unseen = [], []
    for row in rows:
        source = row.source
        for column in (ldts, rsrc):
            traced = row.values.get(column)
            hidden = _opaque(ctx, traced) if traced is not None else ""
            if hidden:
                unseen.append(f"`{column}` (from {source['ref']}) is {hidden}; it was not checked")
        for column, kind, text in ((ldts, source.get("load_datetime_kind", "column"), source["load_datetime"]),
                                   (rsrc, source.get("record_source_kind", "literal"), source["record_source"])):
            traced = row.values.get(column)
            if traced is None or carried(traced, name) or _opaque(ctx, traced):
                continue
            if not _is_declared(ctx, traced.expr, kind, text, source, traced.model):
                model, line = _where(traced, name)
                said = {"column": f"column `{text}` of `{source['upstream']}`", "literal": f"the literal '{text}'",
                        "expression": f"the expression `{text}`"}[kind]
                problems.append(Problem(model, line, f"`{column}` (from {source['ref']}) is `{describe(traced.expr, ctx.dialect)}`; "
                                                     f"the design says {said}"))
    if not problems and unseen:
        raise NotVerified("; ".join(dict.fromkeys(unseen)))
    return sorted(set(problems))


def _is_declared(ctx: Context, expr, kind: str, text: str, source: dict, model: str | None = None) -> bool:
    """Whether a traced load-metadata value is what the design declares: a source column, a literal or an expression.

    An expression holding Jinja (`run_started_at`, a macro) is what dbt rendered for it: the model that computes
    the value must hold the same Jinja as written, and the SQL around it must be the design's.
    """
    value = strip_wrappers(expr)
    if kind == "column":
        return isinstance(value, exp.Column) and value.name.lower() == text.lower() and value.table in source_nodes(source)
    if kind == "literal":
        return isinstance(value, exp.Literal) and value.is_string and value.this == text
    jinja = _JINJA.findall(text)  # dbt renders these when the model compiles: each stands for the one value it gave
    written = " ".join(ctx.raw.get(str(model or "").lower(), "").split())
    if any(" ".join(part.split()) not in written for part in jinja):
        return False
    for index, part in enumerate(jinja):
        text = text.replace(part, f"{_JINJA_MARK}{index}", 1)
    try:
        declared = _unqualified(sqlglot.parse_one(text, read=ctx.dialect), ctx.dialect)
    except Exception:  # an expression sqlglot cannot read is compared as text
        declared = " ".join(text.lower().split())
    compiled = (_unqualified(expr, ctx.dialect), _unqualified(value, ctx.dialect))
    if not jinja:
        return declared in compiled
    pattern = re.escape(declared)
    for index in range(len(jinja)):  # a rendered value holds no quote of its own
        pattern = pattern.replace(re.escape(f"{_JINJA_MARK}{index}"), r"[^'\"]*", 1)
    return any(re.fullmatch(pattern, sql) for sql in compiled)


_JINJA = re.compile(r"\{\{.*?\}\}", re.S)
_JINJA_MARK = "dv_spec_rendered_"


def _unqualified(node, dialect: str) -> str:
    node = node.copy()
    for column in node.find_all(exp.Column):
        column.set("table", None)
    return node.sql(dialect=dialect).lower()


@check("hashdiff_lineage")
def hashdiff_lineage(ctx: Context, entity: dict) -> list:
    """The hashdiff hashes exactly the declared payload (and multi-active keys), in AutomateDV's order.

    AutomateDV sorts a hashdiff's columns alphabetically, so the set must be
    the satellite's payload (an ma_sat's multi-active keys included) and the
    order alphabetical. A payload column left out of the hashdiff means its
    changes are never loaded; an extra column loads changes that are not in
    the satellite.
    """
    name = entity["name"]
    rows = _rows_to_trace(ctx, entity)
    column = (entity.get("hashdiff") or "").lower()
    expected = [c.lower() for c in entity.get("hashdiff_columns") or []]
    ordered = sorted(expected)
    algorithm = ctx.settings["hash_algorithm"]
    problems = []
    for row in rows:
        traced = row.values.get(column)
        if traced is None or carried(traced, name):
            continue
        model, line = _where(traced, name)
        shape = ctx.shape(traced)
        if shape.algorithm is None:
            problems.append(Problem(model, line, f"`{entity['hashdiff']}` is not a hash of the payload: it is `{describe(traced.expr, ctx.dialect)}`"))
            continue
        if shape.algorithm != algorithm:
            problems.append(Problem(model, line, f"`{entity['hashdiff']}` is hashed with {shape.algorithm.upper()}; the design's hash_algorithm is {algorithm}"))
        got = [c.name.lower() for c in shape.columns]
        if sorted(got) != ordered:
            problems.append(Problem(model, line, f"`{entity['hashdiff']}` hashes ({_names(got)}); the design says ({_names(ordered)})"
                                                 + _difference(got, ordered)))
        elif got != ordered and not _sorted_under_renames(got, _renames(ctx, traced.model)):
            problems.append(Problem(model, line, f"`{entity['hashdiff']}` hashes ({_names(got)}) in that order; AutomateDV sorts "
                                                 f"hashdiff columns alphabetically: ({_names(ordered)})"))
    return sorted(set(problems))


def _renames(ctx: Context, model) -> dict:
    """{source column: {names it is given}} by plain `column AS name` renames in a model's SQL."""
    parsed = ctx.ev.parse(model) if model else None
    found = {}
    if parsed is not None and parsed.tree is not None:
        for alias in parsed.tree.find_all(exp.Alias):
            if isinstance(alias.this, exp.Column) and alias.alias:
                found.setdefault(alias.this.name.lower(), set()).add(alias.alias.lower())
    return found


def _sorted_under_renames(columns: list, renames: dict) -> bool:
    """Whether the columns are in alphabetical order once each may go by a name the stage renames it to.

    AutomateDV sorts a hashdiff by the stage's column names; the lineage reaches the source's names
    (CUSTOMER_KEY derived from CUSTOMERKEY sorts as CUSTOMER_KEY)."""
    previous = ""
    for column in columns:
        candidates = sorted(n for n in {column} | renames.get(column, set()) if n >= previous)
        if not candidates:
            return False
        previous = candidates[0]
    return True


def all_checks() -> list:
    return CHECK_CRITERIA.entries()


__all__ = ["CHECKS", "NotVerified", "all_checks"]
