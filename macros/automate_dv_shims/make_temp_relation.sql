{#-
    A dbt (not AutomateDV) macro: the temporary relation an incremental
    model, and AutomateDV's pit_incremental and bridge_incremental
    materialisations, build into before inserting.

    Only on the fakesnow emulator (target.account == 'fakesnow'): it refuses
    a temporary table named database.schema.identifier ("TEMPORARY table
    names can *only* use the temp catalog"), so every incremental run after
    the first failed there; the relation is left unqualified.
    Everywhere else this returns what dbt itself would: dbt-snowflake's own
    snowflake__make_temp_relation if it has one, else dbt's default__.

    dbt looks this up in the `dbt` macro namespace, so it applies only to
    projects that list dv_spec in that namespace's search order:
        dispatch:
          - macro_namespace: dbt
            search_order: [<your project>, dv_spec, dbt]
-#}
{%- macro snowflake__make_temp_relation(base_relation, suffix) -%}
    {%- if target.account == 'fakesnow' -%}
        {%- set temp_relation = base_relation.incorporate(
                path={"identifier": base_relation.identifier ~ suffix},
                include_policy={"database": false, "schema": false}) -%}
        {%- do return(temp_relation) -%}
    {%- endif -%}
    {%- set native = dbt.get('snowflake__make_temp_relation') or dbt.default__make_temp_relation -%}
    {%- do return(native(base_relation, suffix)) -%}
{%- endmacro -%}
