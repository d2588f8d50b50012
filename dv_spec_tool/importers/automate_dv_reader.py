"""Read the `automate_dv.<macro>(...)` call of each dbt model, without dbt.

A model's Jinja is parsed with jinja2's own parser (`Environment().parse`),
and the call's arguments are evaluated from the template's static parts
only: literals, lists and mappings; names set earlier in the file (`{% set
x = ... %}`); `{% set x %}...{% endset %}` blocks, rendered as dbt would
(their `{{ ... }}` parts evaluated the same way); `fromyaml(...)` of those;
`var('name')` / `var('name', default)` from the project's vars; and
`metadata['key']` / `metadata.get('key')` lookups. That covers AutomateDV's
three metadata styles (a YAML block with `fromyaml`, a `fromyaml` string,
and keyword arguments). The older name, `dbtvault.<macro>(...)`, is read
the same way. Anything dynamic (a var the project does not set, a loop, a
condition, a filter, a macro call) makes the model unreadable, and the
reason says which line and what.

A stage call may sit inside a CTE that the model then selects from with
`SELECT *, <expression> AS <column> ... FROM <that CTE>`: those extra
columns are derived columns of the stage too (`wrapper_columns`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import jinja2
from jinja2 import nodes

from dv_spec_tool.core.yamlpos import YamlError, load_yaml

MACROS = {  # AutomateDV 0.11's argument order, for positional calls
    "stage": ("include_source_columns", "source_model", "hashed_columns", "derived_columns", "null_columns",
              "ranked_columns"),
    "hub": ("src_pk", "src_nk", "src_extra_columns", "src_ldts", "src_source", "source_model"),
    "link": ("src_pk", "src_fk", "src_extra_columns", "src_ldts", "src_source", "source_model"),
    "sat": ("src_pk", "src_hashdiff", "src_payload", "src_extra_columns", "src_eff", "src_ldts", "src_source",
            "source_model"),
    "eff_sat": ("src_pk", "src_dfk", "src_sfk", "src_extra_columns", "src_start_date", "src_end_date", "src_eff",
                "src_ldts", "src_source", "source_model"),
    "ma_sat": ("src_pk", "src_cdk", "src_hashdiff", "src_payload", "src_extra_columns", "src_eff", "src_ldts",
               "src_source", "source_model"),
    "nh_link": ("src_pk", "src_fk", "src_payload", "src_extra_columns", "src_eff", "src_ldts", "src_source",
                "source_model"),
    "t_link": ("src_pk", "src_fk", "src_payload", "src_extra_columns", "src_eff", "src_ldts", "src_source",
               "source_model"),
    "pit": ("src_pk", "src_extra_columns", "as_of_dates_table", "satellites", "stage_tables_ldts", "src_ldts",
            "source_model"),
    "bridge": ("src_pk", "src_extra_columns", "as_of_dates_table", "bridge_walk", "stage_tables_ldts", "src_ldts",
               "source_model"),
    "ref_table": ("src_pk", "src_extra_columns", "src_ldts", "src_source", "source_model"),
    "xts": ("src_pk", "src_satellite", "src_extra_columns", "src_ldts", "src_source", "source_model"),
}
# dv-spec's own pass-throughs in front of an ma_sat or eff_sat (macros/supporting/unloaded_rows.sql,
# effectivity_changes.sql): they filter rows (and date changes), the design stays that of the stage they read.
PASS_THROUGH = {"unloaded_rows": ("source_model", "target", "hash_key", "load_datetime"),
                "effectivity_changes": ("source_model", "target", "link_hash_key", "driving_keys", "columns",
                                        "effective_from", "start_date", "end_date", "load_datetime")}
# AutomateDV's eff_sat closes relationships itself when the model's config meta says so.
_AUTO_END_DATING = re.compile(r"""['"]?is_auto_end_dating['"]?\s*[:=]\s*true\b""", re.I)
NAMESPACES = ("automate_dv", "dbtvault")  # dbtvault: AutomateDV's name before 0.9.6


class Unreadable(Exception):
    """A part of the template that cannot be known without running dbt."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class ModelCall:
    """One model's AutomateDV call: the macro and its evaluated arguments, or why it cannot be read."""

    name: str  # the model name (file name without .sql)
    path: str  # relative to the project
    macro: str = ""  # stage, hub, link, ... ("" when the model calls no AutomateDV macro)
    args: dict = field(default_factory=dict)
    line: int = 0
    error: str = ""  # why it cannot be read ("" when it can)
    notes: list = field(default_factory=list)
    namespace: str = "automate_dv"  # or dbtvault
    wrapper_columns: dict = field(default_factory=dict)  # a stage's `SELECT *, expr AS column` around the call
    auto_end_dating: bool = False  # config meta is_auto_end_dating: true (AutomateDV's eff_sat)


