"""The macro runner keeps dbt's semantics under its compiler shortcuts (dv_spec_tool/core/jinja.py):
return() ends a macro wherever it stands, defaults and keyword arguments, `x.key` and `a ~ b`
as Jinja has them. No database needed."""

from __future__ import annotations

import jinja2
import pytest

from dv_spec_tool.core.jinja import MacroRunner

SOURCE = """
{%- macro first_big(values, seen) -%}
    {%- for value in values -%}
        {%- if value > 2 -%}
            {{ return(value) }}
        {%- endif -%}
        {%- do seen.append(value) -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro -%}
{%- macro statement_return(x) -%}{%- do return(x * 2) -%}{%- endmacro -%}
{%- macro rendered(name) -%}hello {{ name }}{%- endmacro -%}
{%- macro defaults(a, b="b", c=none) -%}{{ return([a, b, c]) }}{%- endmacro -%}
{%- macro calls_others() -%}
    {{ return([dv_spec.defaults(1), dv_spec.defaults(1, c=3), dv_spec.statement_return(4), dv_spec.rendered("x")]) }}
{%- endmacro -%}
{%- macro lookups(d) -%}{{ return([d.name, d.items() | list | length, d.get("missing", "-"), d.name ~ none ~ 1]) }}{%- endmacro -%}
{%- macro missing_key(d) -%}{{ return(d.nothing ~ "") }}{%- endmacro -%}
"""


@pytest.fixture(scope="module")
def runner():
    runner = MacroRunner()
    template = runner.env.from_string(SOURCE)
    context = template.new_context({})
    for _ in template.root_render_func(context):
        pass
    for name, value in context.vars.items():
        if isinstance(value, jinja2.runtime.Macro):
            runner.namespace.add(name, value)
    return runner


def test_return_ends_the_macro_where_it_stands(runner):
    seen = []
    assert runner.call("first_big", [1, 2, 3, 4], seen) == 3
    assert seen == [1, 2]
    assert runner.call("first_big", [1], []) is None


def test_return_as_a_statement_and_macros_without_return(runner):
    assert runner.call("statement_return", 5) == 10
    assert runner.call("rendered", "you") == "hello you"


def test_defaults_keywords_and_calls_between_macros(runner):
    assert runner.call("defaults", 1) == [1, "b", None]
    assert runner.call("calls_others") == [[1, "b", None], [1, "b", 3], 8, "hello x"]


def test_lookups_and_concatenation_as_jinja_has_them(runner):
    assert runner.call("lookups", {"name": "n", "items": "a key, not the method"}) == ["n", 2, "-", "nNone1"]
    with pytest.raises(Exception, match="nothing"):
        runner.call("missing_key", {"name": "n"})
