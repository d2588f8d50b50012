{#-
    unloaded_rows(source_model, target, hash_key, load_datetime): the rows of
    `source_model` (a stage) that `target` has not loaded yet: those whose
    load datetime is later than the latest one `target` holds for the same
    key. Scaffolding puts it in an ephemeral model in front of AutomateDV's
    ma_sat and eff_sat, which (unlike sat with apply_source_filter) re-insert
    older loads when a stage holds several loads per key and the model runs
    again. `target` is looked up in the graph rather than ref()'d, so the
    DAG has no cycle; on the first run and on --full-refresh every row passes.
-#}
{%- macro unloaded_rows(source_model, target, hash_key, load_datetime) -%}
    {%- for name, value in [("source_model", source_model), ("target", target), ("hash_key", hash_key), ("load_datetime", load_datetime)] -%}
        {%- if value is not string or not value -%}
            {{ exceptions.raise_compiler_error("unloaded_rows: `" ~ name ~ "` must be a model or column name, e.g. unloaded_rows(source_model='stg_addresses', target='ma_sat_address', hash_key='customer_hk', load_datetime='load_datetime'); got " ~ value) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('unloaded_rows', 'dv_spec')(source_model, target, hash_key, load_datetime)) }}
{%- endmacro -%}

{%- macro default__unloaded_rows(source_model, target, hash_key, load_datetime) -%}
{%- set found = namespace(relation=none) -%}
{%- if execute and not flags.FULL_REFRESH -%}
    {%- for node in graph.nodes.values() if node.resource_type == "model" and node.name == target -%}
        {%- set found.relation = adapter.get_relation(database=node.database, schema=node.schema,
                                                      identifier=node.alias or node.name) -%}
    {%- endfor -%}
{%- endif -%}
SELECT staged.*
FROM {{ ref(source_model) }} AS staged
{%- if found.relation is not none %}
WHERE NOT EXISTS (
    SELECT 1
    FROM {{ found.relation }} AS loaded
    WHERE loaded.{{ hash_key }} = staged.{{ hash_key }}
      AND loaded.{{ load_datetime }} >= staged.{{ load_datetime }}
)
{%- endif %}
{%- endmacro -%}
