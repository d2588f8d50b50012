{#- Hub, link, nh_link: the hash key is never NULL and identifies one row. -#}
{%- test hash_key_unique(model, hash_key=none) -%}
    {%- set hash_key = dv_spec._check_column('hash_key_unique', 'hash_key', hash_key,
        'arguments: {hash_key: customer_hk}') -%}
    {{ return(adapter.dispatch('test_hash_key_unique', 'dv_spec')(model, hash_key)) }}
{%- endtest -%}

{%- macro default__test_hash_key_unique(model, hash_key) -%}
{{ dv_spec._grain_failures(model, [hash_key]) }}
{%- endmacro -%}
