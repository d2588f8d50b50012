{#-
    entity_spec's open questions for the architect (entity_spec.sql).
-#}

{%- macro _spec_open_questions(entity, design, context, columns) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set kind = entity.kind -%}
    {%- set out = [] -%}
    {%- if not (entity.description or "") | trim -%}
        {%- do out.append({"topic": "purpose", "question": "`" ~ entity.name ~ "` has no description: what is it for, and what does one row mean? (the model's `description` in " ~ entity.file ~ ")"}) -%}
    {%- endif -%}
    {%- if not entity.owner -%}
        {%- do out.append({"topic": "owner", "question": "No `owner`: who answers questions about `" ~ entity.name ~ "` and signs off its changes?"}) -%}
    {%- endif -%}
    {%- if not entity.subject_area -%}
        {%- do out.append({"topic": "subject area", "question": "No `subject_area`: which subject area does `" ~ entity.name ~ "` belong to?"}) -%}
    {%- endif -%}
    {%- for source in entity.sources if not source.record_source_declared and kind != "stage" -%}
        {%- do out.append({"topic": "record source", "question": "The record source of `" ~ source.ref ~ "` is not declared, so the default `" ~ source.record_source ~ "` (the dbt reference) is written to `" ~ design.settings.record_source_column ~ "`. Is that the agreed record-source code? (set `record_source` on the source)"}) -%}
    {%- endfor -%}
    {%- if kind == "stage" -%}
        {%- for source in entity.sources if not source.record_source_declared -%}
            {%- do out.append({"topic": "record source", "question": "The record source of `" ~ source.ref ~ "` is not declared, so entities reading this stage write `" ~ source.record_source ~ "`. Is that the agreed record-source code?"}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set unknown = {} -%}
    {%- for column in columns -%}
        {%- for item in column.unknown_in -%}
            {%- set parts = item.rsplit(".", 1) -%}
            {%- if parts[0] not in unknown -%}{%- do unknown.update({parts[0]: []}) -%}{%- endif -%}
            {%- if parts[1] not in unknown[parts[0]] -%}{%- do unknown[parts[0]].append(parts[1]) -%}{%- endif -%}
        {%- endfor -%}
        {%- if column.conflicting_types -%}
            {%- do out.append({"topic": "column types", "question": "The sources disagree on the type of `" ~ column.name ~ "` (" ~ column.conflicting_types | join(", ") ~ "): which type should the target column have, and how is the other cast?"}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for ref, names in unknown | dictsort -%}
        {%- do out.append({"topic": "column types", "question": "The type of " ~ dv_spec._md_codes(names) ~ " in `" ~ ref ~ "` is not declared, so the target DDL cannot be exact. Declare `data_type` on those columns (or the seed's `column_types`)."}) -%}
    {%- endfor -%}
    {%- for warning in context.design_warnings.get(entity.name, []) -%}
        {%- do out.append({"topic": "design (" ~ warning.rule ~ ")", "question": warning.message ~ ". Should we " ~ warning.hint ~ "?"}) -%}
    {%- endfor -%}
    {%- if kind_table[kind].family == "sat" -%}
        {%- set stages = [] -%}
        {%- for source in entity.sources if source.stage not in stages -%}{%- do stages.append(source.stage) -%}{%- endfor -%}
        {%- if stages | length > 1 -%}
            {%- do out.append({"topic": "sources", "question": "`" ~ entity.name ~ "` reads " ~ stages | length ~ " stages (" ~ stages | join(", ") ~ "), but AutomateDV loads a satellite from one: split it into one satellite per source, or declare one stage that unions them?"}) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if kind == "pit" -%}
        {%- for sat in entity.satellites -%}
            {%- set other = design.entities.get(sat.name) -%}
            {%- if other and not other.ghost_record -%}
                {%- do out.append({"topic": "ghost records", "question": "`" ~ entity.name ~ "` points at the ghost record when `" ~ sat.name ~ "` has no row yet, but `" ~ sat.name ~ "` does not ask for one (`ghost_record: true`). Should it?"}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if kind == "bridge" -%}
        {%- for link in entity.links if not link.effectivity_satellite -%}
            {%- do out.append({"topic": "bridge path", "question": "Link `" ~ link.name ~ "` has no effectivity satellite in `effectivity_satellites`; AutomateDV's bridge needs one per link to know which relationships are in force. Which one?"}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set link = entity if kind_table[kind].family == "link" else (design.entities.get(entity.parent) if kind_table[kind].family == "sat" and entity.parent else none) -%}
    {%- if link and kind_table[link.kind].family == "link" -%}
        {#- AutomateDV's link and nh_link drop a row if ANY foreign key is NULL; a multi-column
            link key is NULL only if ALL are, and sat, ma_sat and xts filter on that key alone. -#}
        {%- set sourced = [] -%}
        {%- for source in entity.sources -%}
            {%- for ref in link.refs -%}
                {%- set ref_columns = [] -%}
                {%- for column in source.key_columns if column.ref == ref.name -%}{%- do ref_columns.append(column.source_column) -%}{%- endfor -%}
                {%- set item = "`" ~ ref.foreign_key ~ "` from `" ~ source.ref ~ "." ~ ref_columns | join("`, `") ~ "`" if ref_columns else "`" ~ ref.foreign_key ~ "`" -%}
                {%- if item not in sourced -%}{%- do sourced.append(item) -%}{%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if kind_table[kind].family == "link" -%}
            {%- set effect = "so a satellite of `" ~ link.name ~ "` keeps a row with one NULL foreign key (its link key is NULL only when all are) and fails its parent-key test" -%}
        {%- elif kind == "eff_sat" -%}
            {%- set effect = "and so does this effectivity satellite (driving or secondary key NULL): such relationships are recorded nowhere" -%}
        {%- else -%}
            {%- set effect = "but this satellite drops a row only when its link key is NULL (all foreign keys NULL), so a row with one NULL foreign key loads here and fails the parent-key test" -%}
        {%- endif -%}
        {%- do out.append({"topic": "NULL foreign keys", "question": "AutomateDV's " ~ link.kind ~ " drops a source row when any foreign key is NULL (" ~ sourced | join(", ") ~ "), " ~ effect ~ ". How are NULL foreign keys handled: the source guarantees them NOT NULL, the stage maps them to zero keys (AutomateDV `null_columns`: -1 required, -2 optional), or such rows are filtered before the stage?"}) -%}
    {%- endif -%}
    {%- set stages = [] -%}
    {%- for source in entity.sources -%}
        {%- set stage_name = entity.name if kind == "stage" else source.stage -%}
        {%- if stage_name not in stages -%}{%- do stages.append(stage_name) -%}{%- endif -%}
    {%- endfor -%}
    {%- for stage_name in stages if stage_name in design.stages -%}
        {%- for conflict in design.stages[stage_name].conflicts if entity.name in (conflict.first, conflict.second) -%}
            {%- do out.append({"topic": "stage", "question": "Stage `" ~ stage_name ~ "` column `" ~ conflict.column ~ "` is defined differently by `" ~ conflict.first ~ "` and `" ~ conflict.second ~ "` (DV217): which definition is right?"}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro -%}
