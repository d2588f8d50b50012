{#- PIT: one row per (hub hash key, as-of date); neither NULL. One GROUP BY pass. -#}
{%- test pit_grain_unique(model, hash_key=none, as_of_date=none) -%}
    {%- set example = 'arguments: {hash_key: customer_hk, as_of_date: as_of_date}' -%}
    {%- set hash_key = dv_spec._check_column('pit_grain_unique', 'hash_key', hash_key, example) -%}
    {%- set as_of_date = dv_spec._check_column('pit_grain_unique', 'as_of_date', as_of_date or 'as_of_date', example) -%}
    {{ return(adapter.dispatch('test_pit_grain_unique', 'dv_spec')(model, hash_key, as_of_date)) }}
{%- endtest -%}

{%- macro default__test_pit_grain_unique(model, hash_key, as_of_date) -%}
{{ dv_spec._grain_failures(model, [hash_key, as_of_date]) }}
{%- endmacro -%}
