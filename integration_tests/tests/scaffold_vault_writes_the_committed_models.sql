{#-
    What `dbt run-operation scaffold_vault` (and `dv-spec scaffold`) would
    write for each model is the model committed here: the committed models
    are the reviewed golden of the scaffold's output. dbt keeps a model's
    text stripped of leading and trailing whitespace, hence `trim`;
    tests/test_sample_golden.py compares the files byte for byte.
-#}
{%- if execute -%}
    {%- set models = {} -%}
    {%- for node in graph.nodes.values() if node.resource_type == "model" and node.package_name == project_name -%}
        {%- do models.update({node.original_file_path: node.raw_code}) -%}
    {%- endfor -%}
    {%- set design = dv_spec.resolve_design(dv_spec.graph_design_entities()) -%}
    {%- set files = dv_spec.scaffold_plan(design, none, "models") -%}
    {{ assert_equal(files | map(attribute="path") | sort | join("\n"), models.keys() | sort | join("\n"), "the list of model files") }}
    {%- for file in files -%}
        {{ assert_equal(file.content | trim, models[file.path], file.path) }}
    {%- endfor -%}
{%- endif %}
select 1 as mismatch where false
