{#-
    _hub_references(macro, hubs, need_business_keys): checks a link test's
    `hubs` argument and returns one dict per hub reference, in the declared
    (hash) order:
      {relation, foreign_key, hash_key, business_keys, alias}
    An item follows the design contract's hub reference, plus the columns the
    test needs from the hub:
      hub:            the hub model (name or ref)
      foreign_key:    the link's column referencing the hub
      hash_key:       the hub's hash key column (default: foreign_key)
      business_keys:  the hub's business keys in hash order (needed by
                      link_hash_key_matches)
      role:           optional, only for readability
-#}
{%- macro _hub_references(macro, hubs, need_business_keys) -%}
    {%- set example = "hubs:\n    - {hub: hub_customer, foreign_key: customer_hk, business_keys: [customer_id]}\n    - {hub: hub_product, foreign_key: product_hk, hash_key: product_hk, business_keys: [product_code, region]}" -%}
    {%- set required = ['hub', 'foreign_key'] + (['business_keys'] if need_business_keys else []) -%}
    {%- set optional = ['hash_key', 'role'] + ([] if need_business_keys else ['business_keys']) -%}
    {%- set hubs = dv_spec._check_references(macro, 'hubs', hubs, required, optional, example) -%}
    {%- set references = [] -%}
    {%- for item in hubs -%}
        {%- set foreign_key = dv_spec._check_column(macro, 'hubs[].foreign_key', item.foreign_key, example) -%}
        {%- do references.append({
            'relation': dv_spec._as_relation(macro, 'hubs[].hub', item.hub, example),
            'foreign_key': foreign_key,
            'hash_key': dv_spec._check_column(macro, 'hubs[].hash_key', item.get('hash_key') or foreign_key, example),
            'business_keys': dv_spec._check_columns(macro, 'hubs[].business_keys', item.business_keys, example)
                if need_business_keys else [],
            'alias': 'h' ~ loop.index,
        }) -%}
    {%- endfor -%}
    {%- do return(references) -%}
{%- endmacro -%}
