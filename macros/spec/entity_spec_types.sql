{#-
    The type of a target column, for entity_spec (entity_spec.sql) and subject_area_spec:
    declared (seeds' column_types, data_type) or inferred (target/catalog.json, dbt's seed
    CSV inference), from the reference columns feeding it; as Snowflake spells it.
-#}

{#- The type of a target column fed by `feeds` [{reference, column}] (a source column of each reference):
    the first declared type, with every reference whose type is unknown and whether the references disagree. -#}
{%- macro _spec_fed_type(feeds, context) -%}
    {%- set found = namespace(type=none, origin=none) -%}
    {%- set unknown = [] -%}
    {%- set seen = [] -%}
    {%- for feed in feeds -%}
        {%- set where = feed.reference ~ "." ~ feed.column -%}
        {%- set declared = (context.column_types.get(feed.reference | lower) or {}).get(feed.column | lower) -%}
        {%- set inferred = (context.inferred_types.get(feed.reference | lower) or {}).get(feed.column | lower) if declared is none else none -%}
        {%- if declared is none and inferred -%}
            {%- set snowflake = dv_spec._spec_snowflake_type(inferred.type) -%}
            {%- if snowflake not in seen -%}{%- do seen.append(snowflake) -%}{%- endif -%}
            {%- if found.type is none -%}
                {%- set found.type = snowflake -%}
                {%- set found.origin = where ~ " (" ~ inferred.type ~ ", " ~ inferred.origin ~ ")" -%}
            {%- endif -%}
        {%- elif declared is none -%}
            {%- if where not in unknown -%}{%- do unknown.append(where) -%}{%- endif -%}
        {%- else -%}
            {%- set snowflake = dv_spec._spec_snowflake_type(declared) -%}
            {%- if snowflake not in seen -%}{%- do seen.append(snowflake) -%}{%- endif -%}
            {%- if found.type is none -%}
                {%- set found.type = snowflake -%}
                {%- set found.origin = where ~ " (declared " ~ declared ~ ")" -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({"type": found.type, "type_known": found.type is not none, "type_from": found.origin,
               "unknown_in": unknown, "conflicting_types": seen if seen | length > 1 else []}) }}
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
