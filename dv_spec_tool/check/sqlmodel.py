"""Compiled SQL as data: each model parsed once, and its output columns
evaluated symbolically down to the columns of the tables it finally reads.

This is column lineage in the spirit of `sqlglot.lineage`, with two
differences the checks need: the answer is the *whole* expression inlined
through every CTE, subquery and view-like model (a hash key comes back as
`MD5(NULLIF(UPPER(TRIM(CAST(raw_providers.npi AS VARCHAR))), ''))`, not as
a graph of nodes), and it comes per *row source*: a UNION gives one row per
branch, so a hub fed by two stages yields two expressions, one per stage.
Every model is parsed once and every (row, column) evaluated once, so a
thousand models stay fast.

Leaves of an evaluated expression are `exp.Column`s whose table is the name
of a dbt node (a seed, a dbt source `name.table`, a model that is not
inlined, or the model itself for `{{ this }}`) and whose name is lower-case.
Nothing here raises on odd SQL: what cannot be parsed or resolved is
recorded in `Evaluator.problems` for the "could not analyse" review flag.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

MAX_ROWS = 64  # row sources per query before the evaluator gives up (a join of unions)
UNKNOWN = "?"  # table of a leaf that could not be resolved


def line_of(node) -> int:
    """The line of the compiled SQL a parsed node starts on (0 if unknown): its first token that has one."""
    if node is None:
        return 0
    # Types carry synthetic parameters (Snowflake's NUMBER is NUMBER(38, 0)) positioned at line 1.
    for item in node.dfs(prune=lambda n: isinstance(n, exp.DataType)):
        meta = getattr(item, "_meta", None)
        if meta and "line" in meta and not isinstance(item, exp.DataType):
            return meta["line"]
    return 0


def _from(select):
    return select.args.get("from_") or select.args.get("from")


def _with(query):
    return query.args.get("with_") or query.args.get("with")


def query_sources(select) -> list:
    """The FROM item and the JOIN items of a SELECT, in order."""
    items = []
    source = _from(select)
    if source is not None and source.this is not None:
        items.append(source.this)
    for join in select.args.get("joins") or []:
        if join.this is not None:
            items.append(join.this)
    return items


@dataclass
class Traced:
    """An output column's value: an expression over leaf columns, and where it was defined."""

    expr: exp.Expression
    model: str | None = None  # the model whose SQL defines the expression (None for a plain leaf)
    line: int = 0

    def leaves(self) -> list:
        """Leaf columns, left to right (the order a hash concatenates them); scalar subqueries are opaque."""
        return [node for node in self.expr.dfs(prune=lambda n: isinstance(n, exp.Query | exp.Subquery) and n is not self.expr)
                if isinstance(node, exp.Column)]

    def tables(self) -> set:
        return {leaf.table for leaf in self.leaves()}


@dataclass
class Parsed:
    """One model's compiled SQL, parsed."""

    name: str
    sql: str
    tree: exp.Expression | None = None  # the statement analysed (a query, or the INSERT around it)
    query: exp.Expression | None = None  # the SELECT / set operation that produces the rows
    insert_columns: list | None = None  # INSERT INTO t (a, b) ...: the target's column names
    error: str = ""
    error_line: int = 0
    cte_names: set = field(default_factory=set)


# sqlglot parses about 150 kB of SQL a second here; a dbt model's compiled SQL is rarely above 100 kB.
MAX_SQL_CHARACTERS = 1_000_000


