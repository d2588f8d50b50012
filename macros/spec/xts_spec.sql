{#-
    _spec_xts_sections(entity, design, context, spec): the sections of an xts
    (extended tracking satellite) spec that differ from a satellite's, to
    replace those entity_spec computed: its columns (HASHDIFF and
    SATELLITE_NAME, names AutomateDV's xts macro fixes), the mapping from the
    stage columns of each tracked satellite, how AutomateDV loads it, and
    `tracked_satellites` ({name, hashdiff, name_column}: the stage columns its
    src_satellite names, for the prompt).
-#}
{%- macro _spec_xts_sections(entity, design, context, spec) -%}
    {%- set settings = design.settings -%}
    {%- set ldts = settings.load_datetime_column -%}
    {%- set binary = dv_spec._spec_fixed_type("BINARY(" ~ context.hash.bytes ~ ")", context.hash.algorithm | upper ~ " digest (" ~ context.hash.bytes ~ " bytes)") -%}
    {%- set names = [] -%}
    {%- for tracked in entity.satellites -%}{%- do names.append(tracked.name) -%}{%- endfor -%}
    {%- set columns = [] -%}
    {%- for column in spec.columns -%}
        {%- if column.name == entity.hashdiff -%}
            {%- do columns.append(dv_spec._spec_column("hashdiff", column.name, "hashdiff of the tracked satellite's row (" ~ names | join(", ") ~ ")", binary)) -%}
        {%- elif column.name == entity.satellite_name -%}
            {%- do columns.append(dv_spec._spec_column("satellite_name", column.name, "name of the tracked satellite",
                dv_spec._spec_fixed_type("VARCHAR", "a satellite's name"))) -%}
        {%- else -%}
            {%- do columns.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set mapping = [] -%}
    {%- for row in spec.mapping if row.target_column not in (entity.hashdiff, entity.satellite_name) -%}
        {%- do mapping.append(row) -%}
    {%- endfor -%}
    {%- for source in entity.sources -%}
        {%- set row = {"source": source.ref, "stage": source.stage} -%}
        {%- for tracked in entity.satellites -%}
            {%- set sat = design.entities.get(tracked.name) -%}
            {%- set hashed = (sat.hashdiff_columns | join(", ")) if sat and sat.get("hashdiff_columns") else "" -%}
            {%- do mapping.append(dv_spec._spec_row(row, hashed, "the stage's `" ~ tracked.hashdiff ~ "`, " ~ tracked.name ~ "'s hashdiff (see its spec)", entity.hashdiff)) -%}
            {%- do mapping.append(dv_spec._spec_row(row, "", "the stage's `" ~ tracked.name_column ~ "`, the literal '" ~ tracked.name ~ "'", entity.satellite_name)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set load_pattern = [
        "Insert-only (AutomateDV `xts`): per load and tracked satellite (" ~ names | join(", ") ~ "), one row per `" ~ entity.parent_hash_key ~ "` and hashdiff the stage holds, named by the satellite, whether the satellite loads it or not (the satellite keeps changes only; the xts keeps what each load brought, so out-of-sequence loads can be seen).",
        "Re-runs: a row whose (`" ~ entity.hashdiff ~ "`, `" ~ ldts ~ "`, `" ~ entity.satellite_name ~ "`) is already loaded is not inserted again.",
        "NULL keys: a row whose `" ~ entity.parent_hash_key ~ "` is NULL is dropped.",
    ] -%}
    {{ return({"columns": columns, "mapping": mapping, "hashdiff": none, "load_pattern": load_pattern,
               "tracked_satellites": entity.satellites,
               "ddl": dv_spec._spec_ddl(entity, columns)}) }}
{%- endmacro -%}
