{#-
    AutomateDV's cast_datetime has no default__ body, and the Snowflake
    TO_TIMESTAMP_* functions do not exist on DuckDB. The public
    automate_dv.cast_datetime has already quoted column_str when as_string is
    true, so this body only chooses the type: TIMESTAMPTZ for
    date_type='timestamp_tz' (Snowflake's TIMESTAMP_TZ), TIMESTAMP otherwise.
-#}
{%- macro duckdb__cast_datetime(column_str, as_string=false, alias=none, date_type=none) -%}
    {%- if (date_type | string | lower) == 'timestamp_tz' -%}
        CAST({{ column_str }} AS TIMESTAMPTZ)
    {%- else -%}
        CAST({{ column_str }} AS TIMESTAMP)
    {%- endif -%}
    {%- if alias %} AS {{ alias }} {%- endif -%}
{%- endmacro -%}
