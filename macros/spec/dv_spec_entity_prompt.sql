{#-
    dbt run-operation dv_spec_entity_prompt --args '{entity: hub_provider, style: plain_sql}'

    Prints the starter prompt of one design entity (for dbt Copilot, Copilot
    Chat or Claude), exactly as `dv-spec prompts --select hub_provider`
    prints it; style is automate_dv (default) or plain_sql. Same macros as
    the command line (entity_spec, spec_prompt); returns the text too.
-#}
{%- macro dv_spec_entity_prompt(entity=none, style="automate_dv") -%}
    {%- if not execute -%}
        {{ return("") }}
    {%- endif -%}
    {%- if entity is not string or not entity -%}
        {{ exceptions.raise_compiler_error("dv_spec_entity_prompt: `entity` must be a design entity name, e.g. --args '{entity: hub_provider}'; got " ~ entity) }}
    {%- endif -%}
    {%- set design = dv_spec.resolve_design(dv_spec.graph_design_entities()) -%}
    {%- set spec = dv_spec.entity_spec(entity, design, dv_spec.graph_spec_context(design)) -%}
    {%- set text = dv_spec.spec_prompt(spec, style) -%}
    {{ print(text) }}
    {{ return(text) }}
{%- endmacro -%}