_ENV = jinja2.Environment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])


def read_model(name: str, path: str, text: str, variables: dict | None = None) -> ModelCall:
    """The AutomateDV call in one model's SQL text; `variables` are the project's vars (for `var()`)."""
    call = ModelCall(name=name, path=path, auto_end_dating=bool(_AUTO_END_DATING.search(text)))
    try:
        template = _ENV.parse(text)
        found = [(node, inside) for node, inside in _calls(template, ()) if _macro_of(node)]
    except jinja2.TemplateSyntaxError as exc:
        call.error, call.line = f"Jinja syntax error: {exc.message}", exc.lineno or 0
        return call
    except RecursionError:  # Jinja's parser and our walk recurse once per level of nesting
        call.error, call.line = "its Jinja is nested too deeply to read", 1
        return call
    if not found:
        return call
    if len(found) > 1:
        call.macro, call.line = _macro_of(found[0][0]), found[0][0].lineno
        call.error = f"calls AutomateDV {len(found)} times (lines {', '.join(str(n.lineno) for n, _ in found)}); one call per model is read"
        return call
    node, inside = found[0]
    call.macro, call.line = _macro_of(node), node.lineno
    call.namespace = node.node.node.name
    if inside:
        call.error = f"the automate_dv.{call.macro} call (line {node.lineno}) sits inside {inside[-1]}"
        return call
    scope = _scope(template)
    scope["__vars__"] = variables or {}
    scope["__kept__"] = []  # (line, Jinja) parts of set blocks kept as written
    for value in scope.values():
        if isinstance(value, _Block):
            value.written = _block_outputs(text, value.node)
    try:
        names = MACROS.get(call.macro) or PASS_THROUGH.get(call.macro, ())
        if len(node.args) > len(names):
            raise Unreadable(f"automate_dv.{call.macro} takes {len(names)} arguments, {len(node.args)} given", node.lineno)
        for position, argument in enumerate(node.args):
            call.args[names[position]] = _argument(call.macro, names[position], argument, scope)
        if node.args:
            call.notes.append(f"positional arguments read in AutomateDV 0.11's order ({', '.join(names[:len(node.args)])})"
                              + (": dbtvault's order may differ" if call.namespace == "dbtvault" else ""))
        for keyword in node.kwargs:
            call.args[keyword.key] = _argument(call.macro, keyword.key, keyword.value, scope)
        if node.dyn_kwargs is not None:  # automate_dv.hub(**metadata_dict)
            extra = _evaluate(node.dyn_kwargs, scope)
            if not isinstance(extra, dict):
                raise Unreadable("passes **kwargs of something that is not a mapping", node.lineno)
            call.args.update({str(k): v for k, v in extra.items()})
        if node.dyn_args is not None:
            raise Unreadable("passes *args", node.lineno)
    except Unreadable as exc:
        call.error, call.line = exc.message, exc.line or node.lineno
        return call
    if scope["__kept__"]:
        where = [path for path in _text_paths(call.args) if path[0] != "derived_columns" or len(path) != 2]
        if where:  # only a derived column's value may hold it: the importer then asks for that value
            jinja = scope["__kept__"][0][1]
            call.error = f"`{jinja}` needs dbt to render, and it sits in {'.'.join(map(str, where[0]))}"
            call.line = scope["__kept__"][0][0]
            return call
    if call.macro == "stage":
        try:
            call.wrapper_columns = _wrapper_columns(template, node, scope)
        except Unreadable as exc:
            call.notes.append(f"{exc.message}; columns it adds around the stage are not read")
    return call


# Arguments AutomateDV tests with `is_something` (`obj is defined and obj`): a name the model never sets is
# undefined in dbt's Jinja, the same as none (`null_columns=null_columns` with no `set null_columns`).
_UNDEFINED_IS_NONE = {"stage": ("hashed_columns", "derived_columns", "null_columns", "ranked_columns")}


def _argument(macro: str, name: str, node, scope: dict):
    """A call argument's value; an unset name where AutomateDV takes undefined as none is none."""
    if (isinstance(node, nodes.Name) and node.name not in scope and name in _UNDEFINED_IS_NONE.get(macro, ())
            and node.name not in ("true", "True", "false", "False")):
        return None
    return _evaluate(node, scope)


_PLACEHOLDER = "__dv_spec_stage_call__"


