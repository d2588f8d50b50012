{#-
    AutomateDV's cast_date has adapter bodies (Snowflake's is TO_DATE) but no
    default__, so on DuckDB dispatch finds nothing and eff_sat, bridge and
    ghost records fail to compile. A plain CAST means the same on DuckDB.
-#}
{%- macro duckdb__cast_date(column_str, as_string=false, alias=none) -%}
    {%- if as_string -%}
        CAST('{{ column_str }}' AS DATE)
    {%- else -%}
        CAST({{ column_str }} AS DATE)
    {%- endif -%}
    {%- if alias %} AS {{ alias }} {%- endif -%}
{%- endmacro -%}
