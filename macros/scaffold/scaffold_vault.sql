{#-
    dbt run-operation scaffold_vault --args '{select: [hub_provider]}'

    Prints the AutomateDV models, stages and acceptance tests that
    `dv-spec scaffold` would write, for engineers who only have dbt (dbt
    Cloud). Reads the design from the project's graph (config.meta.dv) and
    generates it with the same macros as the command line. Returns the text,
    so `dbt --quiet run-operation scaffold_vault > plan.txt` works too.
-#}
{%- macro scaffold_vault(select=none) -%}
    {%- if not execute -%}
        {{ return("") }}
    {%- endif -%}
    {%- if select is string -%}
        {%- set select = [select] -%}
    {%- endif -%}
    {%- if select is not none and (select is mapping or select is not iterable) -%}
        {{ exceptions.raise_compiler_error("scaffold_vault: `select` must be a list of design entity names, e.g. --args '{select: [hub_provider]}'; got " ~ select) }}
    {%- endif -%}
    {%- set design = dv_spec.resolve_design(dv_spec.graph_design_entities()) -%}
    {%- set lines = [] -%}
    {%- for file in dv_spec.scaffold_plan(design, select, "models") -%}
        {%- do lines.extend(["-- file: " ~ file.path, file.content]) -%}
    {%- endfor -%}
    {%- for name in ((select | sort) if select else (design.entities.keys() | sort)) -%}
        {%- set entity = design.entities[name] -%}
        {%- set tests = dv_spec.scaffold_tests(entity, design) if entity.kind != "stage" else [] -%}
        {%- if tests -%}
            {%- do lines.extend(["-- data_tests for " ~ name ~ " in " ~ entity.file ~ ":", toyaml({"data_tests": tests})]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set text = lines | join("\n") -%}
    {{ print(text) }}
    {{ return(text) }}
{%- endmacro -%}
