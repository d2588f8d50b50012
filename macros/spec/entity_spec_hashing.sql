{#-
    entity_spec's hash keys and hashdiff (inputs and the exact SQL per stage) and its
    hashing rules (entity_spec.sql).
-#}

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


{#- The hash SQL a stage computes for one column, from the stage's own definition (what scaffolding writes):
    one column is hashed as a single column, several as AutomateDV's list; Snowflake functions. -#}
{%- macro _spec_hash_sql(definition, column, hash) -%}
    {%- set is_hashdiff = definition is mapping -%}
    {%- set columns = definition.columns if is_hashdiff else definition -%}
    {%- set shape = columns[0] if (not is_hashdiff and columns | length == 1) else columns -%}
    {%- set expression = dv_spec.default__hash_expression(dv_spec._hash_input(shape, is_hashdiff, hash), hash.algorithm) -%}
    {{ return(expression ~ " AS " ~ column) }}
{%- endmacro -%}
