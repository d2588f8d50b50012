{#-
    The binary type AutomateDV stores hash keys and hashdiffs in.

    DuckDB: AutomateDV's default__ body says BINARY(16); DuckDB has no sized
    binary type and reports hash columns as BLOB, which ghost_for_type
    compares against when it builds ghost records (for_dbt_compare=true).

    Snowflake: production keeps AutomateDV's own body (BINARY(16) / (32) /
    (20)). Only on the fakesnow emulator (target.account == 'fakesnow'),
    which cannot CAST to a sized BINARY, the size is dropped.
-#}
{%- macro duckdb__type_binary(for_dbt_compare=false) -%}
    BLOB
{%- endmacro -%}

{%- macro snowflake__type_binary(for_dbt_compare=false) -%}
    {%- if target.account == 'fakesnow' -%}
        BINARY
    {%- else -%}
        {{- automate_dv.default__type_binary(for_dbt_compare=for_dbt_compare) -}}
    {%- endif -%}
{%- endmacro -%}
