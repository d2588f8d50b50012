{#-
    Tables designed with `ghost_record: true`: exactly one ghost record, as
    AutomateDV writes it (enable_ghost_records): the zero key, record source
    = AutomateDV's system_record_value var (default AUTOMATE_DV_SYSTEM), load
    datetime on 1900-01-01, and, when `hashdiff` is given, a zero hashdiff.
    Returns one row (how many ghost rows, how many malformed) when that does
    not hold. One filtered pass.
-#}
{%- test ghost_record_present(model, hash_key=none, hashdiff=none, load_datetime=none, record_source=none) -%}
    {%- set example = 'arguments: {hash_key: customer_hk, hashdiff: customer_hashdiff}' -%}
    {%- set hash_key = dv_spec._check_column('ghost_record_present', 'hash_key', hash_key, example) -%}
    {%- if hashdiff is not none -%}
        {%- set hashdiff = dv_spec._check_column('ghost_record_present', 'hashdiff', hashdiff, example) -%}
    {%- endif -%}
    {%- set load_datetime = dv_spec._check_column('ghost_record_present', 'load_datetime',
        load_datetime or dv_spec._setting('load_datetime_column', 'load_datetime'), example) -%}
    {%- set record_source = dv_spec._check_column('ghost_record_present', 'record_source',
        record_source or dv_spec._setting('record_source_column', 'record_source'), example) -%}
    {{ return(adapter.dispatch('test_ghost_record_present', 'dv_spec')(model, hash_key, hashdiff, load_datetime, record_source)) }}
{%- endtest -%}

{%- macro default__test_ghost_record_present(model, hash_key, hashdiff, load_datetime, record_source) -%}
{%- set system_record = var('system_record_value', 'AUTOMATE_DV_SYSTEM') | replace("'", "''") -%}
SELECT
    ghost_rows,
    malformed_ghost_rows
FROM (
    SELECT
        COUNT(*) AS ghost_rows,
        COALESCE(SUM(CASE
            WHEN {{ record_source }} = '{{ system_record }}'
                AND CAST({{ load_datetime }} AS DATE) = CAST('1900-01-01' AS DATE)
                {%- if hashdiff is not none %}
                AND {{ hashdiff }} = {{ dv_spec.zero_key() }}
                {%- endif %}
            THEN 0 ELSE 1 END), 0) AS malformed_ghost_rows
    FROM {{ model }}
    WHERE {{ hash_key }} = {{ dv_spec.zero_key() }}
) AS ghosts
WHERE ghost_rows <> 1
    OR malformed_ghost_rows > 0
{%- endmacro -%}
