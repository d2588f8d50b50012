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
    {{ return([key ~ ": [" ~ values | join(", ") ~ "]"]) }}
{%- endmacro -%}


{#- The AutomateDV parameters for the entity's macro, from the spec's column roles; none for PITs,
    bridges and stages, whose metadata is structural (dv-spec scaffold writes it). -#}
{%- macro _prompt_automate_dv_metadata(spec) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set kind = spec.kind -%}
    {%- if not kind_table[kind].staged -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set conventions = spec.conventions -%}
    {%- set stages = [] -%}
    {%- for source in spec.sources if source.stage and source.stage not in stages -%}{%- do stages.append(source.stage) -%}{%- endfor -%}
    {%- set lines = dv_spec._prompt_yaml_value("source_model", [spec.model.reads_through] if spec.model.reads_through else stages) -%}
    {%- set c = dv_spec._prompt_columns -%}
    {%- if kind == "hub" -%}
        {%- do lines.extend(["src_pk: " ~ c(spec, ["hash_key"])[0]] + dv_spec._prompt_yaml_value("src_nk", c(spec, ["business_key"]))) -%}
    {%- elif kind_table[kind].family == "link" -%}
        {%- do lines.append("src_pk: " ~ c(spec, ["hash_key"])[0]) -%}
        {%- do lines.extend(dv_spec._prompt_yaml_value("src_fk", c(spec, ["foreign_key"]))) -%}
        {%- if kind == "nh_link" -%}
            {%- do lines.extend(dv_spec._prompt_yaml_value("src_payload", c(spec, ["dependent_key", "payload"]))) -%}
            {%- set eff = c(spec, ["effective_from"]) -%}
            {%- do lines.append("src_eff: " ~ (eff[0] if eff else conventions.load_datetime_column)) -%}
        {%- endif -%}
    {%- elif kind_table[kind].hashdiff -%}
        {%- do lines.append("src_pk: " ~ c(spec, ["parent_hash_key"])[0]) -%}
        {%- if kind == "ma_sat" -%}
            {%- do lines.extend(dv_spec._prompt_yaml_value("src_cdk", c(spec, ["multi_active_key"]))) -%}
        {%- endif -%}
        {%- if spec.hashdiff.stage_column and spec.hashdiff.stage_column != spec.hashdiff.column -%}
            {%- do lines.extend(["src_hashdiff:", "  source_column: " ~ spec.hashdiff.stage_column, "  alias: " ~ spec.hashdiff.column]) -%}
        {%- else -%}
            {%- do lines.append("src_hashdiff: " ~ spec.hashdiff.column) -%}
        {%- endif -%}
        {%- do lines.extend(dv_spec._prompt_yaml_value("src_payload", c(spec, ["payload"]))) -%}
        {%- set eff = c(spec, ["effective_from"]) -%}
        {%- if eff -%}{%- do lines.append("src_eff: " ~ eff[0]) -%}{%- endif -%}
    {%- elif kind == "xts" -%}
        {%- do lines.extend(["src_pk: " ~ c(spec, ["parent_hash_key"])[0], "src_satellite:"]) -%}
        {%- for tracked in spec.tracked_satellites -%}
            {%- do lines.extend(["  " ~ tracked.name ~ ":", "    sat_name:", "      SATELLITE_NAME: " ~ tracked.name_column,
                                 "    hashdiff:", "      HASHDIFF: " ~ tracked.hashdiff]) -%}
        {%- endfor -%}
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


{#- The task for one entity, in the chosen style, saying who writes which file. -#}
{%- macro _prompt_task(spec, style) -%}
    {%- set kind = spec.kind -%}
    {%- set lines = [] -%}
    {%- set stage_names = [] -%}
    {%- for source in spec.sources if source.stage and source.stage not in stage_names -%}{%- do stage_names.append(source.stage) -%}{%- endfor -%}
    {%- set scaffolded = "`dv-spec scaffold` writes this file" ~ (" and its stage(s) " ~ dv_spec._md_codes(stage_names) if stage_names else "")
        ~ " in AutomateDV style, and never overwrites a file once edited." -%}
    {%- set stages = [] -%}
    {%- for source in spec.sources if source.stage and source.stage not in stages -%}{%- do stages.append(source.stage) -%}{%- endfor -%}
    {%- if style == "automate_dv" -%}
        {%- if kind == "stage" -%}
            {%- do lines.append("Write " ~ dv_spec._md_code(spec.model.path) ~ ": " ~ dv_spec._md_code(spec.model.config) ~ ", a `yaml_metadata` block and a call to `automate_dv.stage(include_source_columns=true, ...)` that adds exactly the derived and hashed columns of the spec (derived_columns and hashed_columns; a hashdiff with `is_hashdiff: true`).") -%}
        {%- else -%}
            {%- do lines.append("Write " ~ dv_spec._md_code(spec.model.path) ~ ": " ~ (dv_spec._md_code(spec.model.config) ~ ", " if spec.model.config else "")
                ~ "a `yaml_metadata` block and a call to " ~ dv_spec._md_code(spec.model.automate_dv_macro) ~ " passing every parameter of it.") -%}
            {%- set metadata = dv_spec._prompt_automate_dv_metadata(spec) -%}
            {%- if metadata -%}
                {%- do lines.extend(["", "The metadata:", "", dv_spec._md_fence(metadata, "yaml")]) -%}
            {%- else -%}
                {%- do lines.extend(["", "Its metadata (" ~ ("`satellites` and `stage_tables_ldts`" if kind == "pit" else "`bridge_walk` and `stage_tables_ldts`")
                    ~ ") follows the upstream entities in the spec; `dv-spec scaffold --select " ~ spec.name ~ "` writes a version to start from."]) -%}
            {%- endif -%}
            {%- if stages -%}
            {%- endif -%}
        {%- endif -%}
        {%- if spec.model.reads_through -%}
            {%- set scaffolded = scaffolded ~ " It also writes " ~ dv_spec._md_code(spec.model.reads_through) ~ ", the ephemeral model of the rows not loaded yet that the macro reads." -%}
        {%- endif -%}
        {%- do lines.extend(["", "Who writes what: " ~ scaffolded ~ " Where a file exists, check it against the spec; where not, write it"
            ~ (" (a stage with `automate_dv.stage`, as the spec's mapping and SQL say)" if stages else "") ~ "."]) -%}
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
        {%- endif -%}
        {%- do lines.extend(["", "Who writes what: " ~ scaffolded ~ " In this style you replace their bodies with your SQL (same paths, same columns)"
            ~ ("; a stage is a view over its source, as the spec's mapping and SQL say" if stages else "") ~ "."]) -%}
    {%- endif -%}
    {{ return(lines | join("\n")) }}
{%- endmacro -%}


{%- macro _prompt_constraints(conventions, style, kinds=none) -%}
    {%- set naming = [] -%}
    {%- for key, value in conventions.naming | dictsort if kinds is none or key in kinds or key in ("hash_key", "hashdiff") -%}
        {%- set parts = [key] -%}
        {%- if value.get("prefix") -%}{%- do parts.append("prefix `" ~ value.prefix ~ "`") -%}{%- endif -%}
        {%- if value.get("suffix") -%}{%- do parts.append("suffix `" ~ value.suffix ~ "`") -%}{%- endif -%}
        {%- do naming.append(parts | join(" ")) -%}
    {%- endfor -%}
    {%- set lines = [
        "- Implement the design exactly: the target columns, each hash with exactly the SQL shown (no other normalisation), the mapping, and the Load pattern with its edge cases.",
        "- Read only the upstream models listed, through `ref()` (`source('a', 'b')` for a source `a.b`). Insert-only: never UPDATE, DELETE or MERGE.",
        "- Leave the schema YAML alone (the `config.meta.dv` block, the description, the `ac_` tests): design changes are the architect's call; ask under questions.",
        "- Conventions: hash algorithm " ~ conventions.hash_algorithm ~ "; derived stages `" ~ conventions.stage_prefix ~ "<source>` in `" ~ conventions.stage_folder ~ "/`"
            ~ ("; names: " ~ naming | join(", ") if naming else "") ~ ".",
    ] -%}
    {%- if style == "automate_dv" -%}
        {%- do lines.append("- Use AutomateDV's macros with a `yaml_metadata` block; do not hand-write the SQL they generate.") -%}
    {%- else -%}
        {%- do lines.append("- Do not call AutomateDV's table macros (`automate_dv.hub`, `automate_dv.sat`, ...): write the SQL, readable and commented where it is not obvious. dv_spec's macros (`dv_spec.hash_expression`) may be used.") -%}
    {%- endif -%}
    {{ return(lines | join("\n")) }}
{%- endmacro -%}


{%- macro _prompt_handback(names, specs) -%}
    {%- set lines = [
        "1. Every file you wrote or changed, complete, each in a fenced block headed by its path.",
        "2. One line per acceptance criterion id: how the code meets it, or what to review.",
        "3. Your assumptions and questions; do not settle the spec's open questions silently.",
        "4. Verify from a freshly seeded database: `dbt build --select " ~ dv_spec._prompt_selectors(specs) ~ " --indirect-selection cautious` (builds all their tests read, then runs the `ac_` tests), then `dv-spec check --select " ~ names | join(" ") ~ "`.",
    ] -%}
    {{ return(lines | join("\n")) }}
{%- endmacro -%}


{#- `+a +hub_b`: dbt graph selectors for the entities and the design entities their tests read
    (a link's hubs, a satellite's parent), each with its parents, so every table a test reads is
    built first; with --indirect-selection cautious, tests of models outside the selection stay out. -#}
{%- macro _prompt_selectors(specs) -%}
    {%- set kinds = dv_spec._kinds_where("model") -%}
    {%- set names = [] -%}
    {%- for spec in specs -%}
        {%- if spec.name not in names -%}{%- do names.append(spec.name) -%}{%- endif -%}
        {%- for item in spec.dependencies.upstream if item.type in kinds and item.name not in names -%}
            {%- do names.append(item.name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set out = [] -%}
    {%- for name in names -%}{%- do out.append("+" ~ name) -%}{%- endfor -%}
    {{ return(out | join(" ")) }}
{%- endmacro -%}


{%- macro _prompt_entity(spec, style) -%}
    {%- set stages = [] -%}
    {%- for source in spec.sources if source.stage and source.stage not in stages -%}{%- do stages.append(source.stage) -%}{%- endfor -%}
    {%- set out = [
        "# Implement `" ~ spec.name ~ "` (" ~ spec.kind ~ ")", "",
        "> For dbt Copilot, Copilot Chat or Claude: paste it whole; the spec at its end is the contract.", "",
        "## Context", "",
        "You implement one model of a Data Vault 2.0 design on " ~ dv_spec._prompt_stack(style) ~ ", decided by an architect. "
            ~ "Where something is unclear or looks wrong, ask instead of guessing.", "",
        "- Model: `" ~ spec.name ~ "`, subject area " ~ (spec.subject_area or "(not set)") ~ ", owned by " ~ (spec.owner or "(not set)") ~ ".",
        "- Purpose: " ~ (spec.purpose | replace("\n", " ") or "(no description; see the open questions)"),
        "- Design: its `config.meta.dv` block in `" ~ spec.design_file ~ "`.", "",
        "## Task", "",
        dv_spec._prompt_task(spec, style), "",
        "## Constraints", "",
        dv_spec._prompt_constraints(spec.conventions, style, [spec.kind, "stage"]), "",
        "## Hand back", "",
        dv_spec._prompt_handback([spec.name], [spec]), "",
        "## The spec", "",
        dv_spec._spec_entity_markdown(spec, 3, brief=true),
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
    {%- set kinds = ["stage"] -%}
    {%- for entity_spec in spec.specs -%}{%- do kinds.append(entity_spec.kind) -%}{%- endfor -%}
    {%- set steps = [] -%}
    {%- for step in spec.build_order -%}
        {%- do steps.append(loop.index ~ ". " ~ step.step ~ ": " ~ dv_spec._md_codes(step.models)) -%}
    {%- endfor -%}
    {%- set conventions = spec.specs[0].conventions -%}
    {%- set out = [
        "# Implement subject area `" ~ spec.name ~ "`", "",
        "> For dbt Copilot, Copilot Chat or Claude: paste it whole; the spec at its end is the contract.", "",
        "## Context", "",
        "You implement the " ~ spec.entities | length ~ (" model" if spec.entities | length == 1 else " models") ~ " of one subject area of a Data Vault 2.0 design on " ~ dv_spec._prompt_stack(style) ~ ". "
            ~ "An architect decided the design: implement it exactly; where something is unclear or looks wrong, ask instead of guessing.", "",
        "## Task", "",
        "Work in the build order, one step at a time, and hand back after each step so the engineer can build and test it:", "",
        steps | join("\n"), "",
    ] + tasks + [
        "## Constraints", "",
        dv_spec._prompt_constraints(conventions, style, kinds), "",
        "## Hand back", "",
        dv_spec._prompt_handback(names, spec.specs), "",
        "## The entities' specs", "",
        "Each entity's spec, with its acceptance criteria, is in its own prompt, `<entity>.prompt.md` beside this file (`dv-spec prompts --select <entity>`): paste it when you reach that entity in the build order. This prompt holds what they share.", "",
        "## The subject area", "",
        dv_spec._spec_area_markdown(spec, 3, with_entities=false),
    ] -%}
    {{ return(out | join("\n") | trim ~ "\n") }}
{%- endmacro -%}