def _wrapper_columns(template, call_node, scope) -> dict:
    """{column: SQL} a model adds around its stage call with `SELECT *, expr AS column FROM (the call)`."""
    parts = []
    for node in template.body:
        if not isinstance(node, nodes.Output):
            continue
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                parts.append(child.data)
            elif child is call_node:
                parts.append(f"SELECT * FROM {_PLACEHOLDER}")
            elif isinstance(child, nodes.Call) and isinstance(child.node, nodes.Name) and child.node.name == "config":
                continue
            else:
                parts.append(str(_evaluate(child, scope)))
    text = "".join(parts).strip().rstrip(";")
    if re.fullmatch(rf"SELECT \* FROM {_PLACEHOLDER}", text):
        return {}
    # sqlglot loads in about 50 ms; validate pays it only for a project with AutomateDV models to read
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(text)
    except sqlglot.errors.ParseError:
        raise Unreadable("the stage call is wrapped in SQL that could not be parsed", call_node.lineno) from None
    if not isinstance(tree, exp.Select) or not any(isinstance(p, exp.Star) for p in tree.expressions) \
            or tree.args.get("where") or tree.args.get("group") or tree.args.get("joins"):
        raise Unreadable("the stage call is wrapped in SQL other than `SELECT *, expression AS column ... FROM` it",
                         call_node.lineno)
    extra = {}
    for projection in tree.expressions:
        if isinstance(projection, exp.Star):
            continue
        if not isinstance(projection, exp.Alias):
            raise Unreadable(f"the SELECT around the stage call adds `{projection.sql()}` without a column name",
                             call_node.lineno)
        extra[projection.alias] = projection.this.sql()
    return extra


def _macro_of(node) -> str:
    target = node.node
    if isinstance(target, nodes.Getattr) and isinstance(target.node, nodes.Name):
        if target.node.name in NAMESPACES or (target.node.name == "dv_spec" and target.attr in PASS_THROUGH):
            return target.attr
    return ""


def _calls(node, inside: tuple):
    """Every Call node with the blocks (`a for loop`, `an if`, ...) it sits in."""
    for child in node.iter_child_nodes():
        here = inside
        if isinstance(node, nodes.For) and child in node.body + node.else_:
            here = inside + (f"a for loop (line {node.lineno})",)
        elif isinstance(node, nodes.If) and child in node.body + node.elif_ + node.else_:
            here = inside + (f"an if block (line {node.lineno})",)
        elif isinstance(node, (nodes.Macro, nodes.CallBlock)) and child in node.body:
            here = inside + (f"a macro or call block (line {node.lineno})",)
        if isinstance(child, nodes.Call):
            yield child, here
        yield from _calls(child, here)


def _scope(template) -> dict:
    """Names set at the top level of the template: their node, or an Unreadable for the ones that cannot be known."""
    scope = {}
    for node in template.body:
        if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
            scope[node.target.name] = node.node
        elif isinstance(node, nodes.AssignBlock) and isinstance(node.target, nodes.Name):
            if node.filter is None and all(isinstance(o, nodes.Output) for o in node.body):
                scope[node.target.name] = _Block(node)
            else:
                scope[node.target.name] = Unreadable(f"`{node.target.name}` is set by a block with Jinja statements "
                                                     "inside it", node.lineno)
        elif isinstance(node, (nodes.If, nodes.For)):
            for inner in node.find_all((nodes.Assign, nodes.AssignBlock)):
                if isinstance(inner.target, nodes.Name):
                    kind = "an if block" if isinstance(node, nodes.If) else "a for loop"
                    scope[inner.target.name] = Unreadable(f"`{inner.target.name}` is set inside {kind} (line {node.lineno})",
                                                          inner.lineno)
    return scope


@dataclass
class _Block:
    """A `{% set x %}...{% endset %}` block: its text, with its `{{ ... }}` parts evaluated when read.

    A part that needs dbt (`run_started_at`, a macro call) is kept as written (`written`: the block's `{{ ... }}`
    parts in order), so one dynamic value leaves the rest of a YAML metadata block readable. Only a derived
    column's value may hold it: the importer takes it as an expression dbt renders when the stage compiles
    (a load datetime, a record source), and nothing else that holds `{{`.
    """

    node: object
    written: list = field(default_factory=list)


def _text_paths(value, path=()) -> list:
    """The paths of the strings in a value that hold Jinja kept as written."""
    if isinstance(value, str):
        return [path] if "{{" in value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _text_paths(v, path + (k,))] + \
            [path + (k,) for k in value if isinstance(k, str) and "{{" in k]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _text_paths(v, path + (i,))]
    return []


def _block_outputs(text: str, node) -> list:
    """The `{{ ... }}` parts of a set block as written in the model, in order."""
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[:max(node.lineno - 1, 0)])
    opening = re.compile(r"\{%-?\s*set\s+" + re.escape(node.target.name) + r"\s*-?%\}").search(text, start)
    closing = re.compile(r"\{%-?\s*endset\s*-?%\}").search(text, opening.end()) if opening else None
    if not opening or not closing:
        return []
    return re.findall(r"\{\{.*?\}\}", text[opening.end():closing.start()], re.S)


