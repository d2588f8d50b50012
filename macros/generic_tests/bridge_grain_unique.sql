{#-
    Bridge: one row per (hub hash key, as-of date, link keys of the path);
    none of them NULL. One GROUP BY pass. `links` takes the same items as
    bridge_keys_present; only their foreign_key (the bridge column) is used.
-#}
{%- test bridge_grain_unique(model, hash_key=none, links=none, as_of_date=none) -%}
    {%- set name = 'bridge_grain_unique' -%}
    {%- set example = "arguments:\n    hash_key: customer_hk\n    as_of_date: as_of_date\n    links:\n      - {link: link_customer_order, foreign_key: link_customer_order_pk}" -%}
    {%- set hash_key = dv_spec._check_column(name, 'hash_key', hash_key, example) -%}
    {%- set as_of_date = dv_spec._check_column(name, 'as_of_date', as_of_date or 'as_of_date', example) -%}
    {%- set items = dv_spec._check_references(name, 'links', links, ['foreign_key'], ['link', 'hash_key'], example) -%}
    {%- set link_keys = [] -%}
    {%- for item in items -%}
        {%- do link_keys.append(dv_spec._check_column(name, 'links[].foreign_key', item.foreign_key, example)) -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('test_bridge_grain_unique', 'dv_spec')(model, hash_key, link_keys, as_of_date)) }}
{%- endtest -%}

{%- macro default__test_bridge_grain_unique(model, hash_key, link_keys, as_of_date) -%}
{{ dv_spec._grain_failures(model, [hash_key, as_of_date] + link_keys) }}
{%- endmacro -%}
