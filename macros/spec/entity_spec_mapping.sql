{#-
    entity_spec's source-to-target mapping (entity_spec.sql).
-#}

{#- Source-to-target rows: {source, stage, source_column, transformation, target_column}. -#}
{%- macro _spec_mapping(entity, design) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set settings = design.settings -%}
    {%- set kind = entity.kind -%}
    {%- set rows = [] -%}
    {%- if kind == "stage" -%}
        {%- set stage = design.stages.get(entity.name) -%}
        {%- if stage -%}
            {%- do rows.append({"source": stage.source, "stage": none, "source_column": "*", "transformation": "every source column, as is (include_source_columns)", "target_column": "*"}) -%}
            {%- for column, item in stage.derived.items() -%}
                {%- if item.definition.startswith("!") -%}
                    {%- do rows.append({"source": stage.source, "stage": none, "source_column": none,
                                        "transformation": "literal '" ~ item.definition[1:] ~ "'", "target_column": column}) -%}
                {%- else -%}
                    {%- do rows.append({"source": stage.source, "stage": none, "source_column": item.definition,
                                        "transformation": "renamed", "target_column": column}) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- for column, item in stage.hashed.items() -%}
                {%- do rows.append({"source": stage.source, "stage": none,
                                    "source_column": (item.definition.columns if item.definition is mapping else item.definition) | join(", "),
                                    "transformation": ("hashdiff" if item.definition is mapping else "hash key") ~ " (see Hash keys)",
                                    "target_column": column}) -%}
            {%- endfor -%}
        {%- endif -%}
        {{ return(rows) }}
    {%- endif -%}
    {%- if kind in ("pit", "bridge") -%}
        {%- do rows.append({"source": entity.hub, "stage": none, "source_column": entity.hub_hash_key, "transformation": "every hub key", "target_column": entity.hub_hash_key}) -%}
        {%- do rows.append({"source": entity.as_of_dates, "stage": none, "source_column": "as_of_date", "transformation": "every as-of date (cross join with the hub keys)", "target_column": "as_of_date"}) -%}
        {%- for sat in entity.get("satellites", []) -%}
            {%- do rows.append({"source": sat.name, "stage": none, "source_column": entity.hub_hash_key,
                                "transformation": "key of the latest row loaded at or before as_of_date; the ghost key when there is none",
                                "target_column": sat.foreign_key}) -%}
            {%- do rows.append({"source": sat.name, "stage": none, "source_column": settings.load_datetime_column,
                                "transformation": "load datetime of that row; the ghost date when there is none",
                                "target_column": sat.foreign_load_datetime}) -%}
        {%- endfor -%}
        {%- for link in entity.get("links", []) -%}
            {%- do rows.append({"source": link.name, "stage": none, "source_column": link.hash_key,
                                "transformation": "link rows on the path from " ~ entity.hub ~ (", in force at as_of_date by " ~ link.effectivity_satellite ~ " (" ~ link.end_date ~ " = the maximum date)" if link.effectivity_satellite else ""),
                                "target_column": link.foreign_key}) -%}
        {%- endfor -%}
        {{ return(rows) }}
    {%- endif -%}
    {%- for source in entity.sources -%}
        {%- set row = {"source": source.upstream, "stage": source.stage} -%}
        {%- set key_sources = [] -%}
        {%- for column in source.key_columns -%}{%- do key_sources.append(column.source_column) -%}{%- endfor -%}
        {%- if kind == "hub" -%}
            {%- do rows.append(dv_spec._spec_row(row, key_sources | join(", "), "hash key (see Hash keys)", entity.hash_key)) -%}
            {%- for column in source.key_columns -%}
                {%- do rows.append(dv_spec._spec_row(row, column.source_column,
                    transformation="as is" if column.source_column == column.target else "renamed in the stage",
                    target_column=column.target)) -%}
            {%- endfor -%}
        {%- elif kind_table[kind].family == "link" -%}
            {%- do rows.append(dv_spec._spec_row(row, (key_sources + entity.dependent_keys) | join(", "), "hash key (see Hash keys)", entity.hash_key)) -%}
            {%- for ref in entity.refs -%}
                {%- set ref_columns = [] -%}
                {%- for column in source.key_columns if column.ref == ref.name -%}{%- do ref_columns.append(column.source_column) -%}{%- endfor -%}
                {%- do rows.append(dv_spec._spec_row(row, ref_columns | join(", "), "hash key of " ~ ref.hub ~ " (see Hash keys)", ref.foreign_key)) -%}
            {%- endfor -%}
            {%- if kind == "nh_link" -%}
                {%- for column in entity.dependent_keys + entity.payload -%}
                    {%- do rows.append(dv_spec._spec_row(row, column, "as is", column)) -%}
                {%- endfor -%}
                {%- if entity.effective_from -%}
                    {%- do rows.append(dv_spec._spec_row(row, entity.effective_from, "as is", entity.effective_from)) -%}
                {%- endif -%}
            {%- endif -%}
        {%- elif kind_table[kind].family == "sat" -%}
            {%- do rows.append(dv_spec._spec_row(row, key_sources | join(", "), "hash key of " ~ entity.parent ~ " (see Hash keys)", entity.parent_hash_key)) -%}
            {%- if kind == "eff_sat" -%}
                {%- set parent = design.entities.get(entity.parent) -%}
                {%- for ref in (parent.refs if parent and parent.get("refs") else []) -%}
                    {%- set ref_columns = [] -%}
                    {%- for column in source.key_columns if column.ref == ref.name -%}{%- do ref_columns.append(column.source_column) -%}{%- endfor -%}
                    {%- do rows.append(dv_spec._spec_row(row, ref_columns | join(", "), "hash key of " ~ ref.hub ~ " (see Hash keys)", ref.foreign_key)) -%}
                {%- endfor -%}
                {%- if entity.end_dating == "auto" -%}
                    {%- set eff = entity.effective_from or settings.load_datetime_column -%}
                    {%- do rows.append(dv_spec._spec_row(row, eff, "computed: the change's " ~ eff ~ " (end dating auto, see Load pattern)", entity.start_date)) -%}
                    {%- do rows.append(dv_spec._spec_row(row, eff, "computed: the next change's " ~ eff ~ ", else 9999-12-31 23:59:59.999999 (see Load pattern)", entity.end_date)) -%}
                {%- else -%}
                    {%- for column in [entity.start_date, entity.end_date] -%}
                        {%- do rows.append(dv_spec._spec_row(row, column, "as is", column)) -%}
                    {%- endfor -%}
                {%- endif -%}
            {%- elif kind_table[kind].hashdiff -%}
                {%- for column in entity.get("multi_active_keys") or [] -%}
                    {%- do rows.append(dv_spec._spec_row(row, column, "as is", column)) -%}
                {%- endfor -%}
                {%- do rows.append(dv_spec._spec_row(row, entity.hashdiff_columns | join(", "), "hashdiff" ~ (", computed in the stage as `" ~ entity.stage_hashdiff ~ "`" if entity.stage_hashdiff != entity.hashdiff else "") ~ " (see Hashdiff)", entity.hashdiff)) -%}
                {%- for column in entity.payload -%}
                    {%- do rows.append(dv_spec._spec_row(row, column, "as is", column)) -%}
                {%- endfor -%}
            {%- endif -%}
            {%- if entity.effective_from -%}
                {%- do rows.append(dv_spec._spec_row(row, entity.effective_from, "as is", entity.effective_from)) -%}
            {%- endif -%}
        {%- elif kind == "ref_table" -%}
            {%- for column in entity.reference_keys + entity.payload -%}
                {%- do rows.append(dv_spec._spec_row(row, column, "as is", column)) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- if source.load_datetime_kind == "expression" -%}
            {%- do rows.append(dv_spec._spec_row(row, none, "computed in the stage: `" ~ source.load_datetime ~ "`",
                                                 settings.load_datetime_column)) -%}
        {%- else -%}
            {%- do rows.append(dv_spec._spec_row(row, source.load_datetime,
                transformation="as is" if source.load_datetime == settings.load_datetime_column else "renamed in the stage",
                target_column=settings.load_datetime_column)) -%}
        {%- endif -%}
        {%- if source.record_source_kind == "column" -%}
            {%- do rows.append(dv_spec._spec_row(row, source.record_source, "as is" if source.record_source == settings.record_source_column
                                                 else "renamed in the stage", settings.record_source_column)) -%}
        {%- elif source.record_source_kind == "expression" -%}
            {%- do rows.append(dv_spec._spec_row(row, none, "computed in the stage: `" ~ source.record_source ~ "`",
                                                 settings.record_source_column)) -%}
        {%- else -%}
            {%- do rows.append(dv_spec._spec_row(row, none, "literal '" ~ source.record_source ~ "'"
                ~ ("" if source.record_source_declared else " (default: not declared)"), settings.record_source_column)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(rows) }}
{%- endmacro -%}


{%- macro _spec_row(row, source_column, transformation, target_column) -%}
    {{ return({"source": row.source, "stage": row.stage, "source_column": source_column,
               "transformation": transformation, "target_column": target_column}) }}
{%- endmacro -%}
