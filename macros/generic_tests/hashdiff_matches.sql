{#-
    Sat, ma_sat: every hashdiff equals dv_spec.hash_expression(payload,
    is_hashdiff=true): the payload columns sorted alphabetically (as
    AutomateDV sorts them), each normalised, NULL as the placeholder,
    joined with the concat string. For an ma_sat, list the columns exactly as
    the stage hashes them (usually the multi-active keys plus the payload).
    Ghost rows (zero hashdiff) are skipped.
-#}
{%- test hashdiff_matches(model, hashdiff=none, payload=none) -%}
    {%- set example = 'arguments: {hashdiff: customer_hashdiff, payload: [name, email, date_of_birth]}' -%}
    {%- set hashdiff = dv_spec._check_column('hashdiff_matches', 'hashdiff', hashdiff, example) -%}
    {%- if payload is string -%}
        {%- set payload = dv_spec._check_column('hashdiff_matches', 'payload', payload, example) -%}
    {%- else -%}
        {%- set payload = dv_spec._check_columns('hashdiff_matches', 'payload', payload, example) -%}
    {%- endif -%}
    {{ return(adapter.dispatch('test_hashdiff_matches', 'dv_spec')(model, hashdiff, payload)) }}
{%- endtest -%}

{%- macro default__test_hashdiff_matches(model, hashdiff, payload) -%}
SELECT
    actual_hashdiff,
    expected_hashdiff
FROM (
    SELECT
        {{ hashdiff }} AS actual_hashdiff,
        {{ dv_spec.hash_expression(payload, is_hashdiff=true) }} AS expected_hashdiff
    FROM {{ model }}
    WHERE {{ dv_spec._not_ghost(hashdiff) }}
) AS recomputed
WHERE actual_hashdiff IS DISTINCT FROM expected_hashdiff
{%- endmacro -%}
