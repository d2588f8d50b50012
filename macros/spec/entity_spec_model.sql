{#-
    entity_spec's dbt model (path, config) and sources (what it reads, through which
    stage) (entity_spec.sql).
-#}

{#- Where the model goes and its dbt config, as `dv-spec scaffold` writes it (scaffold_config);
    none when scaffolding refuses the design (the open questions say why). -#}
{%- macro _spec_model(entity, design, context) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set blocked = namespace(value=false) -%}
    {%- if kind_table[entity.kind].family == "sat" -%}
        {%- set stages = [] -%}
        {%- for source in entity.sources if source.stage not in stages -%}{%- do stages.append(source.stage) -%}{%- endfor -%}
        {%- set blocked.value = stages | length > 1 -%}
    {%- elif entity.kind == "bridge" -%}
        {%- for link in entity.links if not link.effectivity_satellite -%}{%- set blocked.value = true -%}{%- endfor -%}
    {%- elif entity.kind == "stage" -%}
        {%- set blocked.value = entity.name not in design.stages or design.stages[entity.name].conflicts | length > 0 -%}
    {%- endif -%}
    {%- set config = dv_spec.scaffold_config(entity) if not blocked.value else {"materialized": none, "line": none} -%}
    {{ return({"name": entity.name, "path": dv_spec._beside(entity.file, entity.name), "materialized": config.materialized,
               "config": config.line, "automate_dv_macro": "automate_dv." ~ entity.kind,
               "reads_through": entity.get("unloaded_model"), "tests_in": entity.file if entity.kind != "stage" else none}) }}
{%- endmacro -%}


{%- macro _spec_sources(entity) -%}
    {%- set out = [] -%}
    {%- for source in entity.sources -%}
        {%- do out.append({"reference": source.ref, "type": source.type,
                           "dbt": dv_spec._spec_dbt_reference(source.ref, source.type),
                           "reads": source.upstream, "reads_dbt": dv_spec._spec_dbt_reference(source.upstream, source.upstream_type),
                           "stage": source.stage if entity.kind != "stage" else none,
                           "stage_declared": source.declared_stage,
                           "record_source": source.record_source, "record_source_declared": source.record_source_declared,
                           "load_datetime": source.load_datetime}) -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro -%}


{#- `ref('x')` or `source('a', 'b')`: how a dbt model reads a reference. -#}
{%- macro _spec_dbt_reference(ref, type) -%}
    {%- if type == "source" -%}
        {%- set parts = ref.split(".") -%}
        {{ return("source('" ~ parts[0] ~ "', '" ~ parts[1:] | join(".") ~ "')") }}
    {%- endif -%}
    {{ return("ref('" ~ ref ~ "')") }}
{%- endmacro -%}
