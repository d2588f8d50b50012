{#-
    entity_spec's target columns (entity_spec.sql): in AutomateDV's order, each with
    its role and type.
-#}

{#- The target table's columns in AutomateDV's order, each with its role and Snowflake type. -#}
{%- macro _spec_columns(entity, design, context) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set settings = design.settings -%}
    {%- set hash = context.hash -%}
    {%- set binary = dv_spec._spec_fixed_type("BINARY(" ~ hash.bytes ~ ")", hash.algorithm | upper ~ " digest (" ~ hash.bytes ~ " bytes)") -%}
    {%- set ldts_type = dv_spec._spec_fixed_type("TIMESTAMP_NTZ", "load datetime convention") -%}
    {%- set rsrc_type = dv_spec._spec_fixed_type("VARCHAR", "record source convention") -%}
    {%- set kind = entity.kind -%}
    {%- set out = [] -%}
    {#- The same-named column in every source (payload, dependent keys, dates): {name, role, code}. -#}
    {%- set plain = namespace(columns=[]) -%}
    {%- if kind == "hub" -%}
        {%- do out.append(dv_spec._spec_column("hash_key", entity.hash_key, "hash key", binary)) -%}
        {%- for key in entity.business_keys -%}
            {%- set feeds = [] -%}
            {%- for source in entity.sources -%}
                {%- for column in source.key_columns if column.target == key -%}
                    {%- do feeds.append({"reference": source.upstream, "column": column.source_column}) -%}
                {%- endfor -%}
            {%- endfor -%}
            {%- do out.append(dv_spec._spec_column("business_key", key, "business key", dv_spec._spec_fed_type(feeds, context))) -%}
        {%- endfor -%}
    {%- elif kind_table[kind].family == "link" -%}
        {%- do out.append(dv_spec._spec_column("hash_key", entity.hash_key, "hash key", binary)) -%}
        {%- for ref in entity.refs -%}
            {%- do out.append(dv_spec._spec_column("foreign_key", ref.foreign_key, "foreign key to " ~ ref.hub ~ (" (" ~ ref.role ~ ")" if ref.role else ""), binary)) -%}
        {%- endfor -%}
        {%- if kind == "nh_link" -%}
            {%- for column in entity.dependent_keys -%}
                {%- do plain.columns.append({"name": column, "role": "dependent key", "code": "dependent_key"}) -%}
            {%- endfor -%}
            {%- for column in entity.payload -%}
                {%- do plain.columns.append({"name": column, "role": "payload", "code": "payload"}) -%}
            {%- endfor -%}
            {%- if entity.effective_from -%}
                {%- do plain.columns.append({"name": entity.effective_from, "role": "effective from", "code": "effective_from"}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- elif kind_table[kind].family == "sat" -%}
        {%- do out.append(dv_spec._spec_column("parent_hash_key", entity.parent_hash_key, "hash key of " ~ entity.parent, binary)) -%}
        {%- if kind == "eff_sat" -%}
            {%- set parent = design.entities.get(entity.parent) -%}
            {%- for ref in (parent.refs if parent and parent.get("refs") else []) -%}
                {%- set driving = ref.foreign_key in entity.driving_foreign_keys -%}
                {%- do out.append(dv_spec._spec_column(("driving_foreign_key" if driving else "secondary_foreign_key"), ref.foreign_key, ("driving" if driving else "secondary") ~ " foreign key to " ~ ref.hub, binary)) -%}
            {%- endfor -%}
            {%- do plain.columns.append({"name": entity.start_date, "role": "start date", "code": "start_date"}) -%}
            {%- do plain.columns.append({"name": entity.end_date, "role": "end date", "code": "end_date"}) -%}
        {%- else -%}
            {%- for column in entity.get("multi_active_keys") or [] -%}
                {%- do plain.columns.append({"name": column, "role": "multi-active key", "code": "multi_active_key"}) -%}
            {%- endfor -%}
            {%- do plain.columns.append({"name": entity.hashdiff, "role": "hashdiff", "code": "hashdiff"}) -%}
            {%- for column in entity.payload -%}
                {%- do plain.columns.append({"name": column, "role": "payload", "code": "payload"}) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- if entity.effective_from -%}
            {%- do plain.columns.append({"name": entity.effective_from, "role": "effective from", "code": "effective_from"}) -%}
        {%- endif -%}
    {%- elif kind == "ref_table" -%}
        {%- for column in entity.reference_keys -%}
            {%- do plain.columns.append({"name": column, "role": "reference key", "code": "reference_key"}) -%}
        {%- endfor -%}
        {%- for column in entity.payload -%}
            {%- do plain.columns.append({"name": column, "role": "payload", "code": "payload"}) -%}
        {%- endfor -%}
    {%- elif kind == "pit" -%}
        {%- do out.append(dv_spec._spec_column("hub_hash_key", entity.hub_hash_key, "hash key of " ~ entity.hub, binary)) -%}
        {%- do out.append(dv_spec._spec_column("as_of_date", "as_of_date", "as-of date",
            dv_spec._spec_fed_type([{"reference": entity.as_of_dates, "column": "as_of_date"}], context))) -%}
        {%- for sat in entity.satellites -%}
            {%- do out.append(dv_spec._spec_column("satellite_key", sat.foreign_key, "hash key of the current " ~ sat.name ~ " row (ghost key when none)", binary)) -%}
            {%- do out.append(dv_spec._spec_column("satellite_load_datetime", sat.foreign_load_datetime, "load datetime of that " ~ sat.name ~ " row", ldts_type)) -%}
        {%- endfor -%}
    {%- elif kind == "bridge" -%}
        {%- do out.append(dv_spec._spec_column("hub_hash_key", entity.hub_hash_key, "hash key of " ~ entity.hub, binary)) -%}
        {%- do out.append(dv_spec._spec_column("as_of_date", "as_of_date", "as-of date",
            dv_spec._spec_fed_type([{"reference": entity.as_of_dates, "column": "as_of_date"}], context))) -%}
        {%- for link in entity.links -%}
            {%- do out.append(dv_spec._spec_column("link_key", link.foreign_key, "hash key of the " ~ link.name ~ " row in force", binary)) -%}
        {%- endfor -%}
    {%- elif kind == "stage" -%}
        {%- set stage = design.stages.get(entity.name) -%}
        {%- for column, item in (stage.derived.items() if stage else []) -%}
            {%- if item.definition.startswith("!") -%}
                {%- do out.append(dv_spec._spec_column("derived", column, "derived: literal", rsrc_type)) -%}
            {%- else -%}
                {%- set fed = [{"reference": stage.source, "column": item.definition}] -%}
                {%- do out.append(dv_spec._spec_column("derived", column, "derived from " ~ item.definition, dv_spec._spec_fed_type(fed, context))) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for column, item in (stage.hashed.items() if stage else []) -%}
            {%- do out.append(dv_spec._spec_column(("hashdiff" if item.definition is mapping else "hash_key"), column, "hashdiff" if item.definition is mapping else "hash key", binary)) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for column in plain.columns -%}
        {%- if column.code == "hashdiff" -%}
            {%- do out.append(dv_spec._spec_column("hashdiff", column.name, "hashdiff", binary)) -%}
        {%- else -%}
            {%- set feeds = [] -%}
            {%- for source in entity.sources -%}
                {%- do feeds.append({"reference": source.upstream, "column": column.name}) -%}
            {%- endfor -%}
            {%- do out.append(dv_spec._spec_column(column.code, column.name, column.role, dv_spec._spec_fed_type(feeds, context))) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if kind_table[kind].staged -%}
        {%- do out.append(dv_spec._spec_column("load_datetime", settings.load_datetime_column, "load datetime", ldts_type)) -%}
        {%- do out.append(dv_spec._spec_column("record_source", settings.record_source_column, "record source", rsrc_type)) -%}
    {%- endif -%}
    {%- if not entity.get("columns") -%}
        {{ return(out) }}
    {%- endif -%}
    {#- The table's column set and order are resolve_design's (`columns`, what dv-spec check holds the model to). -#}
    {%- set by_name = {} -%}
    {%- for column in out if column.name not in by_name -%}
        {%- do by_name.update({column.name: column}) -%}
    {%- endfor -%}
    {%- set ordered = [] -%}
    {%- for name in entity.columns -%}
        {%- do ordered.append(by_name.get(name) or dv_spec._spec_column("column", name, "column", {"type": none, "type_known": false, "type_from": none})) -%}
    {%- endfor -%}
    {{ return(ordered) }}
{%- endmacro -%}


{%- macro _spec_column(code, name, role, type_info) -%}
    {{ return({"name": name, "role": role, "role_code": code, "type": type_info.type, "type_known": type_info.type_known,
               "type_from": type_info.type_from, "unknown_in": type_info.get("unknown_in", []),
               "conflicting_types": type_info.get("conflicting_types", [])}) }}
{%- endmacro -%}


{%- macro _spec_fixed_type(type, why) -%}
    {{ return({"type": type, "type_known": true, "type_from": why}) }}
{%- endmacro -%}
