{#-
    spec_prompt(spec, style="automate_dv"): a starter prompt for dbt
    Copilot, Copilot Chat or Claude, built from an entity spec (entity_spec)
    or a subject-area spec (subject_area_spec): the context, the exact task,
    the constraints (AutomateDV macros or plain SQL, the project's
    conventions), the acceptance criteria and what to hand back, followed by
    the spec itself (spec_markdown's text), so the assistant works from the
    same document the engineer reads.

    style: "automate_dv" (AutomateDV 0.11 macros with yaml_metadata) or
    "plain_sql" (Snowflake SQL with dbt Jinja, no AutomateDV).
-#}
{%- macro spec_prompt(spec, style="automate_dv") -%}
    {%- if style not in ("automate_dv", "plain_sql") -%}
        {{ exceptions.raise_compiler_error("spec_prompt: `style` must be automate_dv or plain_sql, e.g. spec_prompt(spec, 'plain_sql'); got " ~ style) }}
    {%- endif -%}
    {%- if spec is not mapping or spec.get("spec_type") not in ("entity", "subject_area") -%}
        {{ exceptions.raise_compiler_error("spec_prompt: `spec` must be what entity_spec or subject_area_spec returns; got " ~ (spec | string)[:80]) }}
    {%- endif -%}
    {%- if spec.spec_type == "entity" -%}
        {%- set body = dv_spec._prompt_entity(spec, style) -%}
        {{ return(dv_spec._md_generated(body, "the spec of " ~ spec.kind ~ " " ~ spec.name ~ " (" ~ spec.design_file ~ ")", "dv-spec prompts")) }}
    {%- endif -%}
    {%- set body = dv_spec._prompt_area(spec, style) -%}
    {{ return(dv_spec._md_generated(body, "the spec of subject area " ~ spec.name, "dv-spec prompts")) }}
{%- endmacro -%}


{%- macro _prompt_stack(style) -%}
    {{ return("Snowflake, dbt and the AutomateDV package (0.11)" if style == "automate_dv" else "Snowflake and dbt, in plain SQL (no AutomateDV macros)") }}
{%- endmacro -%}


{#- Columns of a spec with the given role codes, in table order. -#}
{%- macro _prompt_columns(spec, codes) -%}
    {%- set out = [] -%}
    {%- for column in spec.columns if column.role_code in codes -%}
        {%- do out.append(column.name) -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro -%}


{%- macro _prompt_yaml_value(key, values) -%}
    {%- if values is string -%}
        {{ return([key ~ ": " ~ values]) }}
    {%- elif values | length == 1 -%}
        {{ return([key ~ ": " ~ values[0]]) }}
    {%- endif -%}
    {%- set lines = [key ~ ":"] -%}
    {%- for value in values -%}{%- do lines.append("  - " ~ value) -%}{%- endfor -%}
    {{ return(lines) }}
{%- endmacro -%}


{#- The AutomateDV parameters for the entity's macro, from the spec's column roles; none for PITs,
    bridges and stages, whose metadata is structural (dv-spec scaffold writes it). -#}
{%- macro _prompt_automate_dv_metadata(spec) -%}
    {%- set kind = spec.kind -%}
    {%- if kind in ("pit", "bridge", "stage") -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set conventions = spec.conventions -%}
    {%- set stages = [] -%}
    {%- for source in spec.sources if source.stage and source.stage not in stages -%}{%- do stages.append(source.stage) -%}{%- endfor -%}
    {%- set lines = dv_spec._prompt_yaml_value("source_model", [spec.model.reads_through] if spec.model.reads_through else stages) -%}
    {%- set c = dv_spec._prompt_columns -%}
    {%- if kind == "hub" -%}
        {%- do lines.extend(["src_pk: " ~ c(spec, ["hash_key"])[0]] + dv_spec._prompt_yaml_value("src_nk", c(spec, ["business_key"]))) -%}
    {%- elif kind in ("link", "nh_link") -%}
        {%- do lines.append("src_pk: " ~ c(spec, ["hash_key"])[0]) -%}
        {%- do lines.extend(dv_spec._prompt_yaml_value("src_fk", c(spec, ["foreign_key"]))) -%}
        {%- if kind == "nh_link" -%}
            {%- do lines.extend(dv_spec._prompt_yaml_value("src_payload", c(spec, ["dependent_key", "payload"]))) -%}
            {%- set eff = c(spec, ["effective_from"]) -%}
            {%- do lines.append("src_eff: " ~ (eff[0] if eff else conventions.load_datetime_column)) -%}
        {%- endif -%}
    {%- elif kind in ("sat", "ma_sat") -%}
        {%- do lines.append("src_pk: " ~ c(spec, ["parent_hash_key"])[0]) -%}
        {%- if kind == "ma_sat" -%}
            {%- do lines.extend(dv_spec._prompt_yaml_value("src_cdk", c(spec, ["multi_active_key"]))) -%}
        {%- endif -%}
        {%- do lines.append("src_hashdiff: " ~ spec.hashdiff.column) -%}
        {%- do lines.extend(dv_spec._prompt_yaml_value("src_payload", c(spec, ["payload"]))) -%}
        {%- set eff = c(spec, ["effective_from"]) -%}
        {%- if eff -%}{%- do lines.append("src_eff: " ~ eff[0]) -%}{%- endif -%}
    {%- elif kind == "eff_sat" -%}
        {%- do lines.append("src_pk: " ~ c(spec, ["parent_hash_key"])[0]) -%}
        {%- do lines.extend(dv_spec._prompt_yaml_value("src_dfk", c(spec, ["driving_foreign_key"]))) -%}
        {%- do lines.extend(dv_spec._prompt_yaml_value("src_sfk", c(spec, ["secondary_foreign_key"]))) -%}
        {%- do lines.extend(["src_start_date: " ~ c(spec, ["start_date"])[0], "src_end_date: " ~ c(spec, ["end_date"])[0]]) -%}
        {%- set eff = c(spec, ["effective_from"]) -%}
        {%- do lines.append("src_eff: " ~ (eff[0] if eff else conventions.load_datetime_column)) -%}
    {%- elif kind == "ref_table" -%}
        {%- do lines.extend(dv_spec._prompt_yaml_value("src_pk", c(spec, ["reference_key"]))) -%}
        {%- do lines.extend(dv_spec._prompt_yaml_value("src_extra_columns", c(spec, ["payload"]))) -%}
    {%- endif -%}
    {%- do lines.extend(["src_ldts: " ~ conventions.load_datetime_column, "src_source: " ~ conventions.record_source_column]) -%}
    {{ return(lines | join("\n")) }}
{%- endmacro -%}


{#- The task for one entity, in the chosen style. -#}
{%- macro _prompt_task(spec, style) -%}
    {%- set kind = spec.kind -%}
    {%- set lines = [] -%}
    {%- set stages = [] -%}
    {%- for source in spec.sources if source.stage and source.stage not in stages -%}{%- do stages.append(source.stage) -%}{%- endfor -%}
    {%- if style == "automate_dv" -%}
        {%- if kind == "stage" -%}
            {%- do lines.append("Write " ~ dv_spec._md_code(spec.model.path) ~ ": " ~ dv_spec._md_code(spec.model.config) ~ ", a `yaml_metadata` block and a call to `automate_dv.stage(include_source_columns=true, ...)` that adds exactly the derived and hashed columns of the spec (derived_columns and hashed_columns; a hashdiff with `is_hashdiff: true`).") -%}
        {%- else -%}
            {%- do lines.append("Write " ~ dv_spec._md_code(spec.model.path) ~ ": " ~ (dv_spec._md_code(spec.model.config) ~ ", " if spec.model.config else "")
                ~ "a `yaml_metadata` block and a call to " ~ dv_spec._md_code(spec.model.automate_dv_macro) ~ " that passes every parameter from the metadata.") -%}
            {%- set metadata = dv_spec._prompt_automate_dv_metadata(spec) -%}
            {%- if metadata -%}
                {%- do lines.extend(["", "The metadata, from the design:", "", dv_spec._md_fence(metadata, "yaml")]) -%}
            {%- else -%}
                {%- do lines.extend(["", "Its metadata (" ~ ("`satellites` and `stage_tables_ldts`" if kind == "pit" else "`bridge_walk` and `stage_tables_ldts`")
                    ~ ") follows the upstream entities in the spec; `dv-spec scaffold --select " ~ spec.name ~ "` writes a version to start from."]) -%}
            {%- endif -%}
            {%- if stages -%}
                {%- do lines.extend(["", "It reads " ~ dv_spec._md_codes(stages) ~ ". Where a stage does not exist yet, also write it with `automate_dv.stage`, computing the hash keys"
                    ~ (", hashdiff" if spec.hashdiff else "") ~ ", record source and renamed columns exactly as the spec's mapping and SQL say (`dv-spec scaffold` writes derived stages too)."]) -%}
            {%- endif -%}
        {%- endif -%}
    {%- else -%}
        {%- if kind == "stage" -%}
            {%- do lines.append("Write " ~ dv_spec._md_code(spec.model.path) ~ " as a view: `select` every column of the source plus the derived and hashed columns of the spec, each hash with exactly the SQL given.") -%}
        {%- elif kind in ("pit", "bridge") -%}
            {%- do lines.append("Write " ~ dv_spec._md_code(spec.model.path) ~ " as plain Snowflake SQL with dbt Jinja (`ref()`), materialized as a table rebuilt from the as-of dates: the columns of the target table, one row per "
                ~ ("hub key and as-of date, each satellite's key and load datetime of its latest row loaded at or before the as-of date, else the ghost key and ghost date." if kind == "pit"
                   else "hub key, as-of date and path through the links, keeping only relationships in force on that date.")) -%}
        {%- else -%}
            {%- do lines.append("Write " ~ dv_spec._md_code(spec.model.path) ~ " as plain Snowflake SQL with dbt Jinja (`ref()`, `is_incremental()`), materialized `incremental` with `incremental_strategy='append'`: "
                ~ "select the target table's columns from the stage(s) and insert only what the load pattern says is new; never update or delete.") -%}
            {%- if stages -%}
                {%- do lines.extend(["", "It reads " ~ dv_spec._md_codes(stages) ~ ". Where a stage does not exist yet, also write it as a view over its source that computes the hash keys"
                    ~ (", hashdiff" if spec.hashdiff else "") ~ ", record source and renamed columns exactly as the spec's mapping and SQL say."]) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(lines | join("\n")) }}
{%- endmacro -%}


{%- macro _prompt_constraints(conventions, style) -%}
    {%- set naming = [] -%}
    {%- for key, value in conventions.naming | dictsort -%}
        {%- set parts = [key] -%}
        {%- if value.get("prefix") -%}{%- do parts.append("prefix `" ~ value.prefix ~ "`") -%}{%- endif -%}
        {%- if value.get("suffix") -%}{%- do parts.append("suffix `" ~ value.suffix ~ "`") -%}{%- endif -%}
        {%- do naming.append(parts | join(" ")) -%}
    {%- endfor -%}
    {%- set lines = [
        "- Implement the design exactly. Do not rename, add or drop columns: the table has exactly the columns of the spec's target table (`dv-spec check` verifies it).",
        "- Compute every hash key and hashdiff exactly as the spec's SQL shows (cast, trim, upper-case, empty string as NULL, the null placeholder, the separator, the column order). Add no other normalisation (no COALESCE to '', no LOWER).",
        "- Read only the upstream models the spec lists, through `ref()` / `source()`; never hard-code database or schema names.",
        "- Write the record-source literal and the load datetime exactly as the mapping says (`" ~ conventions.record_source_column ~ "`, `" ~ conventions.load_datetime_column ~ "`).",
        "- Insert-only: never UPDATE, DELETE or MERGE rows already loaded.",
        "- Leave the `config.meta.dv` design block and the model's description as they are, and do not weaken or remove the `ac_` data tests; a design change is the architect's call (say so under questions).",
        "- Project conventions: hash algorithm " ~ conventions.hash_algorithm ~ "; derived stages are named `" ~ conventions.stage_prefix ~ "<source>` in `" ~ conventions.stage_folder ~ "/`"
            ~ ("; names: " ~ naming | join(", ") if naming else "") ~ ".",
    ] -%}
    {%- if style == "automate_dv" -%}
        {%- do lines.append("- Use AutomateDV's macros (`automate_dv.stage`, `automate_dv.hub`, ...) with a `yaml_metadata` block, as AutomateDV's documentation shows; do not hand-write SQL the macro generates.") -%}
    {%- else -%}
        {%- do lines.append("- Do not use AutomateDV macros: write the SQL, readable and commented where it is not obvious.") -%}
    {%- endif -%}
    {{ return(lines | join("\n")) }}
{%- endmacro -%}


{%- macro _prompt_handback(names, stages) -%}
    {%- set lines = [
        "1. Every file you wrote or changed, complete, each in its own fenced block headed by its path.",
        "2. A checklist with one line per acceptance criterion id: how the code meets it (for `dbt test` and `dv-spec check` criteria) or what a reviewer should look at (for review criteria).",
        "3. The assumptions you made and your questions for the architect. The spec's open questions are not decided: do not settle them silently.",
        "4. The commands that verify it: `dbt build --select " ~ (stages + names) | join(" ") ~ "` (builds the models and runs their `ac_` tests), then `dv-spec check --select " ~ names | join(" ") ~ "`.",
    ] -%}
    {{ return(lines | join("\n")) }}
{%- endmacro -%}


{%- macro _prompt_entity(spec, style) -%}
    {%- set stages = [] -%}
    {%- for source in spec.sources if source.stage and source.stage not in stages -%}{%- do stages.append(source.stage) -%}{%- endfor -%}
    {%- set out = [
        "# Implement `" ~ spec.name ~ "` (" ~ spec.kind ~ ")", "",
        "> Starter prompt for dbt Copilot, Copilot Chat or Claude, generated by `dv-spec prompts` from the design. Paste it whole; the spec it ends with is the contract.", "",
        "## Context", "",
        "You are helping a data engineer implement one model of a Data Vault 2.0 design on " ~ dv_spec._prompt_stack(style) ~ ". "
            ~ "An architect has decided the design; your job is to implement it exactly, not to redesign it. When something is unclear or looks wrong, say so under questions instead of guessing.", "",
        "- Model: `" ~ spec.name ~ "` (kind `" ~ spec.kind ~ "`), subject area " ~ (spec.subject_area or "(not set)") ~ ", owned by " ~ (spec.owner or "(not set)") ~ ".",
        "- Purpose: " ~ (spec.purpose | replace("\n", " ") or "(no description; see the open questions)"),
        "- Design: the `config.meta.dv` block of `" ~ spec.name ~ "` in `" ~ spec.design_file ~ "`.", "",
        "## Task", "",
        dv_spec._prompt_task(spec, style), "",
        "## Constraints", "",
        dv_spec._prompt_constraints(spec.conventions, style), "",
        "## Acceptance criteria", "",
        "Your code is judged by these; the ids are the ones the dbt tests and `dv-spec check` report.", "",
        dv_spec._spec_criteria_table(spec.acceptance_criteria), "",
        "## Hand back", "",
        dv_spec._prompt_handback([spec.name], stages), "",
        "## The spec", "",
        dv_spec._spec_entity_markdown(spec, 3),
    ] -%}
    {{ return(out | join("\n") | trim ~ "\n") }}
{%- endmacro -%}


{%- macro _prompt_area(spec, style) -%}
    {%- set names = [] -%}
    {%- set stages = [] -%}
    {%- for step in spec.build_order -%}
        {%- do (stages if step.step == "Stages" else names).extend(step.models) -%}
    {%- endfor -%}
    {%- set tasks = [] -%}
    {%- for entity_spec in spec.specs -%}
        {%- do tasks.extend(["### `" ~ entity_spec.name ~ "` (" ~ entity_spec.kind ~ ")", "", dv_spec._prompt_task(entity_spec, style), ""]) -%}
    {%- endfor -%}
    {%- set criteria = [] -%}
    {%- for entity_spec in spec.specs -%}
        {%- do criteria.extend(entity_spec.acceptance_criteria) -%}
    {%- endfor -%}
    {%- set steps = [] -%}
    {%- for step in spec.build_order -%}
        {%- do steps.append(loop.index ~ ". " ~ step.step ~ ": " ~ dv_spec._md_codes(step.models)) -%}
    {%- endfor -%}
    {%- set conventions = spec.specs[0].conventions -%}
    {%- set out = [
        "# Implement subject area `" ~ spec.name ~ "`", "",
        "> Starter prompt for dbt Copilot, Copilot Chat or Claude, generated by `dv-spec prompts` from the design. Paste it whole; the spec it ends with is the contract.", "",
        "## Context", "",
        "You are helping a data engineer implement the " ~ spec.entities | length ~ (" model" if spec.entities | length == 1 else " models") ~ " of one subject area of a Data Vault 2.0 design on " ~ dv_spec._prompt_stack(style) ~ ". "
            ~ "An architect has decided the design; your job is to implement it exactly, not to redesign it. When something is unclear or looks wrong, say so under questions instead of guessing.", "",
        "## Task", "",
        "Work in the build order, one step at a time, and hand back after each step so the engineer can build and test it:", "",
        steps | join("\n"), "",
    ] + tasks + [
        "## Constraints", "",
        dv_spec._prompt_constraints(conventions, style), "",
        "## Acceptance criteria", "",
        "Your code is judged by these; the ids are the ones the dbt tests and `dv-spec check` report.", "",
        dv_spec._spec_criteria_table(criteria), "",
        "## Hand back", "",
        dv_spec._prompt_handback(names, stages), "",
        "## The spec", "",
        dv_spec._spec_area_markdown(spec, 3),
    ] -%}
    {{ return(out | join("\n") | trim ~ "\n") }}
{%- endmacro -%}
