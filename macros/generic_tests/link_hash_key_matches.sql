{#-
    Link, nh_link: every hash key equals the hash of its hubs' business keys
    in the declared order, recomputed from the vault alone: each foreign key
    is joined to its hub, and the hubs' business keys are hashed with
    dv_spec.hash_expression (as AutomateDV hashes the staged business keys).
    Catches hubs hashed in another order, a missing business key, and
    normalisation that differs from the hubs'. dependent_keys (the design's
    link dependent keys: a line number, a transaction id) are the link's own
    columns, hashed after the hubs' keys. Rows whose foreign keys are orphans
    cannot be recomputed and are left to link_foreign_keys_present.
-#}
{%- test link_hash_key_matches(model, hash_key=none, hubs=none, dependent_keys=none) -%}
    {%- set example = 'arguments: {hash_key: order_line_hk, hubs: [...], dependent_keys: [line_number]}' -%}
    {%- set hash_key = dv_spec._check_column('link_hash_key_matches', 'hash_key', hash_key, example) -%}
    {%- set references = dv_spec._hub_references('link_hash_key_matches', hubs, true) -%}
    {%- set dependent_keys = dv_spec._check_columns('link_hash_key_matches', 'dependent_keys', dependent_keys, example)
        if dependent_keys is not none else [] -%}
    {{ return(adapter.dispatch('test_link_hash_key_matches', 'dv_spec')(model, hash_key, references, dependent_keys)) }}
{%- endtest -%}

{%- macro default__test_link_hash_key_matches(model, hash_key, references, dependent_keys) -%}
{%- set link_columns = ([hash_key] + (references | map(attribute='foreign_key') | list) + dependent_keys) | unique | list -%}
{%- set hub_business_keys = [] -%}
{%- for ref_ in references -%}
    {%- for column in ref_.business_keys -%}
        {%- do hub_business_keys.append(ref_.alias ~ '.' ~ column) -%}
    {%- endfor -%}
{%- endfor -%}
{%- for column in dependent_keys -%}
    {%- do hub_business_keys.append('l.' ~ column) -%}
{%- endfor -%}
WITH link_rows AS (
    SELECT {{ link_columns | join(', ') }}
    FROM {{ model }}
    WHERE {{ dv_spec._not_ghost(hash_key) }}
)
SELECT
    actual_hash_key,
    expected_hash_key
FROM (
    SELECT
        l.{{ hash_key }} AS actual_hash_key,
        {{ dv_spec.hash_expression(hub_business_keys) }} AS expected_hash_key
    FROM link_rows AS l
    {%- for ref_ in references %}
    INNER JOIN {{ ref_.relation }} AS {{ ref_.alias }}
        ON l.{{ ref_.foreign_key }} = {{ ref_.alias }}.{{ ref_.hash_key }}
    {%- endfor %}
) AS recomputed
WHERE actual_hash_key IS DISTINCT FROM expected_hash_key
{%- endmacro -%}
