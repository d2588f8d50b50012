{#-
    AutomateDV's default__ body is Snowflake's MD5_BINARY(...), which DuckDB
    lacks. DuckDB's MD5 returns the digest as 32 hex characters; UNHEX turns
    it into the same 16 bytes Snowflake stores. [HASH_STRING_PLACEHOLDER] is
    replaced by AutomateDV's hash macro with the normalised column string.
-#}
{%- macro duckdb__hash_alg_md5() -%}
    {%- do return('UNHEX(MD5([HASH_STRING_PLACEHOLDER]))') -%}
{%- endmacro -%}
