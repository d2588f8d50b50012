{#-
    Bridge: every row's hub key is in the hub and every link key is in its
    link. One pass over the bridge, one LEFT JOIN per referenced table.

    links: one item per link of the path:
      link:        the link model (name or ref)
      foreign_key: the bridge column holding the link's key
      hash_key:    the link's hash key column (default: foreign_key)
-#}
{%- test bridge_keys_present(model, hub=none, hash_key=none, links=none) -%}
    {%- set name = 'bridge_keys_present' -%}
    {%- set example = "arguments:\n    hub: hub_customer\n    hash_key: customer_hk\n    links:\n      - {link: link_customer_order, foreign_key: link_customer_order_pk, hash_key: customer_order_hk}" -%}
    {%- set hash_key = dv_spec._check_column(name, 'hash_key', hash_key, example) -%}
    {%- set hub_relation = dv_spec._as_relation(name, 'hub', hub, example) -%}
    {%- set items = dv_spec._check_references(name, 'links', links, ['link', 'foreign_key'], ['hash_key'], example) -%}
    {%- set references = [] -%}
    {%- for item in items -%}
        {%- set foreign_key = dv_spec._check_column(name, 'links[].foreign_key', item.foreign_key, example) -%}
        {%- do references.append({
            'relation': dv_spec._as_relation(name, 'links[].link', item.link, example),
            'foreign_key': foreign_key,
            'hash_key': dv_spec._check_column(name, 'links[].hash_key', item.get('hash_key') or foreign_key, example),
            'alias': 'l' ~ loop.index,
        }) -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('test_bridge_keys_present', 'dv_spec')(model, hub_relation, hash_key, references)) }}
{%- endtest -%}

{%- macro default__test_bridge_keys_present(model, hub_relation, hash_key, references) -%}
{%- set bridge_columns = ([hash_key] + (references | map(attribute='foreign_key') | list)) | unique | list -%}
WITH bridge_rows AS (
    SELECT {{ bridge_columns | join(', ') }}
    FROM {{ model }}
)
SELECT
    b.{{ bridge_columns | join(',\n    b.') }}
FROM bridge_rows AS b
LEFT JOIN {{ hub_relation }} AS h
    ON b.{{ hash_key }} = h.{{ hash_key }}
{%- for ref_ in references %}
LEFT JOIN {{ ref_.relation }} AS {{ ref_.alias }}
    ON b.{{ ref_.foreign_key }} = {{ ref_.alias }}.{{ ref_.hash_key }}
{%- endfor %}
WHERE h.{{ hash_key }} IS NULL
{%- for ref_ in references %}
    OR {{ ref_.alias }}.{{ ref_.hash_key }} IS NULL
{%- endfor %}
{%- endmacro -%}
