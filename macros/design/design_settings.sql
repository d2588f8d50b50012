{#-
    design_settings(settings): the project's `vars.dv_spec` with every default
    applied (docs/design-contract.md). With no argument it reads `var('dv_spec')`.
-#}
{%- macro design_settings(settings=none) -%}
    {%- set given = settings if settings is not none else var("dv_spec", {}) -%}
    {%- if given is not mapping -%}
        {{ exceptions.raise_compiler_error("vars.dv_spec must be a mapping, e.g. {hash_algorithm: md5}; got " ~ given) }}
    {%- endif -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set naming = {} -%}
    {%- for kind, row in kind_table.items() if row.model -%}
        {%- do naming.update({kind: {"prefix": row.prefix}}) -%}
    {%- endfor -%}
    {%- do naming.update({"hash_key": {"suffix": "_hk"}}) -%}
    {%- do naming.update(given.get("naming") or {}) -%}
    {%- set out = {
        "hash_algorithm": "md5",
        "load_datetime_column": "load_datetime",
        "record_source_column": "record_source",
        "stage_prefix": kind_table.stage.prefix,
        "stage_folder": "staging",
    } -%}
    {%- do out.update(given) -%}
    {%- do out.update({"naming": naming}) -%}
    {{ return(out) }}
{%- endmacro -%}
