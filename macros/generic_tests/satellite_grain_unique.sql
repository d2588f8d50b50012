{#-
    Sat, ma_sat: one row per (parent key, load datetime[, multi-active
    keys]); none of them NULL. The ghost row (zero key, NULL multi-active
    keys) is skipped. One GROUP BY pass.
-#}
{%- test satellite_grain_unique(model, parent_hash_key=none, load_datetime=none, multi_active_keys=none) -%}
    {%- set example = 'arguments: {parent_hash_key: customer_hk, load_datetime: load_datetime, multi_active_keys: [phone_type]}' -%}
    {%- set parent_hash_key = dv_spec._check_column('satellite_grain_unique', 'parent_hash_key', parent_hash_key, example) -%}
    {%- set load_datetime = dv_spec._check_column('satellite_grain_unique', 'load_datetime',
        load_datetime or dv_spec._setting('load_datetime_column', 'load_datetime'), example) -%}
    {%- set multi_active_keys = dv_spec._check_columns('satellite_grain_unique', 'multi_active_keys', multi_active_keys, example)
        if multi_active_keys is not none else [] -%}
    {{ return(adapter.dispatch('test_satellite_grain_unique', 'dv_spec')(model, parent_hash_key, load_datetime, multi_active_keys)) }}
{%- endtest -%}

{%- macro default__test_satellite_grain_unique(model, parent_hash_key, load_datetime, multi_active_keys) -%}
{{ dv_spec._grain_failures(model, [parent_hash_key, load_datetime] + multi_active_keys, where=dv_spec._not_ghost(parent_hash_key)) }}
{%- endmacro -%}
