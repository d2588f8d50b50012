{#-
    Argument checks shared by dv_spec's macros and generic tests. They run
    while dbt parses and compiles (not only under `dbt run`), so a malformed
    test configuration fails `dbt compile` with a message that shows the right
    shape. Every check returns the value it accepted, normalised:

    _check_column(macro, arg, value, example)            -> 'col'
    _check_columns(macro, arg, value, example)           -> ['col', ...]
        (a single string is accepted and becomes a one-item list)
    _check_references(macro, arg, value, required, optional, example)
        -> [{...}, ...]: a non-empty list of mappings with the required keys
           and no keys outside required + optional.
    _as_relation(macro, arg, value, example)
        -> a Relation: a model name is passed to ref(); ref('x') / source()
           results are used as they are.
-#}

{%- macro _argument_error(macro, arg, expected, example, got) -%}
    {%- do exceptions.raise_compiler_error(
        "dv_spec." ~ macro ~ ": `" ~ arg ~ "` must be " ~ expected ~ ", e.g.\n  "
        ~ example ~ "\ngot: " ~ (got | string)) -%}
{%- endmacro -%}


{%- macro _is_list(value) -%}
    {%- do return(value is iterable and value is not string and value is not mapping) -%}
{%- endmacro -%}


{%- macro _check_column(macro, arg, value, example) -%}
    {%- if value is not string or (value | trim) == '' -%}
        {%- do dv_spec._argument_error(macro, arg, "a column name", example, value) -%}
    {%- endif -%}
    {%- do return(value | trim) -%}
{%- endmacro -%}


{%- macro _check_columns(macro, arg, value, example) -%}
    {%- if value is string -%}
        {%- set value = [value] -%}
    {%- endif -%}
    {%- if not dv_spec._is_list(value) or value | length == 0 -%}
        {%- do dv_spec._argument_error(macro, arg, "a non-empty list of column names", example, value) -%}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for item in value -%}
        {%- if item is not string or (item | trim) == '' -%}
            {%- do dv_spec._argument_error(macro, arg, "a non-empty list of column names", example, value) -%}
        {%- endif -%}
        {%- do columns.append(item | trim) -%}
    {%- endfor -%}
    {%- do return(columns) -%}
{%- endmacro -%}


{%- macro _check_references(macro, arg, value, required, optional, example) -%}
    {%- set expected = "a non-empty list of mappings with keys " ~ (required | join(', '))
        ~ ((" (optional: " ~ (optional | join(', ')) ~ ")") if optional else "") -%}
    {%- if not dv_spec._is_list(value) or value | length == 0 -%}
        {%- do dv_spec._argument_error(macro, arg, expected, example, value) -%}
    {%- endif -%}
    {%- for item in value -%}
        {%- if item is not mapping -%}
            {%- do dv_spec._argument_error(macro, arg, expected, example, item) -%}
        {%- endif -%}
        {%- for key in required -%}
            {%- if item.get(key) is none -%}
                {%- do dv_spec._argument_error(macro, arg, expected ~ "; item is missing `" ~ key ~ "`", example, item) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for key in item -%}
            {%- if key not in required and key not in optional -%}
                {%- do dv_spec._argument_error(macro, arg, expected ~ "; unknown key `" ~ key ~ "`", example, item) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- do return(value) -%}
{%- endmacro -%}


{%- macro _as_relation(macro, arg, value, example) -%}
    {%- if value is string and (value | trim) != '' -%}
        {%- do return(ref(value | trim)) -%}
    {%- elif value is not none and value is not string and value.identifier is defined -%}
        {#- a Relation (ref(...) or source(...) rendered by dbt) -#}
        {%- do return(value) -%}
    {%- endif -%}
    {%- do dv_spec._argument_error(macro, arg, "a model name or ref('...')", example, value) -%}
{%- endmacro -%}
