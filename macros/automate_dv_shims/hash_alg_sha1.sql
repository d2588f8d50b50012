{#-
    For var('hash') == 'SHA1'. AutomateDV's default__ body is Snowflake's
    SHA1_BINARY(...), which DuckDB lacks; DuckDB's SHA1 returns 40 hex
    characters, UNHEX gives the 20 bytes Snowflake stores.
-#}
{%- macro duckdb__hash_alg_sha1() -%}
    {%- do return('UNHEX(SHA1([HASH_STRING_PLACEHOLDER]))') -%}
{%- endmacro -%}
