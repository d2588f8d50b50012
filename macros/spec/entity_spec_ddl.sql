{#-
    entity_spec's target table (entity_spec.sql): the Snowflake DDL, from its columns.
-#}

{%- macro _spec_ddl(entity, columns) -%}
    {%- if entity.kind == "stage" -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set name_widths = [0] -%}
    {%- set type_widths = [0] -%}
    {%- for column in columns -%}
        {%- do name_widths.append(column.name | length) -%}
        {%- do type_widths.append((column.type or "<type unknown>") | length) -%}
    {%- endfor -%}
    {%- set width = {"name": name_widths | max, "type": type_widths | max} -%}
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
