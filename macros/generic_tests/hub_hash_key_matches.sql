{#-
    Hub: every hash key equals dv_spec.hash_expression(business_keys), i.e.
    what AutomateDV computes from the business keys with the project's hash
    settings. Catches missing trimming or upper-casing, a different cast,
    business keys hashed in another order, and a different NULL placeholder.
    business_keys as a list (the design's shape) hashes like AutomateDV's
    `HK: [col]`; a single string like `HK: col`. Ghost (zero-key) rows are
    skipped.
-#}
{%- test hub_hash_key_matches(model, hash_key=none, business_keys=none) -%}
    {%- set example = 'arguments: {hash_key: customer_hk, business_keys: [customer_id]}' -%}
    {%- set hash_key = dv_spec._check_column('hub_hash_key_matches', 'hash_key', hash_key, example) -%}
    {%- if business_keys is string -%}
        {%- set business_keys = dv_spec._check_column('hub_hash_key_matches', 'business_keys', business_keys, example) -%}
    {%- else -%}
        {%- set business_keys = dv_spec._check_columns('hub_hash_key_matches', 'business_keys', business_keys, example) -%}
    {%- endif -%}
    {{ return(adapter.dispatch('test_hub_hash_key_matches', 'dv_spec')(model, hash_key, business_keys)) }}
{%- endtest -%}

{%- macro default__test_hub_hash_key_matches(model, hash_key, business_keys) -%}
{%- set output_columns = ([business_keys] if business_keys is string else business_keys)
    + ['actual_hash_key', 'expected_hash_key'] -%}
SELECT
    {{ output_columns | join(',\n    ') }}
FROM (
    SELECT
        {{ ([business_keys] if business_keys is string else business_keys) | join(',\n        ') }},
        {{ hash_key }} AS actual_hash_key,
        {{ dv_spec.hash_expression(business_keys) }} AS expected_hash_key
    FROM {{ model }}
    WHERE {{ dv_spec._not_ghost(hash_key) }}
) AS recomputed
WHERE actual_hash_key IS DISTINCT FROM expected_hash_key
{%- endmacro -%}
