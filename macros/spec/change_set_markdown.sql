{#-
    change_set_markdown(change_set): the Markdown of a change set (what
    `dv-spec diff --base REF` computes: entities added, removed and changed
    key by key, what each change implies for data already loaded, the
    affected downstream models, migration steps, acceptance criteria for
    the change, open questions, and the starter prompt when the change set
    carries one under `starter_prompt`).
-#}
{%- macro change_set_markdown(change_set) -%}
    {%- if change_set is not mapping or change_set.get("spec_type") != "change_set" -%}
        {{ exceptions.raise_compiler_error("change_set_markdown: expected what `dv-spec diff` computes (spec_type change_set); got " ~ (change_set | string)[:80]) }}
    {%- endif -%}
    {%- set cs = change_set -%}
    {%- set summary = cs.summary -%}
    {%- set out = ["# Change set: `" ~ cs.base.ref ~ "` to the " ~ cs.head, ""] -%}
    {%- do out.extend(["Base: `" ~ cs.base.ref ~ "` (commit `" ~ cs.base.commit[:12] ~ "`) of dbt project `" ~ cs.project ~ "`. "
        ~ summary.added | length ~ " added, " ~ summary.removed | length ~ " removed, " ~ summary.changed | length ~ " changed"
        ~ (", project settings changed" if summary.settings_changed else "") ~ "; " ~ dv_spec._md_count(cs.affected | length, "other design entity", "other design entities") ~ " affected.", ""]) -%}

    {%- if not cs.changes and not cs.settings_changes -%}
        {%- do out.append("The design is the same: nothing to migrate.") -%}
        {{ return(dv_spec._md_generated(out | join("\n") ~ "\n", "the design at " ~ cs.base.ref ~ " and in the " ~ cs.head, "dv-spec diff")) }}
    {%- endif -%}

    {%- set rows = [] -%}
    {%- for entry in cs.changes -%}
        {%- set key_level = [] -%}
        {%- for change in entry.changes if change.key_level -%}{%- do key_level.append(change.aspect) -%}{%- endfor -%}
        {%- do rows.append([dv_spec._md_code(entry.entity), dv_spec._md_code(entry.kind), entry.status,
                            dv_spec._md_cell(key_level | unique | join(", ") if key_level else "no"), dv_spec._md_cell(entry.owner or "not set")]) -%}
    {%- endfor -%}
    {%- do out.extend(["## Summary", "", dv_spec._md_table(["entity", "kind", "change", "key-level", "owner"], rows), ""]) -%}

    {%- if cs.settings_changes -%}
        {%- do out.extend(["## Project settings", ""]) -%}
        {%- for change in cs.settings_changes -%}
            {%- do out.append("- " ~ change.text ~ " (" ~ change.rule ~ ")") -%}
            {%- for text in change.implications -%}{%- do out.append("  - " ~ text) -%}{%- endfor -%}
        {%- endfor -%}
        {%- do out.append("") -%}
    {%- endif -%}

    {%- do out.extend(["## Changes", ""]) -%}
    {%- for entry in cs.changes -%}
        {%- do out.extend(["### `" ~ entry.entity ~ "` (" ~ entry.kind ~ "): " ~ entry.status, ""]) -%}
        {%- for change in entry.changes -%}
            {%- do out.append("- " ~ change.text ~ " (" ~ change.rule ~ ")") -%}
        {%- endfor -%}
        {%- do out.extend(["", "What it implies:", ""]) -%}
        {%- for text in entry.implications | unique -%}
            {%- do out.append("- " ~ text) -%}
        {%- endfor -%}
        {%- if entry.affected or entry.affected_models -%}
            {%- do out.extend(["", "Affected downstream:", ""]) -%}
            {%- for item in entry.affected -%}
                {%- do out.append("- `" ~ item.name ~ "` (" ~ item.kind ~ "): " ~ item.why ~ ("; re-keyed" if item.rekeyed else "")) -%}
            {%- endfor -%}
            {%- for name in entry.affected_models -%}
                {%- do out.append("- `" ~ name ~ "` (a model outside the design, from dbt's graph)") -%}
            {%- endfor -%}
        {%- endif -%}
        {%- do out.append("") -%}
    {%- endfor -%}

    {%- if cs.affected -%}
        {%- set rows = [] -%}
        {%- for item in cs.affected -%}
            {%- do rows.append([dv_spec._md_code(item.name), dv_spec._md_code(item.kind), dv_spec._md_cell(item.why),
                                dv_spec._md_code(item.because_of), "yes" if item.rekeyed else "no"]) -%}
        {%- endfor -%}
        {%- do out.extend(["## Affected entities that do not change themselves", "",
            dv_spec._md_table(["entity", "kind", "why", "because of", "re-keyed"], rows), ""]) -%}
    {%- endif -%}

    {%- do out.extend(["## Migration steps", ""]) -%}
    {%- for step in cs.migration_steps -%}
        {%- do out.append(loop.index ~ ". **" ~ step.phase ~ "**: " ~ step.text) -%}
    {%- endfor -%}
    {%- do out.append("") -%}

    {%- do out.extend(["## Acceptance criteria for the change", ""]) -%}
    {%- if cs.change_criteria -%}
        {%- set rows = [] -%}
        {%- for criterion in cs.change_criteria -%}
            {%- do rows.append([dv_spec._md_code(criterion.id), dv_spec._md_code(criterion.entity), dv_spec._md_cell(criterion.text), "review by a person"]) -%}
        {%- endfor -%}
        {%- do out.extend(["Specific to this change (no tool verifies these; a person does, with queries before and after):", "",
            dv_spec._md_table(["id", "entity", "criterion", "verified by"], rows), ""]) -%}
    {%- endif -%}
    {%- if cs.acceptance_criteria -%}
        {%- do out.extend(["The criteria of every added or changed entity, which must hold after the change (ids as the dbt tests and `dv-spec check` report them):", "",
            dv_spec._spec_criteria_table(cs.acceptance_criteria), ""]) -%}
    {%- endif -%}

    {%- do out.extend(["## Open questions for the architect", "", dv_spec._spec_questions_list(cs.open_questions, with_entity=true), ""]) -%}

    {%- if cs.get("starter_prompt") -%}
        {%- do out.extend(["## Starter prompt", "", "For dbt Copilot, Copilot Chat or Claude (also written by `dv-spec diff --prompt FILE`):", "",
            dv_spec._md_fence(cs.starter_prompt, "markdown"), ""]) -%}
    {%- endif -%}
    {{ return(dv_spec._md_generated(out | join("\n") | trim ~ "\n", "the design at " ~ cs.base.ref ~ " and in the " ~ cs.head, "dv-spec diff")) }}
{%- endmacro -%}
