{#-
    instruction_files(design, context, prefix=""): the repository-level
    instruction files coding assistants read on their own, as
    [{path, content}]:
      .github/copilot-instructions.md            (GitHub Copilot, every request)
      .github/instructions/data-vault.instructions.md
                                                 (Copilot, files matching `applyTo`:
                                                  the folders holding vault models and stages)
      AGENTS.md                                  (coding agents: Claude, Copilot agent, Codex)
      CLAUDE.md                                  (Claude Code: imports AGENTS.md)
      <prefix>/dbt-styleguide.md                 (dbt Copilot's project style guide, at the dbt project root)
    The last two have `managed: true`: their content is a block the command
    line merges into a person's own file (between dv-spec markers) rather
    than a whole file. `style` (automate_dv or plain_sql) is the way models
    are written, as in spec_prompt, so the files never contradict the prompts.
    Built from the resolved design, its settings and the hash settings in
    `context` (see entity_spec). `prefix` is the dbt project's folder
    relative to where the files are written ("" when that is the project),
    so `applyTo` globs and commands point at the right place.
-#}
{%- macro instruction_files(design, context, prefix="", style="automate_dv") -%}
    {%- if style not in ("automate_dv", "plain_sql") -%}
        {{ exceptions.raise_compiler_error("instruction_files: `style` must be automate_dv or plain_sql; got " ~ style) }}
    {%- endif -%}
    {%- set context = dv_spec._spec_context(context) -%}
    {%- set settings = design.settings -%}
    {%- set base = (prefix ~ "/") if prefix else "" -%}
    {%- set project_dir = " --project-dir " ~ prefix if prefix else "" -%}
    {%- set conventions = dv_spec._spec_conventions(settings, context) -%}
    {%- set hashing = dv_spec._spec_hashing({"ghost_record": false}, context) -%}

    {#- Where the vault's models live: each entity's folder and the derived-stage folder. -#}
    {%- set folders = [conventions.stage_folder] -%}
    {%- for name, entity in design.entities | dictsort -%}
        {%- set folder = entity.file.split("/")[:-1] | join("/") -%}
        {%- if folder and folder not in folders -%}{%- do folders.append(folder) -%}{%- endif -%}
    {%- endfor -%}
    {%- set globs = [] -%}
    {%- for folder in folders | sort -%}
        {%- set covered = namespace(value=false) -%}
        {%- for other in folders if other != folder and folder.startswith(other ~ "/") -%}{%- set covered.value = true -%}{%- endfor -%}
        {%- if not covered.value -%}{%- do globs.append(base ~ folder ~ "/**") -%}{%- endif -%}
    {%- endfor -%}

    {%- set areas = {} -%}
    {%- for name, entity in design.entities | dictsort -%}
        {%- set area = entity.subject_area or "(no subject area)" -%}
        {%- if area not in areas -%}{%- do areas.update({area: []}) -%}{%- endif -%}
        {%- do areas[area].append(name) -%}
    {%- endfor -%}
    {%- set area_rows = [] -%}
    {%- for area, names in areas | dictsort -%}
        {%- do area_rows.append([dv_spec._md_cell(area), dv_spec._md_codes(names)]) -%}
    {%- endfor -%}

    {%- set naming = [] -%}
    {%- for key, value in conventions.naming | dictsort -%}
        {%- set parts = [key] -%}
        {%- if value.get("prefix") -%}{%- do parts.append("`" ~ value.prefix ~ "...`") -%}{%- endif -%}
        {%- if value.get("suffix") -%}{%- do parts.append("`..." ~ value.suffix ~ "`") -%}{%- endif -%}
        {%- do naming.append(parts | join(" ")) -%}
    {%- endfor -%}

    {%- set rules = [
        "- The design is data: each vault model's schema YAML entry has a `config.meta.dv` block (kind, keys, sources); dv-spec's design contract explains every key. Architects own it. Do not change a `config.meta.dv` block or a model description unless you are asked to; when the design looks wrong, say so.",
        "- Every model has a spec: `dv-spec spec" ~ project_dir ~ " --select <model>` prints it (or `dbt run-operation dv_spec_entity_spec --args '{entity: <model>}'`). Implement the spec exactly: the target table's columns, no more and no fewer, in its order; the mapping; the hash SQL; the load pattern.",
        "- Hash keys and hashdiffs use AutomateDV's recipe, algorithm " ~ conventions.hash_algorithm ~ " (BINARY(" ~ hashing.bytes ~ ")):\n  - " ~ hashing.rules | join("\n  - "),
        "- Every vault table has `" ~ conventions.load_datetime_column ~ "` (TIMESTAMP_NTZ) and `" ~ conventions.record_source_column ~ "` (VARCHAR); the record source is the literal the design declares per source.",
        "- Loads are insert-only: never UPDATE, DELETE or MERGE rows already loaded. Each spec's Load pattern states the rules, edge cases included (NULL keys dropped, several rows of a key in one run, ties, late-arriving rows, NULL load datetimes).",
        "- Read through `ref()` and `source()` only; derived stages are `" ~ conventions.stage_prefix ~ "<source>` models in `" ~ base ~ conventions.stage_folder ~ "/`.",
        "- Names: " ~ naming | join(", ") ~ ".",
        "- Acceptance criteria have ids `AC-<model>-NN`. The dbt tests named `ac_<model>_NN_<test>` (with `config.meta.acceptance_criterion`) check some of them, `dv-spec check` others, and a person the rest. Never weaken or delete an `ac_` test to make a build pass.",
        "- Files that start with a `Generated by dv-spec` comment are regenerated from the design; once edited by hand, dv-spec leaves them alone.",
        ("- Models are written with AutomateDV: a `yaml_metadata` block and one macro call (`automate_dv.stage`, `hub`, `link`, `t_link`/`nh_link`, `sat`, `ma_sat`, `eff_sat`, `xts`, `pit`, `bridge`, `ref_table`). `dv-spec scaffold" ~ project_dir ~ " --select <model>` writes them, and their stages, from the design."
         if style == "automate_dv" else
         "- Models are written in plain Snowflake SQL with dbt Jinja (`ref()`, `source()`, `is_incremental()`; incremental models with `incremental_strategy='append'`), not with AutomateDV's table macros. `dv-spec scaffold` writes an AutomateDV version of each model and stage; replace its body (same path, same columns)."),
    ] -%}
    {%- set verify = [
        "- `dv-spec validate" ~ project_dir ~ "`: the design is sound.",
        "- `dbt build --select +<model> --indirect-selection cautious` (plus `+<hub>` for each entity its tests read; the model's prompt gives the exact command): the model and what it reads build, and its `ac_` tests pass, even on a freshly seeded database.",
        "- `dv-spec check" ~ project_dir ~ " --select <model>`: the compiled SQL matches the design; it lists what a person must review.",
    ] -%}

    {%- set copilot = [
        "# Copilot instructions" ~ (": dbt project `" ~ context.project ~ "`" if context.project else ""), "",
        "This repository holds a dbt project that implements a Data Vault 2.0 design on Snowflake with the AutomateDV package. An architect decides the design; engineers and assistants implement it. When you write or review a vault model (hubs, links, satellites, PITs, bridges, reference tables and their stages):", "",
    ] + rules + ["", "## Checking work", ""] + verify + ["", "## The design", "",
        dv_spec._md_table(["subject area", "entities"], area_rows)] -%}

    {%- set hash_examples = dv_spec._md_fence("-- one column\n" ~ hashing.examples.one_column ~ "\n-- several columns, in the design's order\n" ~ hashing.examples.two_columns
            ~ "\n-- hashdiff (columns sorted by name)\n" ~ hashing.examples.hashdiff, "sql") -%}

    {%- set vault = [
        "# Data Vault models", "",
        "These files implement entities of the Data Vault design (`config.meta.dv` in the schema YAML beside them).", "",
    ] + rules + ["",
        "Hash SQL by shape (Snowflake):", "",
        hash_examples, "",
        "## Checking work", ""] + verify -%}

    {%- set agents = [
        "# AGENTS.md", "",
        "Guidance for coding agents working in this repository: a dbt project implementing a Data Vault 2.0 design on Snowflake with AutomateDV, specified and checked by dv-spec.", "",
        "## Where things are", "",
        "- The design: `config.meta.dv` blocks in the schema YAML under " ~ dv_spec._md_codes(folders | sort) ~ " (dbt project" ~ (" `" ~ prefix ~ "`" if prefix else " at the repository root") ~ ").",
        "- Specs and starter prompts: `dv-spec spec" ~ project_dir ~ " --select <model>` and `dv-spec prompts" ~ project_dir ~ " --select <model>` print them; `--out DIR` writes them all.",
        "- Project settings: `vars: {dv_spec: ...}` in `" ~ base ~ "dbt_project.yml`.", "",
        "## Rules", "",
    ] + rules + ["", "## Definition of done", "",
        "- `dv-spec validate` reports no errors, the model's `dbt build` passes (with its `ac_` tests), and `dv-spec check --select <model>` has no findings for the model.",
        "- The pull request lists each acceptance criterion that is verified by review, with how the code meets it, and the questions left for the architect.", "",
        "## Commands", ""] + verify -%}

    {#- dbt Copilot reads the project's dbt-styleguide.md as its style guide; the Data Vault part of it. -#}
    {%- set styleguide = [
        "## Data Vault models (dv-spec)", "",
        "The vault models of this project (hubs, links, satellites, PITs, bridges, reference tables and their stages) implement a Data Vault 2.0 design kept in the schema YAML (`config.meta.dv`). When you generate or edit one:", "",
    ] + rules + ["",
        "Hash SQL by shape (Snowflake):", "",
        hash_examples] -%}
    {%- set claude = [
        "@" ~ "AGENTS.md", "",
        "The file above is this repository's guidance for coding agents (Data Vault design, dv-spec commands, definition of done); Claude Code reads it through this import.",
    ] -%}

    {%- set front = "---\napplyTo: \"" ~ globs | join(",") ~ "\"\n---\n" -%}
    {{ return([
        {"path": ".github/copilot-instructions.md",
         "content": dv_spec._md_generated(copilot | join("\n") ~ "\n", "the design of the dbt project", "dv-spec prompts --instructions")},
        {"path": ".github/instructions/data-vault.instructions.md",
         "content": dv_spec._md_generated(vault | join("\n") ~ "\n", "the design of the dbt project", "dv-spec prompts --instructions", front)},
        {"path": "AGENTS.md",
         "content": dv_spec._md_generated(agents | join("\n") ~ "\n", "the design of the dbt project", "dv-spec prompts --instructions")},
        {"path": "CLAUDE.md", "content": claude | join("\n") ~ "\n", "managed": true},
        {"path": base ~ "dbt-styleguide.md", "content": styleguide | join("\n") ~ "\n", "managed": true},
    ]) }}
{%- endmacro -%}
