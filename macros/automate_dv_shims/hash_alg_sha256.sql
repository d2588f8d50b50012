{#-
    For var('hash') == 'SHA'. AutomateDV's default__ body is Snowflake's
    SHA2_BINARY(...), which DuckDB lacks; DuckDB's SHA256 returns 64 hex
    characters, UNHEX gives the 32 bytes Snowflake stores.
-#}
{%- macro duckdb__hash_alg_sha256() -%}
    {%- do return('UNHEX(SHA256([HASH_STRING_PLACEHOLDER]))') -%}
{%- endmacro -%}
