{#-
    entity_spec(name, design, context): the implementation spec of one design
    entity, as data (rendered by spec_markdown, serialised as JSON by
    `dv-spec spec --format json`). Every fact comes from the resolved design
    (resolve_design), its acceptance criteria (acceptance_criteria) and the
    context; nothing is looked up elsewhere, so the command line and
    `dbt run-operation dv_spec_entity_spec` print the same spec.

    context (see spec_context in macros/spec/spec.yml):
      hash            the hash settings (dv_spec._hash_settings()): algorithm, bytes,
                      concat_string, null_placeholder, casing;
      column_types    {reference: {column: declared type}}, lower-case names, for
                      seeds (column_types, data_type), models and dbt sources (data_type);
      downstream_models {entity: [dbt models outside the design that select from it]};
      model_path      the project's first model path (where derived stages go);
      project         the dbt project's name (optional);
      diagrams        {subject area: Mermaid erDiagram} for subject-area specs (optional;
                      the command line draws them with `dv-spec export mermaid`'s exporter).
      inferred_types  {reference: {column: {type, origin}}}: types no declaration gives, from
                      target/catalog.json or dbt's seed CSV inference (optional; the command line);
      source_columns  {reference: [column]}: the columns of seeds (CSV header) and declared
                      sources and models, for the stages' full column lists (optional);
      design_warnings {entity: [{rule, message, hint}]}: validate's warnings that become
                      open questions (optional; the command line runs the rules, DV230-DV232).
-#}
{%- macro entity_spec(name, design, context) -%}
    {%- if name not in design.entities -%}
        {{ exceptions.raise_compiler_error("entity_spec: no design entity named `" ~ name ~ "`; entities: "
            ~ design.entities.keys() | sort | join(", ")) }}
    {%- endif -%}
    {%- set context = dv_spec._spec_context(context) -%}
    {%- set entity = design.entities[name] -%}
    {%- set kind = entity.kind -%}
    {%- set columns = dv_spec._spec_columns(entity, design, context) -%}
    {%- set criteria = dv_spec._spec_criteria(entity, design) -%}
    {%- set spec = {
        "spec_type": "entity",
        "name": name,
        "kind": kind,
        "subject_area": entity.subject_area,
        "owner": entity.owner,
        "design_file": entity.file,
        "purpose": (entity.description or "") | trim,
        "model": dv_spec._spec_model(entity, design, context),
        "sources": dv_spec._spec_sources(entity),
        "mapping": dv_spec._spec_mapping(entity, design),
        "hash_keys": dv_spec._spec_hash_keys(entity, design, context),
        "hashdiff": dv_spec._spec_hashdiff(entity, design, context),
        "hashing": dv_spec._spec_hashing(entity, context),
        "load_pattern": dv_spec._spec_load_pattern(entity, design),
        "columns": columns,
        "ddl": dv_spec._spec_ddl(entity, columns),
        "dependencies": dv_spec._spec_dependencies(entity, design, context),
        "acceptance_criteria": criteria,
        "open_questions": dv_spec._spec_open_questions(entity, design, context, columns),
        "conventions": dv_spec._spec_conventions(design.settings, context),
    } -%}
    {%- if kind == "xts" -%}{%- do spec.update(dv_spec._spec_xts_sections(entity, design, context, spec)) -%}{%- endif -%}
    {{ return(spec) }}
{%- endmacro -%}


{#- The project conventions an implementation follows (vars.dv_spec with defaults, and the hash settings). -#}
{%- macro _spec_conventions(settings, context) -%}
    {%- set naming = {} -%}
    {%- for key, value in settings.naming | dictsort if value -%}
        {%- do naming.update({key: value}) -%}
    {%- endfor -%}
    {{ return({"load_datetime_column": settings.load_datetime_column, "record_source_column": settings.record_source_column,
               "hash_algorithm": context.hash.algorithm, "stage_prefix": settings.stage_prefix,
               "stage_folder": context.model_path ~ "/" ~ settings.stage_folder, "naming": naming}) }}
{%- endmacro -%}


{%- macro _spec_context(context) -%}
    {%- set given = context or {} -%}
    {%- if given is not mapping or given.get("hash") is not mapping -%}
        {{ exceptions.raise_compiler_error("entity_spec: `context` must be a mapping with `hash` (dv_spec._hash_settings()), e.g. "
            ~ "{hash: {algorithm: md5, bytes: 16, concat_string: '||', null_placeholder: '^^', casing: upper}}; got " ~ given) }}
    {%- endif -%}
    {{ return({"hash": given.hash, "column_types": given.get("column_types") or {},
               "downstream_models": given.get("downstream_models") or {},
               "model_path": given.get("model_path") or "models", "project": given.get("project") or "",
               "diagrams": given.get("diagrams") or {}, "design_warnings": given.get("design_warnings") or {},
               "inferred_types": given.get("inferred_types") or {}, "source_columns": given.get("source_columns") or {}}) }}
{%- endmacro -%}


{#- `ref('x')` or `source('a', 'b')`: how a dbt model reads a reference. -#}
{%- macro _spec_dbt_reference(ref, type) -%}
    {%- if type == "source" -%}
        {%- set parts = ref.split(".") -%}
        {{ return("source('" ~ parts[0] ~ "', '" ~ parts[1:] | join(".") ~ "')") }}
    {%- endif -%}
    {{ return("ref('" ~ ref ~ "')") }}
{%- endmacro -%}


{#- A declared dbt/warehouse type as Snowflake spells it (TIMESTAMP is TIMESTAMP_NTZ under Snowflake's default mapping). -#}
{%- macro _spec_snowflake_type(declared) -%}
    {%- set aliases = {"timestamp": "TIMESTAMP_NTZ", "datetime": "TIMESTAMP_NTZ", "timestamp_ntz": "TIMESTAMP_NTZ",
                       "text": "VARCHAR", "string": "VARCHAR", "varchar": "VARCHAR", "bool": "BOOLEAN",
                       "boolean": "BOOLEAN", "int": "NUMBER(38,0)", "integer": "NUMBER(38,0)", "bigint": "NUMBER(38,0)",
                       "float8": "FLOAT", "double": "FLOAT", "timestamp without time zone": "TIMESTAMP_NTZ"} -%}
    {%- set key = declared | string | trim | lower -%}
    {{ return(aliases.get(key, declared | string | trim | upper)) }}
{%- endmacro -%}


{#- The declared type of one column of a reference, or none. -#}
{%- macro _spec_declared_type(context, ref, column) -%}
    {%- set columns = context.column_types.get(ref | lower) or {} -%}
    {{ return(columns.get(column | lower)) }}
{%- endmacro -%}


{#- The type of a target column fed by `pairs` [(reference, source column)]: the first declared type,
    with every reference whose type is unknown and whether the references disagree. -#}
{%- macro _spec_fed_type(pairs, context) -%}
    {%- set found = namespace(type=none, origin=none) -%}
    {%- set unknown = [] -%}
    {%- set seen = [] -%}
    {%- for pair in pairs -%}
        {%- set declared = dv_spec._spec_declared_type(context, pair[0], pair[1]) -%}
        {%- set inferred = (context.inferred_types.get(pair[0] | lower) or {}).get(pair[1] | lower) if declared is none else none -%}
        {%- if declared is none and inferred -%}
            {%- set snowflake = dv_spec._spec_snowflake_type(inferred.type) -%}
            {%- if snowflake not in seen -%}{%- do seen.append(snowflake) -%}{%- endif -%}
            {%- if found.type is none -%}
                {%- set found.type = snowflake -%}
                {%- set found.origin = pair[0] ~ "." ~ pair[1] ~ " (" ~ inferred.type ~ ", " ~ inferred.origin ~ ")" -%}
            {%- endif -%}
        {%- elif declared is none -%}
            {%- if (pair[0] ~ "." ~ pair[1]) not in unknown -%}{%- do unknown.append(pair[0] ~ "." ~ pair[1]) -%}{%- endif -%}
        {%- else -%}
            {%- set snowflake = dv_spec._spec_snowflake_type(declared) -%}
            {%- if snowflake not in seen -%}{%- do seen.append(snowflake) -%}{%- endif -%}
            {%- if found.type is none -%}
                {%- set found.type = snowflake -%}
                {%- set found.origin = pair[0] ~ "." ~ pair[1] ~ " (declared " ~ declared ~ ")" -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({"type": found.type, "type_known": found.type is not none, "type_from": found.origin,
               "unknown_in": unknown, "conflicting_types": seen if seen | length > 1 else []}) }}
{%- endmacro -%}


{%- macro _spec_column(code, name, role, type_info) -%}
    {{ return({"name": name, "role": role, "role_code": code, "type": type_info.type, "type_known": type_info.type_known,
               "type_from": type_info.type_from, "unknown_in": type_info.get("unknown_in", []),
               "conflicting_types": type_info.get("conflicting_types", [])}) }}
{%- endmacro -%}


{%- macro _spec_fixed_type(type, why) -%}
    {{ return({"type": type, "type_known": true, "type_from": why}) }}
{%- endmacro -%}


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
    {#- The same-named column in every source (payload, dependent keys, dates). -#}
    {%- set plain = namespace(columns=[]) -%}
    {%- if kind == "hub" -%}
        {%- do out.append(dv_spec._spec_column("hash_key", entity.hash_key, "hash key", binary)) -%}
        {%- for key in entity.business_keys -%}
            {%- set pairs = [] -%}
            {%- for source in entity.sources -%}
                {%- for column in source.key_columns if column.target == key -%}
                    {%- do pairs.append([source.upstream, column.source_column]) -%}
                {%- endfor -%}
            {%- endfor -%}
            {%- do out.append(dv_spec._spec_column("business_key", key, "business key", dv_spec._spec_fed_type(pairs, context))) -%}
        {%- endfor -%}
    {%- elif kind_table[kind].family == "link" -%}
        {%- do out.append(dv_spec._spec_column("hash_key", entity.hash_key, "hash key", binary)) -%}
        {%- for ref in entity.refs -%}
            {%- do out.append(dv_spec._spec_column("foreign_key", ref.foreign_key, "foreign key to " ~ ref.hub ~ (" (" ~ ref.role ~ ")" if ref.role else ""), binary)) -%}
        {%- endfor -%}
        {%- if kind == "nh_link" -%}
            {%- for column in entity.dependent_keys -%}
                {%- do plain.columns.append([column, "dependent key", "dependent_key"]) -%}
            {%- endfor -%}
            {%- for column in entity.payload -%}
                {%- do plain.columns.append([column, "payload", "payload"]) -%}
            {%- endfor -%}
            {%- if entity.effective_from -%}
                {%- do plain.columns.append([entity.effective_from, "effective from", "effective_from"]) -%}
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
            {%- do plain.columns.append([entity.start_date, "start date", "start_date"]) -%}
            {%- do plain.columns.append([entity.end_date, "end date", "end_date"]) -%}
        {%- else -%}
            {%- for column in entity.get("multi_active_keys") or [] -%}
                {%- do plain.columns.append([column, "multi-active key", "multi_active_key"]) -%}
            {%- endfor -%}
            {%- do plain.columns.append([entity.hashdiff, "hashdiff", "hashdiff"]) -%}
            {%- for column in entity.payload -%}
                {%- do plain.columns.append([column, "payload", "payload"]) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- if entity.effective_from -%}
            {%- do plain.columns.append([entity.effective_from, "effective from", "effective_from"]) -%}
        {%- endif -%}
    {%- elif kind == "ref_table" -%}
        {%- for column in entity.reference_keys -%}
            {%- do plain.columns.append([column, "reference key", "reference_key"]) -%}
        {%- endfor -%}
        {%- for column in entity.payload -%}
            {%- do plain.columns.append([column, "payload", "payload"]) -%}
        {%- endfor -%}
    {%- elif kind == "pit" -%}
        {%- do out.append(dv_spec._spec_column("hub_hash_key", entity.hub_hash_key, "hash key of " ~ entity.hub, binary)) -%}
        {%- do out.append(dv_spec._spec_column("as_of_date", "as_of_date", "as-of date",
            dv_spec._spec_fed_type([[entity.as_of_dates, "as_of_date"]], context))) -%}
        {%- for sat in entity.satellites -%}
            {%- do out.append(dv_spec._spec_column("satellite_key", sat.foreign_key, "hash key of the current " ~ sat.name ~ " row (ghost key when none)", binary)) -%}
            {%- do out.append(dv_spec._spec_column("satellite_load_datetime", sat.foreign_load_datetime, "load datetime of that " ~ sat.name ~ " row", ldts_type)) -%}
        {%- endfor -%}
    {%- elif kind == "bridge" -%}
        {%- do out.append(dv_spec._spec_column("hub_hash_key", entity.hub_hash_key, "hash key of " ~ entity.hub, binary)) -%}
        {%- do out.append(dv_spec._spec_column("as_of_date", "as_of_date", "as-of date",
            dv_spec._spec_fed_type([[entity.as_of_dates, "as_of_date"]], context))) -%}
        {%- for link in entity.links -%}
            {%- do out.append(dv_spec._spec_column("link_key", link.foreign_key, "hash key of the " ~ link.name ~ " row in force", binary)) -%}
        {%- endfor -%}
    {%- elif kind == "stage" -%}
        {%- set stage = design.stages.get(entity.name) -%}
        {%- for column, item in (stage.derived.items() if stage else []) -%}
            {%- if item.definition.startswith("!") -%}
                {%- do out.append(dv_spec._spec_column("derived", column, "derived: literal", rsrc_type)) -%}
            {%- else -%}
                {%- set fed = [[stage.source, item.definition]] -%}
                {%- do out.append(dv_spec._spec_column("derived", column, "derived from " ~ item.definition, dv_spec._spec_fed_type(fed, context))) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for column, item in (stage.hashed.items() if stage else []) -%}
            {%- do out.append(dv_spec._spec_column(("hashdiff" if item.definition is mapping else "hash_key"), column, "hashdiff" if item.definition is mapping else "hash key", binary)) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for pair in plain.columns -%}
        {%- if pair[1] == "hashdiff" -%}
            {%- do out.append(dv_spec._spec_column("hashdiff", pair[0], "hashdiff", binary)) -%}
        {%- else -%}
            {%- set pairs = [] -%}
            {%- for source in entity.sources -%}
                {%- do pairs.append([source.upstream, pair[0]]) -%}
            {%- endfor -%}
            {%- do out.append(dv_spec._spec_column(pair[2], pair[0], pair[1], dv_spec._spec_fed_type(pairs, context))) -%}
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


{#- Where the model goes and its dbt config, as `dv-spec scaffold` writes it (scaffold_config);
    none when scaffolding refuses the design (the open questions say why). -#}
{%- macro _spec_model(entity, design, context) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set blocked = namespace(value=false) -%}
    {%- if kind_table[entity.kind].family == "sat" -%}
        {%- set stages = [] -%}
        {%- for source in entity.sources if source.stage not in stages -%}{%- do stages.append(source.stage) -%}{%- endfor -%}
        {%- set blocked.value = stages | length > 1 -%}
    {%- elif entity.kind == "bridge" -%}
        {%- for link in entity.links if not link.effectivity_satellite -%}{%- set blocked.value = true -%}{%- endfor -%}
    {%- elif entity.kind == "stage" -%}
        {%- set blocked.value = entity.name not in design.stages or design.stages[entity.name].conflicts | length > 0 -%}
    {%- endif -%}
    {%- set config = dv_spec.scaffold_config(entity) if not blocked.value else {"materialized": none, "line": none} -%}
    {{ return({"name": entity.name, "path": dv_spec._beside(entity.file, entity.name), "materialized": config.materialized,
               "config": config.line, "automate_dv_macro": "automate_dv." ~ entity.kind,
               "reads_through": entity.get("unloaded_model"), "tests_in": entity.file if entity.kind != "stage" else none}) }}
{%- endmacro -%}


{%- macro _spec_sources(entity) -%}
    {%- set out = [] -%}
    {%- for source in entity.sources -%}
        {%- do out.append({"reference": source.ref, "type": source.type,
                           "dbt": dv_spec._spec_dbt_reference(source.ref, source.type),
                           "reads": source.upstream, "reads_dbt": dv_spec._spec_dbt_reference(source.upstream, source.upstream_type),
                           "stage": source.stage if entity.kind != "stage" else none,
                           "stage_declared": source.declared_stage,
                           "record_source": source.record_source, "record_source_declared": source.record_source_declared,
                           "load_datetime": source.load_datetime}) -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro -%}


{#- The hash SQL a stage computes for one column, from the stage's own definition (what scaffolding writes):
    one column is hashed as a single column, several as AutomateDV's list; Snowflake functions. -#}
{%- macro _spec_hash_sql(definition, column, hash) -%}
    {%- set is_hashdiff = definition is mapping -%}
    {%- set columns = definition.columns if is_hashdiff else definition -%}
    {%- set shape = columns[0] if (not is_hashdiff and columns | length == 1) else columns -%}
    {%- set expression = dv_spec.default__hash_expression(dv_spec._hash_input(shape, is_hashdiff, hash), hash.algorithm) -%}
    {{ return(expression ~ " AS " ~ column) }}
{%- endmacro -%}


{#- Per source: which stage computes `column`, from which source columns, and the exact SQL. -#}
{%- macro _spec_derivations(entity, column, design, hash) -%}
    {%- set out = [] -%}
    {%- for source in entity.sources -%}
        {%- set stage = design.stages.get(source.stage) -%}
        {%- set item = stage.hashed.get(column) if stage else none -%}
        {%- if item -%}
            {%- do out.append({"source": source.upstream, "stage": source.stage,
                               "columns": item.definition.columns if item.definition is mapping else item.definition,
                               "sql": dv_spec._spec_hash_sql(item.definition, column, hash)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro -%}


{#- The design-level inputs of a hub's or link's hash key: [hub.business_key, ...] then dependent keys. -#}
{%- macro _spec_key_inputs(parent) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set out = [] -%}
    {%- if parent.kind == "hub" -%}
        {%- for key in parent.business_keys -%}{%- do out.append(parent.name ~ "." ~ key) -%}{%- endfor -%}
    {%- elif kind_table[parent.kind].family == "link" -%}
        {%- for ref in parent.refs -%}
            {%- for key in ref.business_keys -%}
                {%- do out.append(ref.hub ~ "." ~ key ~ (" (" ~ ref.role ~ ")" if ref.role else "")) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- do out.extend(parent.dependent_keys) -%}
    {%- endif -%}
    {{ return(out) }}
{%- endmacro -%}


{%- macro _spec_hash_keys(entity, design, context) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set hash = context.hash -%}
    {%- set kind = entity.kind -%}
    {%- set keys = [] -%}
    {%- if kind_table[kind].family in ("hub", "link") -%}
        {%- do keys.append({"column": entity.hash_key, "role": "hash key", "inputs": dv_spec._spec_key_inputs(entity)}) -%}
        {%- for ref in entity.get("refs", []) -%}
            {%- set hub = design.entities.get(ref.hub) -%}
            {%- do keys.append({"column": ref.foreign_key, "role": "foreign key to " ~ ref.hub ~ (" (" ~ ref.role ~ ")" if ref.role else ""),
                                "inputs": dv_spec._spec_key_inputs(hub) if hub else []}) -%}
        {%- endfor -%}
    {%- elif kind_table[kind].family == "sat" and entity.parent in design.entities -%}
        {%- set parent = design.entities[entity.parent] -%}
        {%- do keys.append({"column": entity.parent_hash_key, "role": "hash key of " ~ entity.parent,
                            "inputs": dv_spec._spec_key_inputs(parent)}) -%}
        {%- if kind == "eff_sat" -%}
            {%- for ref in parent.get("refs", []) -%}
                {%- set hub = design.entities.get(ref.hub) -%}
                {%- do keys.append({"column": ref.foreign_key, "role": "foreign key to " ~ ref.hub,
                                    "inputs": dv_spec._spec_key_inputs(hub) if hub else []}) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- elif kind == "stage" and entity.name in design.stages -%}
        {%- for column, item in design.stages[entity.name].hashed.items() if item.definition is not mapping -%}
            {%- do keys.append({"column": column, "role": "hash key (for " ~ item.by ~ ")", "inputs": item.definition}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for key in keys -%}
        {%- if kind == "stage" -%}
            {%- set item = design.stages[entity.name].hashed[key.column] -%}
            {%- do key.update({"derivations": [{"source": design.stages[entity.name].source, "stage": entity.name,
                                                "columns": item.definition, "sql": dv_spec._spec_hash_sql(item.definition, key.column, hash)}]}) -%}
        {%- else -%}
            {%- do key.update({"derivations": dv_spec._spec_derivations(entity, key.column, design, hash)}) -%}
        {%- endif -%}
        {%- do key.update({"type": "BINARY(" ~ hash.bytes ~ ")"}) -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro -%}


{%- macro _spec_hashdiff(entity, design, context) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set hash = context.hash -%}
    {%- if kind_table[entity.kind].hashdiff and entity.hashdiff -%}
        {{ return({"column": entity.hashdiff, "stage_column": entity.stage_hashdiff, "columns": entity.hashdiff_columns, "hash_order": entity.hashdiff_columns | sort,
                   "type": "BINARY(" ~ hash.bytes ~ ")",
                   "derivations": dv_spec._spec_derivations(entity, entity.stage_hashdiff, design, hash)}) }}
    {%- elif entity.kind == "stage" and entity.name in design.stages -%}
        {%- for column, item in design.stages[entity.name].hashed.items() if item.definition is mapping -%}
            {{ return({"column": column, "columns": item.definition.columns, "hash_order": item.definition.columns | sort,
                       "type": "BINARY(" ~ hash.bytes ~ ")",
                       "derivations": [{"source": design.stages[entity.name].source, "stage": entity.name,
                                        "columns": item.definition.columns, "sql": dv_spec._spec_hash_sql(item.definition, column, hash)}]}) }}
        {%- endfor -%}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro -%}


{#- The normalisation and hashing rules, with the exact SQL of each shape from the macros the tests use. -#}
{%- macro _spec_hashing(entity, context) -%}
    {%- set hash = context.hash -%}
    {%- set sep = hash.concat_string -%}
    {%- set ph = hash.null_placeholder -%}
    {%- set standard = dv_spec._standardise("col", hash) -%}
    {%- set rules = [
        "Each column is cast to text, trimmed" ~ (" and upper-cased" if hash.casing == "upper" else " (not upper-cased: hash_content_casing is disabled)")
            ~ "; an empty string counts as NULL: `" ~ standard ~ "`.",
        "A key of one column is that column's hash; a NULL column gives a NULL key.",
        "A key of several columns: each NULL becomes '" ~ ph ~ "', the columns are joined with '" ~ sep ~ "' in the order listed, and a key whose columns are all NULL is NULL (`NULLIF(..., '" ~ ph ~ sep ~ ph ~ "')` for two columns).",
        "Algorithm " ~ hash.algorithm ~ ": `" ~ dv_spec.default__hash_expression("...", hash.algorithm) ~ "`, stored as BINARY(" ~ hash.bytes ~ ").",
    ] -%}
    {%- if entity.get("kind") in [none, "stage"] + dv_spec._kinds_where("hashdiff") -%}
        {%- do rules.insert(3, "A hashdiff: the columns sorted alphabetically by name (AutomateDV's order, whatever the design's order), each NULL as '" ~ ph ~ "', joined with '" ~ sep ~ "'; an all-NULL payload still has a hashdiff.") -%}
    {%- endif -%}
    {%- if entity.ghost_record -%}
        {%- do rules.append("Ghost record: one row whose key is all zero bytes, `" ~ dv_spec.default__zero_key("0" * (hash.bytes * 2)) ~ "`.") -%}
    {%- endif -%}
    {{ return({"algorithm": hash.algorithm, "bytes": hash.bytes, "concat_string": sep, "null_placeholder": ph,
               "casing": hash.casing, "rules": rules,
               "examples": {
                   "one_column": dv_spec.default__hash_expression(dv_spec._hash_input("col", false, hash), hash.algorithm),
                   "two_columns": dv_spec.default__hash_expression(dv_spec._hash_input(["col_1", "col_2"], false, hash), hash.algorithm),
                   "hashdiff": dv_spec.default__hash_expression(dv_spec._hash_input(["col_b", "col_a"], true, hash), hash.algorithm)}}) }}
{%- endmacro -%}


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


{#- The load rules of an entity, stated so that a plain-SQL author can follow
    them and an AutomateDV user knows what the macro does: which rows are
    dropped, what one load holding several rows of a key does, ties, how the
    first new row compares with what is loaded, late rows and NULL load
    datetimes. The scaffolded AutomateDV models behave exactly so. -#}
{%- macro _spec_load_pattern(entity, design) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set ldts = "`" ~ design.settings.load_datetime_column ~ "`" -%}
    {%- set rsrc = "`" ~ design.settings.record_source_column ~ "`" -%}
    {%- set kind = entity.kind -%}
    {%- set stages = [] -%}
    {%- for source in entity.sources if source.stage not in stages and kind != "stage" -%}{%- do stages.append(source.stage) -%}{%- endfor -%}
    {%- set null_ldts = "NULL " ~ ldts ~ ": not expected; loaded as it is, it fails criterion -04: fix it in the source and ask the architect." -%}
    {%- set lines = [] -%}
    {%- if kind in ("hub", "link") -%}
        {%- set key = "business key" if kind == "hub" else "combination of hub keys" ~ (" and dependent keys" if entity.dependent_keys else "") -%}
        {%- do lines.extend([
            "Insert-only (incremental): each " ~ key ~ " is inserted once, the first time a source delivers it; rows are never updated or deleted.",
            "Reads " ~ dv_spec._md_codes(stages) ~ (", unioned" if stages | length > 1 else "") ~ ".",
            "NULL keys: a row whose hash key" ~ (" or any foreign key" if kind == "link" else "") ~ " is NULL (every key column NULL or empty) is dropped.",
            "Several rows of one key in one run (several loads, or several sources): the row with the earliest " ~ ldts ~ " is inserted; ties go to the smallest " ~ rsrc ~ ".",
            "Keys already in the table are skipped, whatever their " ~ ldts ~ " (so late-arriving rows of known keys add nothing).",
            null_ldts]) -%}
        {%- if kind == "link" -%}
            {%- do lines.append("Load the hubs in the same run or earlier: every foreign key must exist in its hub.") -%}
        {%- endif -%}
    {%- elif kind == "nh_link" -%}
        {%- do lines.extend([
            "Insert-only (incremental), non-historised: each event is inserted once with its details and never changes.",
            "NULL keys: a row whose hash key or any foreign key is NULL is dropped.",
            "Several rows of one event key in one run: identical rows are loaded once; rows that differ (details or " ~ ldts ~ ") are all inserted and break the key's uniqueness (-01), so a source sends an event once. Events already in the table are skipped, late or not.",
            null_ldts,
            "Load the hubs in the same run or earlier: every foreign key must exist in its hub."]) -%}
    {%- elif kind_table[kind].hashdiff -%}
        {%- set unit = "row" if kind == "sat" else "set (all rows of one key and " ~ ldts ~ ")" -%}
        {%- do lines.extend([
            "Insert-only delta (incremental): per key, in " ~ ldts ~ " order, a " ~ unit ~ " is inserted when "
                ~ ("its `" ~ entity.hashdiff ~ "` differs from the previous row's" if kind == "sat" else "its hashdiffs or its number of rows differ from the previous set's")
                ~ "; the first new one is compared with the latest loaded for the key (a new key is always inserted). Nothing is updated or deleted.",
            "NULL keys: a row whose `" ~ entity.parent_hash_key ~ "`" ~ (" or multi-active key" if kind == "ma_sat" else "") ~ " is NULL is dropped.",
            ("Several loads of a key in one run: each change is inserted, in order." if kind == "sat" else
             "Several loads of a key in one run are not told apart: the first build inserts every row as sent, a later run compares all of a key's new rows, as one set, with its latest loaded set; load one load datetime per run when a key may arrive in several.")
                ~ " Only rows later than the key's latest loaded " ~ ldts ~ " are read, so re-runs and late-arriving rows add nothing.",
            "Ties: one row per key" ~ (", multi-active key" if kind == "ma_sat" else "") ~ " and " ~ ldts ~ "; a source that sends two breaks the grain criterion (-08).",
            null_ldts]) -%}
    {%- elif kind == "eff_sat" -%}
        {%- set dfk = dv_spec._md_codes(entity.driving_foreign_keys) -%}
        {%- set eff = "`" ~ (entity.effective_from or design.settings.load_datetime_column) ~ "`" -%}
        {%- do lines.append("Driving key: " ~ dfk ~ "; the other end: " ~ dv_spec._md_codes(entity.secondary_foreign_keys) ~ ". A driving key has at most one relationship in force at a time; periods are half-open [`" ~ entity.start_date ~ "`, `" ~ entity.end_date ~ "`), an open one ends at 9999-12-31 23:59:59.999999.") -%}
        {%- if entity.end_dating == "auto" -%}
            {%- do lines.extend([
                "End dating `auto`: the source sends the relationships in force and no closing rows; `" ~ entity.start_date ~ "` and `" ~ entity.end_date ~ "` are computed, not read.",
                "Per driving key, in " ~ eff ~ " order, a row is a change when its link key differs from the previous row's; repeated rows of the same relationship are no change.",
                "A change opens a period: `" ~ entity.start_date ~ "` = its " ~ eff ~ ", `" ~ entity.end_date ~ "` = the " ~ eff ~ " of the driving key's next later change in the same run, else open.",
                "When a change arrives for a driving key whose relationship in the table is open, a row closing that relationship is inserted: same link key and `" ~ entity.start_date ~ "`, `" ~ entity.end_date ~ "` = the change's " ~ eff ~ ", " ~ ldts ~ " of the change (AutomateDV's `is_auto_end_dating`).",
                "Several changes of one driving key in one incremental run are not supported (the closing row takes the latest change's date and the overlap criterion -17 fails): load such history in the first build, or one load per run.",
                "NULL keys: a row whose driving or secondary foreign key is NULL is dropped. Ties (two link keys of one driving key at one " ~ eff ~ "): both stay open and the overlap criterion (-17) fails.",
                "Late-arriving rows (" ~ ldts ~ " at or before the latest loaded for the link key) are not loaded.",
                null_ldts]) -%}
        {%- else -%}
            {%- do lines.extend([
                "End dating `source`: the source sends `" ~ entity.start_date ~ "` and `" ~ entity.end_date ~ "` for each relationship, closing rows included (a row with `" ~ entity.end_date ~ "` set); they are loaded as sent.",
                "A link key not loaded yet opens with the source's dates; a row with `" ~ entity.end_date ~ "` set for an open relationship closes it (a new row, same `" ~ entity.start_date ~ "`); an open row for a closed one reopens it.",
                "Nothing closes a relationship unless the source sends its closing row: a driving key moved without one keeps two open periods and fails the overlap criterion (-17).",
                "NULL keys: a row whose driving or secondary foreign key is NULL is dropped. Late-arriving rows (" ~ ldts ~ " at or before the latest loaded for the link key) are not loaded.",
                null_ldts]) -%}
        {%- endif -%}
        {%- do lines.append("Never updated in place: the latest row (by " ~ ldts ~ ") of a link key and start date is the period's current version.") -%}
    {%- elif kind == "ref_table" -%}
        {%- do lines.extend(["Insert-only (incremental): each reference key is inserted once; later changes of its columns are not loaded.",
            "NULL reference keys are dropped. Several rows of one key in one run: identical rows are loaded once; rows that differ are all inserted and break the key's uniqueness (-20).", null_ldts]) -%}
    {%- elif kind == "pit" -%}
        {%- do lines.extend(["Rebuilt per as-of date (AutomateDV's `pit_incremental` materialisation): one row per hub key and as-of date, pointing at each satellite's latest row loaded at or before that date, or at the ghost record.",
            "Load after the hub and every satellite listed; new as-of dates add rows."]) -%}
    {%- elif kind == "bridge" -%}
        {%- do lines.extend(["Rebuilt per as-of date (AutomateDV's `bridge_incremental` materialisation): one row per hub key, as-of date and path through the links, keeping only relationships in force on that date.",
            "Load after the hub, the links and their effectivity satellites."]) -%}
    {%- elif kind == "stage" -%}
        {%- do lines.append("A view over its source (AutomateDV's `stage` macro): adds the derived columns, hash keys and hashdiffs the vault models read; holds no data of its own.") -%}
    {%- endif -%}
    {{ return(lines) }}
{%- endmacro -%}


{%- macro _spec_ddl(entity, columns) -%}
    {%- if entity.kind == "stage" -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set width = namespace(name=0, type=0) -%}
    {%- for column in columns -%}
        {%- set width.name = [width.name, column.name | length] | max -%}
        {%- set width.type = [width.type, (column.type or "<type unknown>") | length] | max -%}
    {%- endfor -%}
    {%- set lines = ["CREATE TABLE " ~ entity.name ~ " ("] -%}
    {%- for column in columns -%}
        {%- set type = column.type or "<type unknown>" -%}
        {%- set separator = "," if not loop.last else " " -%}
        {%- do lines.append("    " ~ column.name ~ " " * (width.name - column.name | length + 1) ~ type ~ separator
            ~ " " * (width.type - type | length + 1) ~ "-- " ~ column.role) -%}
    {%- endfor -%}
    {%- do lines.append(");") -%}
    {{ return(lines | join("\n")) }}
{%- endmacro -%}


{%- macro _spec_dependencies(entity, design, context) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set kind = entity.kind -%}
    {%- set upstream = [] -%}
    {%- set seen = [] -%}
    {%- for source in entity.sources -%}
        {%- if kind != "stage" and source.stage not in seen -%}
            {%- do seen.append(source.stage) -%}
            {%- do upstream.append({"name": source.stage, "type": "stage (declared design entity)" if source.declared_stage else "stage (derived; `dv-spec scaffold` writes it)",
                                    "why": "computes the keys, hashdiff and load metadata"}) -%}
        {%- endif -%}
        {%- if source.upstream not in seen -%}
            {%- do seen.append(source.upstream) -%}
            {%- do upstream.append({"name": source.upstream, "type": "dbt source" if source.upstream_type == "source" else "model or seed",
                                    "why": "source rows (" ~ dv_spec._spec_dbt_reference(source.upstream, source.upstream_type) ~ ")"}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if entity.get("unloaded_model") -%}
        {%- do upstream.append({"name": entity.unloaded_model, "type": "ephemeral model (`dv-spec scaffold` writes it)",
                                "why": "the stage's rows not loaded yet, which AutomateDV's " ~ kind ~ " reads instead of the stage"}) -%}
    {%- endif -%}
    {%- set entities = [] -%}
    {%- if kind_table[kind].family == "link" -%}
        {%- for ref in entity.refs if ref.hub not in entities -%}{%- do entities.append(ref.hub) -%}{%- endfor -%}
    {%- elif kind_table[kind].family == "sat" -%}
        {%- do entities.append(entity.parent) -%}
    {%- elif kind == "pit" -%}
        {%- do entities.append(entity.hub) -%}
        {%- for sat in entity.satellites -%}{%- do entities.append(sat.name) -%}{%- endfor -%}
    {%- elif kind == "bridge" -%}
        {%- do entities.append(entity.hub) -%}
        {%- for link in entity.links -%}
            {%- do entities.append(link.name) -%}
            {%- if link.effectivity_satellite -%}{%- do entities.append(link.effectivity_satellite) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for name in entities -%}
        {%- set other = design.entities.get(name) -%}
        {%- do upstream.append({"name": name, "type": other.kind if other else "missing entity", "why": "loaded first: its keys are referenced"}) -%}
    {%- endfor -%}
    {%- if kind in ("pit", "bridge") and entity.as_of_dates not in seen -%}
        {%- do upstream.append({"name": entity.as_of_dates, "type": "model or seed", "why": "as-of dates (" ~ dv_spec._spec_dbt_reference(entity.as_of_dates, "model") ~ ")"}) -%}
    {%- endif -%}
    {{ return({"upstream": upstream, "downstream": dv_spec._spec_downstream(entity, design),
               "downstream_models": (context.downstream_models.get(entity.name) or []) | sort}) }}
{%- endmacro -%}


{#- Design entities that read this one: its satellites, links, PITs and bridges, a stage's consumers.
    The reverse index is built once per design (one pass over the entities) and kept in it. -#}
{%- macro _spec_downstream(entity, design) -%}
    {%- if "_downstream" not in design -%}
        {%- do design.update({"_downstream": dv_spec._spec_downstream_index(design)}) -%}
    {%- endif -%}
    {{ return(design._downstream.get(entity.name, [])) }}
{%- endmacro -%}


{%- macro _spec_downstream_index(design) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set index = {} -%}
    {%- for other_name, other in design.entities | dictsort -%}
        {%- set reasons = {} -%}
        {%- if kind_table[other.kind].family == "sat" -%}
            {%- do reasons.setdefault(other.parent, "hangs off it (its parent key)") -%}
        {%- elif kind_table[other.kind].family == "link" -%}
            {%- for ref in other.refs -%}
                {%- do reasons.setdefault(ref.hub, "references it (foreign key " ~ ref.foreign_key ~ ")") -%}
            {%- endfor -%}
        {%- elif other.kind == "pit" -%}
            {%- for sat in other.satellites -%}{%- do reasons.update({sat.name: "PIT column " ~ sat.foreign_key}) -%}{%- endfor -%}
            {%- do reasons.update({other.hub: "PIT over it"}) -%}
        {%- elif other.kind == "bridge" -%}
            {%- do reasons.update({other.hub: "bridge from it"}) -%}
            {%- for link in other.links -%}
                {%- do reasons.update({link.name: "bridge column " ~ link.foreign_key}) -%}
                {%- if link.effectivity_satellite -%}{%- do reasons.update({link.effectivity_satellite: "bridge filters on it"}) -%}{%- endif -%}
            {%- endfor -%}
        {%- endif -%}
        {%- for source in other.sources if source.stage in design.entities and source.stage not in reasons -%}
            {%- do reasons.update({source.stage: "reads it"}) -%}
        {%- endfor -%}
        {%- for name, why in reasons | dictsort if name != other_name -%}
            {%- do index.setdefault(name, []).append({"name": other_name, "kind": other.kind, "why": why}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(index) }}
{%- endmacro -%}


{#- The acceptance criteria, with the dbt test each "dbt test" criterion becomes (named as scaffolding names it). -#}
{%- macro _spec_criteria(entity, design) -%}
    {%- set names = {} -%}
    {%- for test in (dv_spec.scaffold_tests(entity, design) if entity.kind != "stage" else []) -%}
        {%- for test_name, body in test.items() -%}
            {%- do names.update({body.config.meta.acceptance_criterion: body.name}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set out = [] -%}
    {%- for criterion in dv_spec.acceptance_criteria(entity, design) -%}
        {%- set item = {} -%}
        {%- do item.update(criterion) -%}
        {%- if criterion.verified_by == "dbt test" -%}
            {%- do item.update({"test": {"name": criterion.test.name, "arguments": criterion.test.arguments,
                                         "test_name": names.get(criterion.id)}}) -%}
        {%- endif -%}
        {%- do out.append(item) -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro -%}


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
