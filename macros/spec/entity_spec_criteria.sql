{#-
    entity_spec's acceptance criteria (entity_spec.sql).
-#}

{#- The acceptance criteria, with the dbt test each "dbt test" criterion becomes (named as scaffolding names it). -#}
{%- macro _spec_criteria(entity, design) -%}
    {%- set criteria = dv_spec.acceptance_criteria(entity, design) -%}
    {%- set names = {} -%}
    {%- for test in (dv_spec.scaffold_tests(entity, design, criteria) if entity.kind != "stage" else []) -%}
        {%- for test_name, body in test.items() -%}
            {%- do names.update({body.config.meta.acceptance_criterion: body.name}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set out = [] -%}
    {%- for criterion in criteria -%}
        {%- set item = {} -%}
        {%- do item.update(criterion) -%}
        {%- if criterion.verified_by == "dbt test" -%}
            {%- do item.update({"test": {"name": criterion.test.name, "arguments": criterion.test.arguments,
                                         "test_name": names.get(criterion.id)}}) -%}
        {%- endif -%}
        {%- do out.append(item) -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro -%}