def parse_model(name: str, sql: str, dialect: str) -> Parsed:
    """Parse one model's compiled SQL; a parse failure is recorded, not raised."""
    parsed = Parsed(name, sql)
    if len(sql) > MAX_SQL_CHARACTERS:
        parsed.error = (f"it is {len(sql):,} characters long, more than dv-spec analyses ({MAX_SQL_CHARACTERS:,}); "
                        "review it by hand")
        return parsed
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except (ParseError, TokenError) as exc:
        errors = getattr(exc, "errors", None) or []
        parsed.error_line = errors[0].get("line", 0) if errors else 0
        description = errors[0].get("description") if errors else str(exc).splitlines()[0]
        parsed.error = f"sqlglot cannot parse it: {description}"
        return parsed
    except Exception as exc:  # sqlglot raises assorted errors on unusual input
        parsed.error = f"sqlglot cannot parse it: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return parsed
    statement = next((s for s in reversed(statements) if isinstance(s, (exp.Query, exp.Insert))), None)
    if statement is None:
        kinds = ", ".join(sorted({type(s).__name__.upper() for s in statements})) or "nothing"
        parsed.error = f"it holds no SELECT or INSERT ... SELECT statement ({kinds})"
        return parsed
    parsed.tree = statement
    if isinstance(statement, exp.Insert):
        target = statement.this
        if isinstance(target, exp.Schema):
            parsed.insert_columns = [c.name.lower() for c in target.expressions if isinstance(c, exp.Identifier | exp.Column)]
        query = statement.expression
    else:
        query = statement
    while isinstance(query, exp.Subquery):
        query = query.this
    if not isinstance(query, exp.Query):
        parsed.error = "its INSERT has no SELECT to analyse"
        return parsed
    parsed.query = query
    parsed.cte_names = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
    return parsed


def tables_read(parsed: Parsed) -> list:
    """(Table expression, line) for every table the statement reads (CTE references excluded)."""
    if parsed.tree is None:
        return []
    target = parsed.tree.this if isinstance(parsed.tree, exp.Insert) else None
    target_table = target.this if isinstance(target, exp.Schema) else target
    found = []
    for table in parsed.tree.find_all(exp.Table):
        if table is target_table or not table.name:
            continue
        if not table.db and table.name.lower() in parsed.cte_names:
            continue
        found.append((table, line_of(table)))
    return found


# ------------------------------------------------------------------ rows


class Row:
    """One source of a query's rows: a base table, a SELECT over chosen sources, a union branch."""

    def names(self) -> list | None:
        raise NotImplementedError

    def get(self, name: str) -> Traced | None:
        raise NotImplementedError


class BaseRow(Row):
    """A table the evaluator does not look into: its columns are leaves."""

    def __init__(self, node: str, columns: list | None):
        self.node = node
        self.columns = columns

    def names(self):
        return self.columns

    def get(self, name):
        if self.columns is not None and name not in self.columns:
            return None
        return Traced(exp.column(name, table=self.node))


