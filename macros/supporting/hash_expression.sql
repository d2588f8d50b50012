{#-
    dv_spec.hash_expression(columns, is_hashdiff=false)

    The SQL expression AutomateDV 0.11.5 (`automate_dv.hash`) computes for a
    hash key or hashdiff, byte for byte, without the alias and without the
    outer CAST to BINARY(n) (which changes no bytes). Every dv_spec macro that
    recomputes a hash calls this one.

    columns: a column name, or a list of column names (or expressions such as
      h1.customer_id). AutomateDV treats the two shapes differently and so do
      we: a single string is hashed as  ALG(STD(col)), a list as
      ALG(NULLIF(CONCAT_WS(sep, IFNULL(STD(c1), ph), ...), 'ph<sep>ph...'))
      so a row whose columns are all null gets a NULL key. A name starting with
      '!' is a constant ('!CRM' hashes the literal CRM), as in AutomateDV.
    is_hashdiff: true for a hashdiff. The list is then sorted alphabetically
      (case-insensitively, Jinja's `sort`, exactly as AutomateDV does; 0.11.5
      has no switch to turn this off) and the all-null NULLIF is not applied,
      so a hashdiff of an all-null payload is the hash of '^^||^^'.

    STD(col) is NULLIF(UPPER(TRIM(CAST(col AS VARCHAR))), '') (without UPPER
    when hash_content_casing is 'disabled'); sep and ph are AutomateDV's
    concat_string and null_placeholder_string vars; ALG is chosen by
    dv_spec._hash_settings() (vars.dv_spec.hash_algorithm or AutomateDV's
    `hash` var).

    Snowflake (default__): MD5_BINARY / SHA2_BINARY(x, 256) / SHA1_BINARY.
    The fakesnow emulator runs these unchanged (it rewrites them to DuckDB's
    functions itself), so there is no emulator branch.
    DuckDB: UNHEX(MD5(x)) / UNHEX(SHA256(x)) / UNHEX(SHA1(x)), the same bytes.
-#}

{%- macro hash_expression(columns=none, is_hashdiff=false) -%}
    {%- set example = "dv_spec.hash_expression(['customer_id', 'order_id']) or dv_spec.hash_expression(['name', 'email'], is_hashdiff=true)" -%}
    {%- if columns is not string -%}
        {%- set columns = dv_spec._check_columns('hash_expression', 'columns', columns, example) -%}
    {%- else -%}
        {%- set columns = dv_spec._check_column('hash_expression', 'columns', columns, example) -%}
    {%- endif -%}
    {%- if is_hashdiff is none -%}
        {%- set is_hashdiff = false -%}
    {%- endif -%}
    {%- if is_hashdiff is not boolean -%}
        {%- do dv_spec._argument_error('hash_expression', 'is_hashdiff', 'true or false', example, is_hashdiff) -%}
    {%- endif -%}
    {%- set settings = dv_spec._hash_settings() -%}
    {%- set hash_input = dv_spec._hash_input(columns, is_hashdiff, settings) -%}
    {{- return(adapter.dispatch('hash_expression', 'dv_spec')(hash_input, settings.algorithm)) -}}
{%- endmacro -%}


{%- macro default__hash_expression(hash_input, algorithm) -%}
    {%- if algorithm == 'sha256' -%}
        {{- return('SHA2_BINARY(' ~ hash_input ~ ', 256)') -}}
    {%- elif algorithm == 'sha1' -%}
        {{- return('SHA1_BINARY(' ~ hash_input ~ ')') -}}
    {%- else -%}
        {{- return('MD5_BINARY(' ~ hash_input ~ ')') -}}
    {%- endif -%}
{%- endmacro -%}


{%- macro duckdb__hash_expression(hash_input, algorithm) -%}
    {%- set function = {'md5': 'MD5', 'sha256': 'SHA256', 'sha1': 'SHA1'}[algorithm] -%}
    {{- return('UNHEX(' ~ function ~ '(' ~ hash_input ~ '))') -}}
{%- endmacro -%}


{#- The string that is hashed; plain SQL that Snowflake and DuckDB read alike. -#}
{%- macro _hash_input(columns, is_hashdiff, settings) -%}
    {%- set sep = settings.concat_string | replace("'", "''") -%}
    {%- set placeholder = settings.null_placeholder | replace("'", "''") -%}

    {%- if columns is string -%}
        {{- return(dv_spec._standardise(columns, settings)) -}}
    {%- endif -%}

    {%- if is_hashdiff -%}
        {%- set columns = columns | sort -%}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("IFNULL(" ~ dv_spec._standardise(column, settings) ~ ", '" ~ placeholder ~ "')") -%}
    {%- endfor -%}

    {%- if is_hashdiff -%}
        {%- if parts | length == 1 -%}
            {{- return(parts[0]) -}}
        {%- endif -%}
        {{- return("CONCAT_WS('" ~ sep ~ "', " ~ parts | join(', ') ~ ")") -}}
    {%- endif -%}

    {%- set all_null = [] -%}
    {%- for column in columns -%}
        {%- do all_null.append(placeholder) -%}
    {%- endfor -%}
    {{- return("NULLIF(CONCAT_WS('" ~ sep ~ "', " ~ parts | join(', ') ~ "), '" ~ all_null | join(sep) ~ "')") -}}
{%- endmacro -%}


{%- macro _standardise(column, settings) -%}
    {%- if column | first == '!' -%}
        {%- set column = "'" ~ (column[1:] | replace("'", "''")) ~ "'" -%}
    {%- endif -%}
    {%- set trimmed = "TRIM(CAST(" ~ column ~ " AS VARCHAR))" -%}
    {%- if settings.casing == 'upper' -%}
        {%- set trimmed = "UPPER(" ~ trimmed ~ ")" -%}
    {%- endif -%}
    {{- return("NULLIF(" ~ trimmed ~ ", '')") -}}
{%- endmacro -%}
