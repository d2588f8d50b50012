{#-
    Hub: the business-key combination identifies one row and is not NULL.
    For a composite key, single NULL parts are allowed, as AutomateDV hashes
    them with the null placeholder ('P3||^^'); a combination whose parts are
    all NULL fails (AutomateDV would give it a NULL hash key). One GROUP BY
    pass.
-#}
{%- test business_keys_unique(model, business_keys=none) -%}
    {%- set business_keys = dv_spec._check_columns('business_keys_unique', 'business_keys', business_keys,
        'arguments: {business_keys: [customer_id]}') -%}
    {{ return(adapter.dispatch('test_business_keys_unique', 'dv_spec')(model, business_keys)) }}
{%- endtest -%}

{%- macro default__test_business_keys_unique(model, business_keys) -%}
{{ dv_spec._grain_failures(model, business_keys, null_parts='all') }}
{%- endmacro -%}