class SelectRow(Row):
    """A SELECT evaluated for one choice of row per FROM / JOIN item."""

    def __init__(self, evaluator, model: str, select: exp.Select, choice: list):
        self.ev = evaluator
        self.model = model
        self.select = select
        self.choice = choice  # [(alias, Row)] in FROM / JOIN order
        self.by_alias = {alias: row for alias, row in choice}
        self._names = None
        self._cache = {}

    def names(self):
        if self._names is None:
            names = []
            for projection in self.select.expressions:
                star = _star_of(projection)
                if star is None:
                    names.append(projection.alias_or_name.lower())
                    continue
                rows = [self.by_alias.get(star)] if star else [row for _, row in self.choice]
                for row in rows:
                    inner = row.names() if row is not None else None
                    if inner is None:
                        self._names = False
                        return None
                    names.extend(inner)
            self._names = names
        return self._names or None

    def get(self, name):
        if name in self._cache:
            return self._cache[name]
        self._cache[name] = None  # guards against a column defined in terms of itself
        result = self._evaluate(name)
        self._cache[name] = result
        return result

    def _evaluate(self, name):
        for projection in self.select.expressions:
            if _star_of(projection) is None and projection.alias_or_name.lower() == name:
                self.ev.used.add(id(self.select))
                return self._value(projection)
        for projection in self.select.expressions:
            star = _star_of(projection)
            if star is None:
                continue
            rows = [self.by_alias.get(star)] if star else [row for _, row in self.choice]
            for row in rows:
                if row is None:
                    continue
                inner = row.names()
                if inner is None or name in inner:
                    found = row.get(name)
                    if found is not None:
                        self.ev.used.add(id(self.select))
                        return found
        return None

    def _value(self, projection) -> Traced:
        body = projection.this if isinstance(projection, exp.Alias) else projection
        if isinstance(body, exp.Column):
            traced = self._column(body, projection)
            if traced.model is None or projection.alias_or_name.lower() != body.name.lower():
                # A source column selected (or renamed) here: this is where it enters the model.
                return Traced(traced.expr, self.model, line_of(projection))
            return traced
        copy = body.copy()
        if isinstance(copy, exp.Column):  # pragma: no cover - handled above
            return self._column(copy, projection)
        for column in list(copy.find_all(exp.Column)):
            if _inside_subquery(column, copy):
                continue
            traced = self._column(column, projection)
            column.replace(traced.expr.copy())
        return Traced(copy, self.model, line_of(projection))

    def _column(self, column: exp.Column, projection) -> Traced:
        name = column.name.lower()
        qualifier = column.table.lower() if column.table else ""
        if isinstance(column.this, exp.Star):
            return Traced(exp.column(name or "*", table=UNKNOWN), self.model, line_of(column))
        if qualifier:
            row = self.by_alias.get(qualifier)
            found = row.get(name) if row is not None else None
        else:
            found = self._unqualified(name, projection)
        if found is None:
            self.ev.problem(self.model, line_of(column) or line_of(projection),
                            f"cannot tell where column `{column.sql()}` comes from")
            return Traced(exp.column(name, table=UNKNOWN), self.model, line_of(column))
        return found

    def _unqualified(self, name, projection):
        known = [row for _, row in self.choice if row.names() is not None and name in row.names()]
        unknown = [row for _, row in self.choice if row.names() is None]
        for row in known + unknown:
            found = row.get(name)
            if found is not None:
                return found
        # Snowflake and DuckDB let a projection use an earlier one's alias.
        for earlier in self.select.expressions:
            if earlier is projection:
                break
            if isinstance(earlier, exp.Alias) and earlier.alias.lower() == name:
                return self._value(earlier)
        return None


class SetRow(Row):
    """A row of one branch of a UNION, its columns named by the first branch, by position."""

    def __init__(self, row: Row, names: list | None):
        self.row = row
        self._names = names

    def names(self):
        return self._names

    def get(self, name):
        inner = self.row.names()
        if self._names is not None and inner is not None and name in self._names:
            index = self._names.index(name)
            return self.row.get(inner[index]) if index < len(inner) else None
        return self.row.get(name)


def _star_of(projection):
    """'' for `*`, the alias for `t.*`, None when the projection is not a star."""
    if isinstance(projection, exp.Star):
        return ""
    if isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
        return projection.table.lower()
    return None


def _inside_subquery(node, root) -> bool:
    parent = node.parent
    while parent is not None and parent is not root:
        if isinstance(parent, (exp.Subquery, exp.Select)):
            return True
        parent = parent.parent
    return False


