{#-
    Link, nh_link: every foreign key is not NULL and is a hash key of its
    hub. One pass over the link, one LEFT JOIN per hub reference (hubs are
    unique on their hash key, which hash_key_unique checks).
-#}
{%- test link_foreign_keys_present(model, hubs=none) -%}
    {%- set references = dv_spec._hub_references('link_foreign_keys_present', hubs, false) -%}
    {{ return(adapter.dispatch('test_link_foreign_keys_present', 'dv_spec')(model, references)) }}
{%- endtest -%}

{%- macro default__test_link_foreign_keys_present(model, references) -%}
{%- set foreign_keys = references | map(attribute='foreign_key') | unique | list -%}
WITH link_rows AS (
    SELECT {{ foreign_keys | join(', ') }}
    FROM {{ model }}
)
SELECT
    {%- for ref_ in references %}
    l.{{ ref_.foreign_key }},
    {{ ref_.alias }}.{{ ref_.hash_key }} IS NOT NULL AS {{ ref_.alias }}_found{{ ',' if not loop.last }}
    {%- endfor %}
FROM link_rows AS l
{%- for ref_ in references %}
LEFT JOIN {{ ref_.relation }} AS {{ ref_.alias }}
    ON l.{{ ref_.foreign_key }} = {{ ref_.alias }}.{{ ref_.hash_key }}
{%- endfor %}
WHERE {% for ref_ in references -%}
    {{ ref_.alias }}.{{ ref_.hash_key }} IS NULL{{ '\n    OR ' if not loop.last }}
{%- endfor %}
{%- endmacro -%}
