{#-
    subject_area_spec(area, design, context, entity_specs=none): the spec of one subject area
    (the entities whose `subject_area` is `area`), as data: the entities and
    their owners, the order to build them in, the stages they read, what they
    need from other subject areas, every open question, and each entity's
    full spec (entity_spec, or the one given in `entity_specs`) in build order.
    Rendered by spec_markdown.
-#}
{%- macro subject_area_spec(area, design, context, entity_specs=none) -%}
    {%- set members = [] -%}
    {%- for name, entity in design.entities | dictsort if entity.subject_area == area -%}
        {%- do members.append(name) -%}
    {%- endfor -%}
    {%- if not members -%}
        {%- set areas = [] -%}
        {%- for name, entity in design.entities | dictsort if entity.subject_area and entity.subject_area not in areas -%}
            {%- do areas.append(entity.subject_area) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error("subject_area_spec: no entity has subject_area `" ~ area ~ "`; subject areas: " ~ areas | sort | join(", ")) }}
    {%- endif -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set steps = ["Stages", "Hubs and reference tables", "Links", "Satellites", "PITs and bridges"] -%}
    {%- set ordered = [] -%}
    {%- for rank in range(steps | length) -%}
        {%- for name in members if kind_table[design.entities[name].kind].rank == rank -%}
            {%- do ordered.append(name) -%}
        {%- endfor -%}
    {%- endfor -%}

    {%- set specs = [] -%}
    {%- set entities = [] -%}
    {%- set owners = [] -%}
    {%- set questions = [] -%}
    {%- set criteria = namespace(total=0, dbt_test=0, check=0, review=0) -%}
    {%- for name in ordered -%}
        {%- set spec = entity_specs[name] if entity_specs and name in entity_specs else dv_spec.entity_spec(name, design, context) -%}
        {%- do specs.append(spec) -%}
        {%- if spec.owner and spec.owner not in owners -%}{%- do owners.append(spec.owner) -%}{%- endif -%}
        {%- do entities.append({"name": name, "kind": spec.kind, "owner": spec.owner, "summary": dv_spec._spec_first_sentence(spec.purpose),
                                "model_path": spec.model.path}) -%}
        {%- for question in spec.open_questions -%}
            {%- do questions.append({"entity": name, "topic": question.topic, "question": question.question}) -%}
        {%- endfor -%}
        {%- for criterion in spec.acceptance_criteria -%}
            {%- set criteria.total = criteria.total + 1 -%}
            {%- if criterion.verified_by == "dbt test" -%}{%- set criteria.dbt_test = criteria.dbt_test + 1 -%}
            {%- elif criterion.verified_by == "dv-spec check" -%}{%- set criteria.check = criteria.check + 1 -%}
            {%- else -%}{%- set criteria.review = criteria.review + 1 -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}

    {#- Build order: one step per kind rank, with the derived stages in the first step. -#}
    {%- set stage_names = [] -%}
    {%- for name in ordered -%}
        {%- set entity = design.entities[name] -%}
        {%- for source in entity.sources if entity.kind != "stage" and source.stage not in stage_names -%}
            {%- do stage_names.append(source.stage) -%}
        {%- endfor -%}
        {%- if entity.kind == "stage" and name not in stage_names -%}{%- do stage_names.append(name) -%}{%- endif -%}
    {%- endfor -%}
    {%- set build_order = [] -%}
    {%- for title in steps -%}
        {%- set rank = loop.index0 -%}
        {%- set names = (stage_names | sort) if rank == 0 else [] -%}
        {%- if rank > 0 -%}
            {%- for name in ordered if kind_table[design.entities[name].kind].rank == rank -%}{%- do names.append(name) -%}{%- endfor -%}
        {%- endif -%}
        {%- if names -%}
            {%- do build_order.append({"step": title, "models": names}) -%}
        {%- endif -%}
    {%- endfor -%}

    {#- Each stage in full: the source's columns it passes through, then what it computes; per
        column its type and every entity (of any subject area) whose table takes it. -#}
    {%- set context = dv_spec._spec_context(context) -%}
    {%- set stages = [] -%}
    {%- for name in stage_names | sort if name in design.stages -%}
        {%- set stage = design.stages[name] -%}
        {%- set columns = [] -%}
        {%- set computed_names = (stage.derived.keys() | list) + (stage.hashed.keys() | list) -%}
        {%- set source_columns = context.source_columns.get((stage.source or "") | lower) -%}
        {%- for column in source_columns or [] if column not in computed_names -%}
            {%- do columns.append({"column": column, "computed": "from " ~ stage.source ~ ", as is",
                                   "type": dv_spec._spec_fed_type([{"reference": stage.source, "column": column}], context).type,
                                   "needed_by": dv_spec._spec_stage_consumers(stage, column, design)}) -%}
        {%- endfor -%}
        {%- for column, item in stage.derived.items() -%}
            {%- set literal = item.definition.startswith("!") -%}
            {%- do columns.append({"column": column, "computed": ("literal '" ~ item.definition[1:] ~ "'") if literal else "renamed from " ~ item.definition,
                                   "type": "VARCHAR" if literal else dv_spec._spec_fed_type([{"reference": stage.source, "column": item.definition}], context).type,
                                   "needed_by": dv_spec._spec_stage_consumers(stage, column, design)}) -%}
        {%- endfor -%}
        {%- for column, item in stage.hashed.items() -%}
            {%- set inputs = item.definition.columns if item.definition is mapping else item.definition -%}
            {%- do columns.append({"column": column, "computed": ("hashdiff of " if item.definition is mapping else "hash of ") ~ inputs | join(", "),
                                   "type": "BINARY(" ~ context.hash.bytes ~ ")",
                                   "needed_by": dv_spec._spec_stage_consumers(stage, column, design)}) -%}
        {%- endfor -%}
        {%- do stages.append({"name": name, "declared": stage.declared, "reads": stage.source, "source_type": stage.source_type,
                              "consumers": stage.consumers, "columns": columns, "source_columns_known": source_columns is not none}) -%}
    {%- endfor -%}

    {%- set external = [] -%}
    {%- set seen = [] -%}
    {%- for spec in specs -%}
        {%- for item in spec.dependencies.upstream if item.name in design.entities and item.name not in members -%}
            {%- if item.name not in seen -%}
                {%- do seen.append(item.name) -%}
                {%- do external.append({"name": item.name, "kind": design.entities[item.name].kind,
                                        "subject_area": design.entities[item.name].subject_area, "needed_by": [spec.name]}) -%}
            {%- else -%}
                {%- for other in external if other.name == item.name -%}{%- do other.needed_by.append(spec.name) -%}{%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}

    {%- set context = dv_spec._spec_context(context) -%}
    {{ return({"spec_type": "subject_area", "name": area, "entities": entities, "owners": owners,
               "diagram": context.diagrams.get(area),
               "build_order": build_order, "stages": stages, "external_dependencies": external | sort(attribute="name"),
               "acceptance_criteria_count": {"total": criteria.total, "dbt test": criteria.dbt_test,
                                             "dv-spec check": criteria.check, "review": criteria.review},
               "open_questions": questions, "specs": specs}) }}
{%- endmacro -%}


{#- The first sentence of a description (up to the first ". "), for summary tables. -#}
{%- macro _spec_first_sentence(text) -%}
    {%- set text = (text or "") | replace("\n", " ") | trim -%}
    {%- set head = text.split(". ")[0] -%}
    {{ return(head if head.endswith(".") or head == text else head ~ ".") }}
{%- endmacro -%}


{#- The entities reading `stage` whose table has `column`. -#}
{%- macro _spec_stage_consumers(stage, column, design) -%}
    {%- set out = [] -%}
    {%- for consumer in stage.consumers if consumer in design.entities and column in design.entities[consumer].columns -%}
        {%- do out.append(consumer) -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro -%}
