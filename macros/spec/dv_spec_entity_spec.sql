{#-
    dbt run-operation dv_spec_entity_spec --args '{entity: hub_provider}'

    Prints the Markdown spec of one design entity, exactly as
    `dv-spec spec --select hub_provider` prints it, for engineers who only
    have dbt (dbt Cloud). Reads the design from the project's graph and
    builds the spec with the same macros as the command line (entity_spec,
    spec_markdown). Returns the text, so
    `dbt --quiet run-operation dv_spec_entity_spec --args '{entity: x}' > x.md` works.
-#}
{%- macro dv_spec_entity_spec(entity=none) -%}
    {%- if not execute -%}
        {{ return("") }}
    {%- endif -%}
    {%- if entity is not string or not entity -%}
        {{ exceptions.raise_compiler_error("dv_spec_entity_spec: `entity` must be a design entity name, e.g. --args '{entity: hub_provider}'; got " ~ entity) }}
    {%- endif -%}
    {%- set design = dv_spec.resolve_design(dv_spec.graph_design_entities()) -%}
    {%- set spec = dv_spec.entity_spec(entity, design, dv_spec.graph_spec_context(design)) -%}
    {%- set text = dv_spec.spec_markdown(spec) -%}
    {{ print(text) }}
    {{ return(text) }}
{%- endmacro -%}
