{#-
    Every vault table: the load datetime and the record source are never
    NULL. Columns default to the project's load_datetime_column and
    record_source_column settings. One filtered pass.
-#}
{%- test load_metadata_not_null(model, load_datetime=none, record_source=none) -%}
    {%- set example = 'arguments: {load_datetime: load_datetime, record_source: record_source}' -%}
    {%- set load_datetime = dv_spec._check_column('load_metadata_not_null', 'load_datetime',
        load_datetime or dv_spec._setting('load_datetime_column', 'load_datetime'), example) -%}
    {%- set record_source = dv_spec._check_column('load_metadata_not_null', 'record_source',
        record_source or dv_spec._setting('record_source_column', 'record_source'), example) -%}
    {{ return(adapter.dispatch('test_load_metadata_not_null', 'dv_spec')(model, load_datetime, record_source)) }}
{%- endtest -%}

{%- macro default__test_load_metadata_not_null(model, load_datetime, record_source) -%}
SELECT
    {{ load_datetime }},
    {{ record_source }}
FROM {{ model }}
WHERE {{ load_datetime }} IS NULL
    OR {{ record_source }} IS NULL
{%- endmacro -%}
