{#-
    scaffold_config(entity): the dbt config of the model dv-spec scaffolds for
    a resolved vault entity or stage, as {materialized, meta, line}; `line` is
    the `{{ config(...) }}` the model file starts with. scaffold_model writes
    it and the spec quotes it, so both say the same.
-#}
{%- macro scaffold_config(entity) -%}
    {%- if entity is not mapping or not entity.get("kind") -%}
        {{ exceptions.raise_compiler_error("scaffold_config: `entity` must be a resolved entity or stage with a `kind`; got " ~ entity) }}
    {%- endif -%}
    {%- set kind = entity.kind -%}
    {%- set meta = {} -%}
    {%- if kind == "stage" -%}
        {%- set materialized = "view" -%}
    {%- elif kind == "pit" -%}
        {%- set materialized = "pit_incremental" -%}
    {%- elif kind == "bridge" -%}
        {%- set materialized = "bridge_incremental" -%}
    {%- else -%}
        {%- set materialized = "incremental" -%}
        {%- if kind == "sat" -%}
            {#- AutomateDV's sat re-inserts history when a stage holds several loads per key and the model runs again; its source filter prevents it. -#}
            {%- do meta.update({"apply_source_filter": true}) -%}
        {%- elif kind == "eff_sat" and entity.get("end_dating") == "auto" -%}
            {#- The source sends no closing rows: AutomateDV closes a driving key's open relationship when it moves. -#}
            {%- do meta.update({"is_auto_end_dating": true}) -%}
        {%- endif -%}
    {%- endif -%}
    {%- set meta_items = [] -%}
    {%- for key, value in meta.items() -%}{%- do meta_items.append("'" ~ key ~ "': " ~ (value | string | lower)) -%}{%- endfor -%}
    {%- set line = "{{ config(materialized='" ~ materialized ~ "'"
        ~ (", meta={" ~ meta_items | join(", ") ~ "}" if meta_items else "") ~ ") }}" -%}
    {{ return({"materialized": materialized, "meta": meta, "line": line}) }}
{%- endmacro -%}
