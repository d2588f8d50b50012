{#-
    AutomateDV's get_escape_characters has adapter bodies for Snowflake,
    BigQuery, SQL Server, Databricks and Postgres but no default__, so on
    DuckDB every stage fails with "No macro named 'get_escape_characters'".
    DuckDB quotes identifiers with double quotes, like Snowflake.
-#}
{%- macro duckdb__get_escape_characters() -%}
    {%- do return(('"', '"')) -%}
{%- endmacro -%}
