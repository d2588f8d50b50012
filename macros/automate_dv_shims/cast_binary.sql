{#-
    AutomateDV casts two kinds of things to binary: hash function results
    (quote=false) and hexadecimal literals written as quoted strings
    (quote=true): the all-zero ghost key and the 'FFFFFFFF' default a
    satellite compares its first hashdiff with. Snowflake reads a string cast
    to BINARY as hex; DuckDB and the fakesnow emulator take its characters
    as bytes, so the ghost key would be 32 ASCII zeros instead of 16 zero
    bytes and never equal a real key's type or length.

    DuckDB: UNHEX('...') for literals, CAST(x AS BLOB) for expressions.
    Snowflake: AutomateDV's own body, except on the fakesnow emulator
    (target.account == 'fakesnow'), where literals go through
    TO_BINARY('...', 'HEX').
-#}
{%- macro duckdb__cast_binary(column_str, alias=none, quote=true) -%}
    {%- if quote -%}
        UNHEX('{{ column_str }}')
    {%- else -%}
        CAST({{ column_str }} AS {{ automate_dv.type_binary() }})
    {%- endif -%}
    {%- if alias %} AS {{ alias }} {%- endif -%}
{%- endmacro -%}

{%- macro snowflake__cast_binary(column_str, alias=none, quote=true) -%}
    {%- if target.account == 'fakesnow' and quote -%}
        TO_BINARY('{{ column_str }}', 'HEX')
        {%- if alias %} AS {{ alias }} {%- endif -%}
    {%- else -%}
        {{- automate_dv.default__cast_binary(column_str=column_str, alias=alias, quote=quote) -}}
    {%- endif -%}
{%- endmacro -%}
