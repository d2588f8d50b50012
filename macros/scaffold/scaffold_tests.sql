{#-
    scaffold_tests(entity, design): the `data_tests` entries that enforce an
    entity's acceptance criteria (acceptance_criteria(), verified_by "dbt
    test"), as the schema YAML holds them. Each is named
    `ac_<entity>_<NN>_<test>` and carries its criterion id in
    config.meta.acceptance_criterion, so a failing test names the criterion.
    Tests named `ac_<entity>_...` belong to dv-spec: scaffolding replaces them,
    and keeps every other test. `criteria`: the entity's acceptance_criteria()
    when the caller has them already (the spec), so they are not built twice.
-#}
{%- macro scaffold_tests(entity, design, criteria=none) -%}
    {%- set tests = [] -%}
    {%- for criterion in (dv_spec.acceptance_criteria(entity, design) if criteria is none else criteria) if criterion.verified_by == "dbt test" -%}
        {%- set body = {"name": "ac_" ~ entity.name ~ "_" ~ "%02d" | format(criterion.number) ~ "_" ~ criterion.test.name} -%}
        {%- if criterion.test.arguments -%}
            {%- do body.update({"arguments": criterion.test.arguments}) -%}
        {%- endif -%}
        {%- do body.update({"config": {"meta": {"acceptance_criterion": criterion.id}}}) -%}
        {%- do tests.append({"dv_spec." ~ criterion.test.name: body}) -%}
    {%- endfor -%}
    {{ return(tests) }}
{%- endmacro -%}
