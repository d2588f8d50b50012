{#-
    entity_spec's target table (entity_spec.sql): the Snowflake DDL, from its columns.
-#}

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