def _render_block(block: _Block, scope: dict, depth: int) -> str:
    parts, index = [], 0
    for output in block.node.body:
        for child in output.nodes:
            if isinstance(child, nodes.TemplateData):
                parts.append(child.data)
                continue
            try:
                parts.append(_text(_evaluate(child, scope, depth + 1)))
            except Unreadable:
                if index >= len(block.written) or "{{" not in block.written[index]:
                    raise
                parts.append(block.written[index])
                scope.setdefault("__kept__", []).append((getattr(child, "lineno", block.node.lineno), block.written[index]))
            index += 1
    return "".join(parts)


def _evaluate(node, scope: dict, depth: int = 0):
    if depth > 50:
        raise Unreadable("nests values more than 50 levels deep, or its names refer to each other in a cycle",
                         getattr(node, "lineno", 0))
    if isinstance(node, Unreadable):
        raise node
    if isinstance(node, _Block):
        return _render_block(node, scope, depth)
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, (nodes.List, nodes.Tuple)):
        return [_evaluate(item, scope, depth + 1) for item in node.items]
    if isinstance(node, nodes.Dict):
        return {_evaluate(pair.key, scope, depth + 1): _evaluate(pair.value, scope, depth + 1) for pair in node.items}
    if isinstance(node, nodes.Name):
        if node.name in ("none", "None"):
            return None
        if node.name in ("true", "True", "false", "False"):
            return node.name.lower() == "true"
        if node.name not in scope:
            raise Unreadable(f"uses `{node.name}`, which is not set in this file", node.lineno)
        return _evaluate(scope[node.name], scope, depth + 1)
    if isinstance(node, nodes.Getitem):
        container = _evaluate(node.node, scope, depth + 1)
        key = _evaluate(node.arg, scope, depth + 1)
        return container.get(key) if isinstance(container, dict) else _index(container, key, node)
    if isinstance(node, nodes.Getattr):
        container = _evaluate(node.node, scope, depth + 1)
        if isinstance(container, dict):
            return container.get(node.attr)
        raise Unreadable(f"reads `.{node.attr}` of something that is not a mapping", node.lineno)
    if isinstance(node, nodes.Concat):
        return "".join(str(_evaluate(part, scope, depth + 1)) for part in node.nodes)
    if isinstance(node, nodes.Call):
        return _call(node, scope, depth)
    raise Unreadable(f"uses a Jinja {type(node).__name__.lower()} expression, which needs dbt to evaluate",
                     getattr(node, "lineno", 0))


def _text(value) -> str:
    """A value as Jinja renders it into text."""
    return "" if value is None else str(value)


def _index(container, key, node):
    if isinstance(container, list) and isinstance(key, int) and -len(container) <= key < len(container):
        return container[key]
    raise Unreadable(f"indexes something that is not a mapping or list with {key!r}", node.lineno)


def _call(node, scope: dict, depth: int):
    target = node.node
    if isinstance(target, nodes.Name) and target.name == "fromyaml" and len(node.args) == 1:
        text = _evaluate(node.args[0], scope, depth + 1)
        if not isinstance(text, str):
            raise Unreadable("fromyaml() of something that is not text", node.lineno)
        try:
            return load_yaml(text).data
        except YamlError as exc:
            raise Unreadable(f"fromyaml() of unreadable YAML (line {exc.line} of it): {exc.message}", node.lineno) from None
    if isinstance(target, nodes.Name) and target.name == "var" and 1 <= len(node.args) <= 2 and not node.kwargs:
        name = _evaluate(node.args[0], scope, depth + 1)
        variables = scope.get("__vars__") or {}
        if isinstance(name, str) and name in variables:
            return variables[name]
        if len(node.args) == 2:
            return _evaluate(node.args[1], scope, depth + 1)
        raise Unreadable(f"calls var({name!r}), which the project's dbt_project.yml does not set", node.lineno)
    if isinstance(target, nodes.Getattr) and target.attr == "get" and 1 <= len(node.args) <= 2:
        container = _evaluate(target.node, scope, depth + 1)
        if isinstance(container, dict):
            key = _evaluate(node.args[0], scope, depth + 1)
            default = _evaluate(node.args[1], scope, depth + 1) if len(node.args) == 2 else None
            return container.get(key, default)
    if isinstance(target, nodes.Name):
        shown = ", ".join(repr(a.value) if isinstance(a, nodes.Const) else "..." for a in node.args)
        raise Unreadable(f"calls {target.name}({shown}), which needs dbt to evaluate", node.lineno)
    raise Unreadable("calls a macro or method, which needs dbt to evaluate", node.lineno)
