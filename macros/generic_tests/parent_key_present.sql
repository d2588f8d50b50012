{#-
    Sat, ma_sat, eff_sat: every parent key is not NULL and is a hash key of
    the parent hub or link (whose hash key column has the same name, as
    AutomateDV's src_pk does). Ghost rows are skipped. One pass over this
    table, one LEFT JOIN; only failing rows are grouped.
-#}
{%- test parent_key_present(model, parent=none, parent_hash_key=none) -%}
    {%- set example = 'arguments: {parent: hub_customer, parent_hash_key: customer_hk}' -%}
    {%- set parent_hash_key = dv_spec._check_column('parent_key_present', 'parent_hash_key', parent_hash_key, example) -%}
    {%- set parent_relation = dv_spec._as_relation('parent_key_present', 'parent', parent, example) -%}
    {{ return(adapter.dispatch('test_parent_key_present', 'dv_spec')(model, parent_relation, parent_hash_key)) }}
{%- endtest -%}

{%- macro default__test_parent_key_present(model, parent_relation, parent_hash_key) -%}
WITH child_rows AS (
    SELECT {{ parent_hash_key }}
    FROM {{ model }}
    WHERE {{ dv_spec._not_ghost(parent_hash_key) }}
)
SELECT
    c.{{ parent_hash_key }},
    COUNT(*) AS n_rows
FROM child_rows AS c
LEFT JOIN {{ parent_relation }} AS p
    ON c.{{ parent_hash_key }} = p.{{ parent_hash_key }}
WHERE p.{{ parent_hash_key }} IS NULL
GROUP BY c.{{ parent_hash_key }}
{%- endmacro -%}
