{#-
    design_settings(settings): the project's `vars.dv_spec` with every default
    applied (docs/design-contract.md). With no argument it reads `var('dv_spec')`.
-#}
{%- macro design_settings(settings=none) -%}
    {%- set given = settings if settings is not none else var("dv_spec", {}) -%}
    {%- if given is not mapping -%}
        {{ exceptions.raise_compiler_error("vars.dv_spec must be a mapping, e.g. {hash_algorithm: md5}; got " ~ given) }}
    {%- endif -%}
    {%- set naming = {
        "hub": {"prefix": "hub_"}, "link": {"prefix": "link_"}, "nh_link": {"prefix": "nh_link_"},
        "sat": {"prefix": "sat_"}, "ma_sat": {"prefix": "ma_sat_"}, "eff_sat": {"prefix": "eff_sat_"},
        "pit": {"prefix": "pit_"}, "bridge": {"prefix": "bridge_"}, "ref_table": {"prefix": "ref_"},
        "hash_key": {"suffix": "_hk"},
    } -%}
    {%- do naming.update(given.get("naming") or {}) -%}
    {%- set out = {
        "hash_algorithm": "md5",
        "load_datetime_column": "load_datetime",
        "record_source_column": "record_source",
        "stage_prefix": "stg_",
        "stage_folder": "staging",
    } -%}
    {%- do out.update(given) -%}
    {%- do out.update({"naming": naming}) -%}
    {{ return(out) }}
{%- endmacro -%}
