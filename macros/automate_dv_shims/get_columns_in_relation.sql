{#-
    A dbt (not AutomateDV) macro: the columns of a relation, which
    AutomateDV's stage (include_source_columns), payload excludes and ghost
    records read from the database.

    Only on the fakesnow emulator (target.account == 'fakesnow'): its
    DESCRIBE TABLE first checks the relation exists in DuckDB (names matched
    without regard to case), then reads the columns from its information
    schema with a case-sensitive match on the names as DuckDB stored them.
    When the two differ (a schema called MAIN is DuckDB's own `main`; a name
    created quoted in another case) it answers zero rows instead of an error,
    and AutomateDV silently generates a stage without the source columns.
    A table always has columns, so zero is refused here with the reason,
    for relations named with their schema. Not for the unqualified temporary
    tables of make_temp_relation (they live in DuckDB's temp catalog, which
    fakesnow's DESCRIBE does not look in: zero columns there too); dbt only
    reads those to widen the target's column types, which the emulator needs
    not, and takes the columns it merges from the target table.
    Everywhere else, and on fakesnow when columns are found, this returns
    what dbt itself would: dbt-snowflake's snowflake__get_columns_in_relation.

    dbt looks this up in the `dbt` macro namespace, so it applies only to
    projects that list dv_spec in that namespace's search order (as for
    make_temp_relation).
-#}
{%- macro snowflake__get_columns_in_relation(relation) -%}
    {%- set native = dbt.get('snowflake__get_columns_in_relation') or dbt.default__get_columns_in_relation -%}
    {%- set columns = native(relation) -%}
    {%- if target.account == 'fakesnow' and execute and columns | length == 0 and relation.include_policy.schema -%}
        {%- do exceptions.raise_compiler_error(
            "fakesnow emulator: DESCRIBE TABLE " ~ relation.render() ~ " found the relation but no columns: "
            ~ "fakesnow matches database, schema and table names case-sensitively against the names DuckDB stored "
            ~ "(a schema called MAIN is DuckDB's own 'main'; a name created quoted in another case). "
            ~ "Use another schema name, and unquoted names, on the emulator (docs/automate-dv-on-duckdb.md).") -%}
    {%- endif -%}
    {%- do return(columns) -%}
{%- endmacro -%}
