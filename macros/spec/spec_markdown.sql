{#-
    spec_markdown(spec): the Markdown of an entity spec (entity_spec) or a
    subject-area spec (subject_area_spec), for a Git host: GitHub-flavoured
    tables whose cells are escaped, SQL in fenced blocks, and a first-line
    HTML comment (invisible when rendered) with a checksum, so `dv-spec spec`
    can tell its own output from a copy a person has edited.
-#}
{%- macro spec_markdown(spec, cache=none) -%}
    {%- if spec is not mapping or spec.get("spec_type") not in ("entity", "subject_area") -%}
        {{ exceptions.raise_compiler_error("spec_markdown: `spec` must be what entity_spec or subject_area_spec returns; got " ~ (spec | string)[:80]) }}
    {%- endif -%}
    {%- if spec.spec_type == "entity" -%}
        {%- set body = dv_spec._spec_entity_markdown(spec, 1, cache=cache) -%}
        {{ return(dv_spec._md_generated(body, "the design of " ~ spec.kind ~ " " ~ spec.name ~ " (" ~ spec.design_file ~ ")", "dv-spec spec")) }}
    {%- endif -%}
    {%- set body = dv_spec._spec_area_markdown(spec, 1, cache=cache) -%}
    {{ return(dv_spec._md_generated(body, "the design of subject area " ~ spec.name, "dv-spec spec")) }}
{%- endmacro -%}


{%- macro _spec_verified_by(criterion, brief=false) -%}
    {%- if brief -%}
        {#- The dbt test is ac_<entity>_NN_<test>, the NN of the id. -#}
        {{ return("dbt test " ~ dv_spec._md_code(criterion.test.name) if criterion.verified_by == "dbt test" else
                  ("check " ~ dv_spec._md_code(criterion.check) if criterion.verified_by == "dv-spec check" else "review")) }}
    {%- elif criterion.verified_by == "dbt test" -%}
        {{ return("dbt test " ~ dv_spec._md_code(criterion.test.test_name or criterion.test.name) ~ " (" ~ dv_spec._md_code("dv_spec." ~ criterion.test.name) ~ ")") }}
    {%- elif criterion.verified_by == "dv-spec check" -%}
        {{ return("`dv-spec check` (" ~ dv_spec._md_code(criterion.check) ~ ")") }}
    {%- endif -%}
    {{ return("review by a person") }}
{%- endmacro -%}


{%- macro _spec_criteria_table(criteria, brief=false) -%}
    {%- if brief and criteria -%}
        {#- A list under the common id prefix: the same facts in fewer bytes. -#}
        {%- set prefix = criteria[0].id[:-2] -%}
        {%- set lines = ["Ids `" ~ prefix ~ "NN`:", ""] -%}
        {%- for criterion in criteria -%}
            {%- do lines.append("- `" ~ (criterion.id[-2:] if criterion.id.startswith(prefix) else criterion.id) ~ "` (" ~ dv_spec._spec_verified_by(criterion, true) ~ "): "
                ~ criterion.text | replace("\n", " ")) -%}
        {%- endfor -%}
        {{ return(lines | join("\n")) }}
    {%- endif -%}
    {%- set rows = [] -%}
    {%- for criterion in criteria -%}
        {%- do rows.append([dv_spec._md_code(criterion.id), dv_spec._md_cell(criterion.text), dv_spec._spec_verified_by(criterion, brief)]) -%}
    {%- endfor -%}
    {{ return(dv_spec._md_table(["id", "criterion", "verified by"], rows)) }}
{%- endmacro -%}


{%- macro _spec_questions_list(questions, with_entity=false) -%}
    {%- if not questions -%}
        {{ return("None: the design decides everything this spec needs.") }}
    {%- endif -%}
    {%- set lines = [] -%}
    {%- for question in questions -%}
        {%- do lines.append(loop.index ~ ". " ~ ("`" ~ question.entity ~ "`, " if with_entity else "") ~ "**" ~ question.topic ~ "**: "
            ~ question.question | replace("\n", " ")) -%}
    {%- endfor -%}
    {{ return(lines | join("\n")) }}
{%- endmacro -%}


{#- brief=true is the spec as a prompt ends with it: each fact once, so without the column-type
    table under a DDL (the DDL has the types; unknown ones are open questions), the dbt model
    section and the dependencies (the prompt's task says the file, config and what it reads). -#}
{%- macro _spec_entity_markdown(spec, level, brief=false, cache=none) -%}
    {#- The lines are built once per entity when the caller keeps a `cache` (spec_markdown's): the entity's
        own spec and its subject area's differ only in the heading levels. -#}
    {%- set key = none if brief or cache is none else spec.name -%}
    {%- set lines = cache[key] if key is not none and key in cache else dv_spec._spec_entity_markdown_lines(spec, brief) -%}
    {%- if key is not none -%}{%- do cache.update({key: lines}) -%}{%- endif -%}
    {%- set out = [] -%}
    {%- for line in lines -%}
        {%- do out.append(line if line is string else "#" * (level + line.depth if level + line.depth < 6 else 6) ~ " " ~ line.title) -%}
    {%- endfor -%}
    {{ return(out | join("\n") ~ "\n") }}
{%- endmacro -%}


{#- The lines of an entity's Markdown, its headings as {depth (0 for the title), title}. -#}
{%- macro _spec_entity_markdown_lines(spec, brief) -%}
    {%- set out = [{"depth": 0, "title": spec.name ~ " (" ~ spec.kind ~ ")"}, ""] -%}
    {%- set facts = [
        ["kind", dv_spec._md_code(spec.kind)],
        ["subject area", dv_spec._md_cell(spec.subject_area or "not set")],
        ["owner", dv_spec._md_cell(spec.owner or "not set")],
        ["design", dv_spec._md_code(spec.design_file)],
        ["model file", dv_spec._md_code(spec.model.path)],
    ] -%}
    {%- if not brief -%}
        {%- do out.extend([dv_spec._md_table(["property", "value"], facts), ""]) -%}
        {%- do out.extend([{"depth": 1, "title": "Purpose"}, "", dv_spec._md_paragraphs(spec.purpose) or "_No description in the design (see the open questions)._", ""]) -%}
    {%- endif -%}

    {%- if spec.sources -%}
        {%- set rows = [] -%}
        {%- for source in spec.sources -%}
            {#- Brief: the dbt call is `source('a', 'b')` for a dotted name, else `ref()`; not repeated. -#}
            {%- do rows.append([dv_spec._md_code(source.reads)] + ([] if brief else [dv_spec._md_code("{{ " ~ source.reads_dbt ~ " }}")]) + [
                                dv_spec._md_code(source.stage) if source.stage else "-",
                                dv_spec._md_code(source.record_source) ~ ("" if source.record_source_declared else " (default)"),
                                dv_spec._md_code(source.load_datetime)]) -%}
        {%- endfor -%}
        {%- do out.extend([{"depth": 1, "title": "Sources and stages"}, "",
            dv_spec._md_table(["source"] + ([] if brief else ["read with"]) + ["stage", "record source", "load datetime column"], rows), ""]) -%}
        {%- if spec.model.reads_through and not brief -%}
            {%- do out.extend(["AutomateDV's " ~ spec.kind ~ " reads its stage through " ~ dv_spec._md_code(spec.model.reads_through)
                ~ ", an ephemeral model of the rows it has not loaded yet (`dv-spec scaffold` writes it).", ""]) -%}
        {%- endif -%}
    {%- endif -%}

    {#- Brief: what Sources and stages already says is left out (the source of each stage, the
        record source and load datetime per source; with one source, the source column). -#}
    {%- set with_source = not brief or spec.sources | length > 1 -%}
    {%- set metadata = [spec.conventions.load_datetime_column, spec.conventions.record_source_column] if brief and spec.sources else [] -%}
    {%- set rows = [] -%}
    {%- for row in spec.mapping if row.target_column not in metadata -%}
        {%- set cells = [dv_spec._md_code(row.source_column) if row.source_column else "-",
                         dv_spec._md_cell(row.transformation), dv_spec._md_code(row.target_column)] -%}
        {%- set source = dv_spec._md_code(row.stage or row.source) if brief else dv_spec._md_code(row.source) ~ (" via " ~ dv_spec._md_code(row.stage) if row.stage else "") -%}
        {%- do rows.append(([source] if with_source else []) + cells) -%}
    {%- endfor -%}
    {%- do out.extend([{"depth": 1, "title": "Source-to-target mapping"}, "",
        dv_spec._md_table((["source"] if with_source else []) + ["column", "transformation", "target column"], rows), ""]) -%}

    {%- if spec.hash_keys or spec.hashdiff -%}
        {%- do out.extend([{"depth": 1, "title": "Business keys and hash keys"}, ""]) -%}
        {%- for rule in spec.hashing.rules if not brief -%}
            {%- do out.append("- " ~ rule) -%}
        {%- endfor -%}
        {%- if not brief -%}{%- do out.append("") -%}{%- endif -%}
        {%- for key in spec.hash_keys -%}
            {%- do out.extend([{"depth": 2, "title": dv_spec._md_code(key.column) ~ ": " ~ key.role}, "",
                "Hashes, in this order: " ~ dv_spec._md_codes(key.inputs) ~ ". Type " ~ dv_spec._md_code(key.type) ~ ".", ""]) -%}
            {%- set sql = [] -%}
            {%- for derivation in key.derivations -%}
                {%- do sql.extend(([] if brief and spec.sources | length == 1 else ["-- in " ~ derivation.stage ~ " (from " ~ derivation.source ~ ")"]) + [derivation.sql]) -%}
            {%- endfor -%}
            {%- if sql -%}
                {%- do out.extend([dv_spec._md_fence(sql | join("\n"), "sql"), ""]) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if spec.hashdiff -%}
            {%- do out.extend([{"depth": 2, "title": dv_spec._md_code(spec.hashdiff.column) ~ ": hashdiff"}, "",
                ("Hashes, in AutomateDV's order (alphabetical): " if brief else "Covers " ~ dv_spec._md_codes(spec.hashdiff.columns) ~ "; hashed in AutomateDV's order (alphabetical): ")
                ~ dv_spec._md_codes(spec.hashdiff.hash_order) ~ ". Type " ~ dv_spec._md_code(spec.hashdiff.type) ~ ".", ""]) -%}
            {%- set sql = [] -%}
            {%- for derivation in spec.hashdiff.derivations -%}
                {%- do sql.extend(([] if brief and spec.sources | length == 1 else ["-- in " ~ derivation.stage ~ " (from " ~ derivation.source ~ ")"]) + [derivation.sql]) -%}
            {%- endfor -%}
            {%- if sql -%}
                {%- do out.extend([dv_spec._md_fence(sql | join("\n"), "sql"), ""]) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}

    {%- do out.extend([{"depth": 1, "title": "Load pattern"}, ""]) -%}
    {%- for line in spec.load_pattern -%}
        {%- do out.append("- " ~ line) -%}
    {%- endfor -%}
    {%- do out.append("") -%}

    {%- set rows = [] -%}
    {%- for column in spec.columns -%}
        {%- do rows.append([dv_spec._md_code(column.name), dv_spec._md_code(column.type) if column.type else "**unknown**",
                            dv_spec._md_cell(column.role), dv_spec._md_cell(column.type_from or "not declared: " ~ column.unknown_in | join(", "))]) -%}
    {%- endfor -%}
    {%- if spec.ddl -%}
        {%- do out.extend([{"depth": 1, "title": "Target table (Snowflake)"}, "", dv_spec._md_fence(spec.ddl, "sql"), ""]) -%}
    {%- else -%}
        {%- do out.extend([{"depth": 1, "title": "Columns added by the stage"}, "", "A view: every column of its source, plus:", ""]) -%}
    {%- endif -%}
    {%- if not (brief and spec.ddl) -%}
        {%- do out.extend([dv_spec._md_table(["column", "type", "role", "type from"], rows), ""]) -%}
    {%- endif -%}

    {%- set model = spec.model -%}
    {%- set lines = ["- File: " ~ dv_spec._md_code(model.path)] -%}
    {%- if model.config -%}
        {%- do lines.append("- Config: " ~ dv_spec._md_code(model.config) ~ " (materialized " ~ dv_spec._md_code(model.materialized) ~ ")") -%}
    {%- else -%}
        {%- do lines.append("- Config: not generated; `dv-spec scaffold` refuses this design as it stands (see the open questions)") -%}
    {%- endif -%}
    {%- do lines.append("- AutomateDV macro: " ~ dv_spec._md_code(model.automate_dv_macro)) -%}
    {%- if model.tests_in -%}
        {%- do lines.append("- Acceptance tests: the `ac_" ~ spec.name ~ "_NN_*` entries under `data_tests` in " ~ dv_spec._md_code(model.tests_in) ~ " (`dv-spec scaffold` writes them)") -%}
    {%- endif -%}
    {%- if not brief -%}
        {%- do out.extend([{"depth": 1, "title": "dbt model"}, ""] + lines + [""]) -%}
    {%- endif -%}

    {%- set lines = [] -%}
    {%- for item in spec.dependencies.upstream -%}
        {%- do lines.append("- Upstream: " ~ dv_spec._md_code(item.name) ~ ", " ~ dv_spec._md_cell(item.type) ~ ": " ~ item.why | replace("\n", " ")) -%}
    {%- endfor -%}
    {%- for item in spec.dependencies.downstream -%}
        {%- do lines.append("- Downstream: " ~ dv_spec._md_code(item.name) ~ " (" ~ item.kind ~ "): " ~ item.why) -%}
    {%- endfor -%}
    {%- for name in spec.dependencies.downstream_models -%}
        {%- do lines.append("- Downstream model outside the design: " ~ dv_spec._md_code(name)) -%}
    {%- endfor -%}
    {%- if not spec.dependencies.downstream and not spec.dependencies.downstream_models -%}
        {%- do lines.append("- Downstream: nothing in the design reads it yet") -%}
    {%- endif -%}
    {%- if not brief -%}
        {%- do out.extend([{"depth": 1, "title": "Dependencies"}, ""] + lines + [""]) -%}
    {%- endif -%}

    {%- do out.extend([{"depth": 1, "title": "Acceptance criteria"}, ""]
        + ([] if brief else ["The ids are the ones the generated dbt tests (`config.meta.acceptance_criterion`) and `dv-spec check` report.", ""]) + [
        dv_spec._spec_criteria_table(spec.acceptance_criteria, brief), ""]) -%}

    {%- do out.extend([{"depth": 1, "title": "Open questions for the architect"}, "",
        dv_spec._spec_questions_list(spec.open_questions)]) -%}
    {{ return(out) }}
{%- endmacro -%}


{#- with_entities=false leaves out the entity specs (a subject-area prompt points at each entity's own prompt). -#}
{%- macro _spec_area_markdown(spec, level, with_entities=true, cache=none) -%}
    {%- set h = level -%}
    {%- set out = [dv_spec._md_heading(h, "Subject area: " ~ spec.name), ""] -%}
    {%- set count = spec.acceptance_criteria_count -%}
    {%- do out.extend([dv_spec._md_count(spec.entities | length, "entity", "entities") ~ ", owned by " ~ (dv_spec._md_codes(spec.owners) if spec.owners else "nobody yet") ~ "; "
        ~ dv_spec._md_count(count.total, "acceptance criterion", "acceptance criteria") ~ " (" ~ count["dbt test"] ~ " by dbt tests, " ~ count["dv-spec check"] ~ " by `dv-spec check`, "
        ~ count.review ~ " by review); " ~ dv_spec._md_count(spec.open_questions | length, "open question", "open questions") ~ ".", ""]) -%}

    {%- set rows = [] -%}
    {%- for entity in spec.entities -%}
        {%- do rows.append(["[" ~ dv_spec._md_code(entity.name) ~ "](#" ~ entity.name ~ "-" ~ entity.kind ~ ")",
                            dv_spec._md_code(entity.kind), dv_spec._md_cell(entity.owner or "not set"),
                            dv_spec._md_cell(entity.summary), dv_spec._md_code(entity.model_path)]) -%}
    {%- endfor -%}
    {%- do out.extend([dv_spec._md_heading(h + 1, "Entities"), "", dv_spec._md_table(["entity", "kind", "owner", "purpose", "model file"], rows), ""]) -%}

    {%- if spec.diagram -%}
        {%- do out.extend([dv_spec._md_heading(h + 1, "Diagram"), "", dv_spec._md_fence(spec.diagram, "mermaid"), ""]) -%}
    {%- endif -%}

    {%- do out.extend([dv_spec._md_heading(h + 1, "Build order"), ""]) -%}
    {%- for step in spec.build_order -%}
        {%- do out.append(loop.index ~ ". " ~ step.step ~ ": " ~ dv_spec._md_codes(step.models)) -%}
    {%- endfor -%}
    {%- do out.append("") -%}

    {%- if spec.external_dependencies -%}
        {%- do out.extend([dv_spec._md_heading(h + 1, "Needs from other subject areas"), ""]) -%}
        {%- for item in spec.external_dependencies -%}
            {%- do out.append("- " ~ dv_spec._md_code(item.name) ~ " (" ~ item.kind ~ ", subject area " ~ (item.subject_area or "not set")
                ~ "), needed by " ~ dv_spec._md_codes(item.needed_by)) -%}
        {%- endfor -%}
        {%- do out.append("") -%}
    {%- endif -%}

    {%- if spec.stages -%}
        {%- do out.extend([dv_spec._md_heading(h + 1, "Stages"), ""]) -%}
        {%- for stage in spec.stages -%}
            {%- set rows = [] -%}
            {%- for column in stage.columns -%}
                {%- do rows.append([dv_spec._md_code(column.column), dv_spec._md_code(column.type) if column.type else "unknown",
                                    dv_spec._md_cell(column.computed), dv_spec._md_codes(column.needed_by) if column.needed_by else "-"]) -%}
            {%- endfor -%}
            {%- do out.extend([dv_spec._md_heading(h + 2, dv_spec._md_code(stage.name)), "",
                ("Declared in the design" if stage.declared else "Derived (`dv-spec scaffold` writes it)") ~ "; reads " ~ dv_spec._md_code(stage.reads)
                ~ "; used by " ~ dv_spec._md_codes(stage.consumers) ~ ". "
                ~ ("Every column: the source's, passed through, then what the stage computes." if stage.source_columns_known
                   else "The source's columns are not known (no CSV header or declared columns): it passes them all through, then computes:"), "",
                dv_spec._md_table(["column", "type", "computed as", "needed by"], rows), ""]) -%}
        {%- endfor -%}
    {%- endif -%}

    {%- do out.extend([dv_spec._md_heading(h + 1, "Open questions for the architect"), "",
        dv_spec._spec_questions_list(spec.open_questions, with_entity=true), ""]) -%}

    {%- for entity_spec in spec.specs if with_entities -%}
        {%- do out.extend(["---", "", dv_spec._spec_entity_markdown(entity_spec, h + 1, cache=cache)]) -%}
    {%- endfor -%}
    {{ return(out | join("\n") | trim ~ "\n") }}
{%- endmacro -%}