class Evaluator:
    """Evaluates models' output columns over the compiled SQL of a project.

    sql: {model: compiled SQL}; inline: the models whose SQL is followed
    (stages and other view-like models; vault tables are leaves, since their
    SQL describes an increment, not the table); resolve: (model, exp.Table)
    -> node name; columns: {node: [column names]} where known (seeds,
    sources, vault tables).
    """

    def __init__(self, sql: dict, dialect: str, inline, resolve, columns: dict | None = None):
        self.sql = sql
        self.dialect = dialect
        self.inline = set(inline)
        self.resolve = resolve
        self.columns = columns or {}
        self.parsed = {}
        self.problems = {}  # model -> {(line, message)}
        self.used = set()  # id() of SELECTs a traced value came through
        self._rows = {}
        self._model_rows = {}
        self._stack = []

    def problem(self, model: str, line: int, message: str) -> None:
        self.problems.setdefault(model, set()).add((line, message))

    def parse(self, model: str) -> Parsed | None:
        if model not in self.sql:
            return None
        if model not in self.parsed:
            self.parsed[model] = parse_model(model, self.sql[model], self.dialect)
        return self.parsed[model]

    def rows(self, model: str) -> list | None:
        """The model's output rows (None when it has no SQL or cannot be parsed)."""
        if model in self._model_rows:
            return self._model_rows[model]
        parsed = self.parse(model)
        if parsed is None or parsed.query is None:
            return None
        if model in self._stack:
            self.problem(model, 0, "its SQL reads itself through other models (a cycle)")
            return [BaseRow(model, self.columns.get(model))]
        self._stack.append(model)
        try:
            env = self._env(parsed.tree, {}) if isinstance(parsed.tree, exp.Insert) else {}
            rows = self._query_rows(model, parsed.query, env)
            if parsed.insert_columns is not None:
                rows = [_InsertRow(row, parsed.insert_columns, model, _first_select(parsed.query)) for row in rows]
        finally:
            self._stack.pop()
        self._model_rows[model] = rows
        return rows

    def outputs(self, model: str) -> list | None:
        rows = self.rows(model)
        return rows[0].names() if rows else None

    def _env(self, query, env):
        with_ = _with(query)
        if with_ is None:
            return env
        env = dict(env)
        for cte in with_.expressions:
            env[cte.alias_or_name.lower()] = (cte.this, env)
        return env

    def _query_rows(self, model, query, env) -> list:
        key = id(query)
        if key in self._rows:
            return self._rows[key]
        self._rows[key] = [BaseRow(UNKNOWN, None)]  # guards recursive CTEs
        env = self._env(query, env)
        if isinstance(query, exp.Subquery):
            rows = self._query_rows(model, query.this, env)
        elif isinstance(query, exp.SetOperation):
            left = self._query_rows(model, query.this, env)
            rows = list(left)
            if isinstance(query, exp.Union):
                names = left[0].names() if left else None
                rows += [SetRow(row, names) for row in self._query_rows(model, query.expression, env)]
        elif isinstance(query, exp.Select):
            rows = self._select_rows(model, query, env)
        else:
            self.problem(model, line_of(query), f"cannot analyse a {type(query).__name__.upper()} here")
            rows = [BaseRow(UNKNOWN, None)]
        self._rows[key] = rows
        return rows

    def _select_rows(self, model, select, env) -> list:
        choices = []
        for item in query_sources(select):
            alias = item.alias_or_name.lower()
            choices.append([(alias, row) for row in self._source_rows(model, item, env)])
        if not choices:
            return [SelectRow(self, model, select, [])]
        count = 1
        for options in choices:
            count *= len(options)
        if count > MAX_ROWS:
            self.problem(model, line_of(select), f"a join of unions gives {count} row sources; only the first {MAX_ROWS} are analysed")
        return [SelectRow(self, model, select, list(combo))
                for combo in itertools.islice(itertools.product(*choices), MAX_ROWS)]

    def _source_rows(self, model, item, env) -> list:
        if isinstance(item, exp.Table):
            name = item.name.lower()
            if not item.db and name in env:
                query, defined_in = env[name]
                return self._query_rows(model, query, defined_in)
            node = self.resolve(model, item)
            if node != model and node in self.inline and node in self.sql:
                rows = self.rows(node)
                if rows is not None:
                    return rows
            return [BaseRow(node, self.columns.get(node))]
        if isinstance(item, exp.Subquery):
            return self._query_rows(model, item.this, env)
        self.problem(model, line_of(item), f"cannot analyse a {type(item).__name__.upper()} in FROM")
        return [BaseRow(UNKNOWN, None)]


class _InsertRow(Row):
    """INSERT INTO t (a, b) SELECT ...: the target's column names, by position."""

    def __init__(self, row: Row, columns: list, model: str, select):
        self.row = row
        self.columns = columns
        self.model = model
        self.projections = select.expressions if isinstance(select, exp.Select) else []

    def names(self):
        return self.columns

    def get(self, name):
        if name not in self.columns:
            return None
        inner = self.row.names()
        index = self.columns.index(name)
        if inner is None or index >= len(inner):
            return None
        traced = self.row.get(inner[index])
        if traced is not None and inner[index] != name and index < len(self.projections):
            # Renamed by the INSERT's column list: this is where the value becomes the column.
            return Traced(traced.expr, self.model, line_of(self.projections[index]))
        return traced


def _first_select(query):
    while isinstance(query, exp.SetOperation):
        query = query.this
    return query
