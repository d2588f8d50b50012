{#-
    PIT: every row's hub key is in the hub, and every satellite reference
    (the PIT's key and load-datetime columns for that satellite) is either a
    row of the satellite belonging to the same hub key, or the ghost
    reference (zero key) AutomateDV writes when the satellite had no row yet.
    One pass over the PIT, one LEFT JOIN to the hub and one per satellite.

    satellites: one item per satellite, in any order:
      satellite:             the satellite model (name or ref)
      foreign_key:           the PIT column holding the satellite's key
      foreign_load_datetime: the PIT column holding the satellite's load datetime
      parent_hash_key:       the satellite's key column (default: hash_key)
      load_datetime:         the satellite's load-datetime column
                             (default: the project's load_datetime_column)
-#}
{%- test pit_keys_present(model, hub=none, hash_key=none, satellites=none) -%}
    {%- set name = 'pit_keys_present' -%}
    {%- set example = "arguments:\n    hub: hub_customer\n    hash_key: customer_hk\n    satellites:\n      - {satellite: sat_customer, foreign_key: sat_customer_pk, foreign_load_datetime: sat_customer_ldts}" -%}
    {%- set hash_key = dv_spec._check_column(name, 'hash_key', hash_key, example) -%}
    {%- set hub_relation = dv_spec._as_relation(name, 'hub', hub, example) -%}
    {%- set items = dv_spec._check_references(name, 'satellites', satellites,
        ['satellite', 'foreign_key', 'foreign_load_datetime'], ['parent_hash_key', 'load_datetime'], example) -%}
    {%- set references = [] -%}
    {%- for item in items -%}
        {%- do references.append({
            'relation': dv_spec._as_relation(name, 'satellites[].satellite', item.satellite, example),
            'foreign_key': dv_spec._check_column(name, 'satellites[].foreign_key', item.foreign_key, example),
            'foreign_load_datetime': dv_spec._check_column(name, 'satellites[].foreign_load_datetime', item.foreign_load_datetime, example),
            'parent_hash_key': dv_spec._check_column(name, 'satellites[].parent_hash_key', item.get('parent_hash_key') or hash_key, example),
            'load_datetime': dv_spec._check_column(name, 'satellites[].load_datetime',
                item.get('load_datetime') or dv_spec._setting('load_datetime_column', 'load_datetime'), example),
            'alias': 's' ~ loop.index,
        }) -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('test_pit_keys_present', 'dv_spec')(model, hub_relation, hash_key, references)) }}
{%- endtest -%}

{%- macro default__test_pit_keys_present(model, hub_relation, hash_key, references) -%}
{%- set pit_columns = [hash_key] -%}
{%- for ref_ in references -%}
    {%- do pit_columns.extend([ref_.foreign_key, ref_.foreign_load_datetime]) -%}
{%- endfor -%}
{%- set pit_columns = pit_columns | unique | list -%}
{%- set zero = dv_spec.zero_key() -%}
WITH pit_rows AS (
    SELECT {{ pit_columns | join(', ') }}
    FROM {{ model }}
)
SELECT
    p.{{ pit_columns | join(',\n    p.') }}
FROM pit_rows AS p
LEFT JOIN {{ hub_relation }} AS h
    ON p.{{ hash_key }} = h.{{ hash_key }}
{%- for ref_ in references %}
LEFT JOIN {{ ref_.relation }} AS {{ ref_.alias }}
    ON p.{{ ref_.foreign_key }} = {{ ref_.alias }}.{{ ref_.parent_hash_key }}
    AND p.{{ ref_.foreign_load_datetime }} = {{ ref_.alias }}.{{ ref_.load_datetime }}
{%- endfor %}
WHERE h.{{ hash_key }} IS NULL
{%- for ref_ in references %}
    OR (
        (p.{{ ref_.foreign_key }} IS NULL OR p.{{ ref_.foreign_key }} <> {{ zero }})
        AND ({{ ref_.alias }}.{{ ref_.parent_hash_key }} IS NULL
             OR p.{{ ref_.foreign_key }} <> p.{{ hash_key }})
    )
{%- endfor %}
{%- endmacro -%}
