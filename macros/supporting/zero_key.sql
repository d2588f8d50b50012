{#-
    dv_spec.zero_key()

    The all-zero hash key AutomateDV writes into ghost records (and into PIT
    rows that have no satellite row yet): 16, 32 or 20 zero bytes for md5,
    sha256 or sha1. AutomateDV spells it CAST('000...0' AS BINARY(n)), which
    Snowflake reads as hex; TO_BINARY(..., 'HEX') is the same value and also
    what the fakesnow emulator reads as hex, so Snowflake and the emulator
    share one body. DuckDB: UNHEX('000...0').
-#}

{%- macro zero_key() -%}
    {%- set hex_digits = dv_spec._hash_settings().bytes * 2 -%}
    {{- return(adapter.dispatch('zero_key', 'dv_spec')('0' * hex_digits)) -}}
{%- endmacro -%}


{%- macro default__zero_key(zeros) -%}
    {{- return("TO_BINARY('" ~ zeros ~ "', 'HEX')") -}}
{%- endmacro -%}


{%- macro duckdb__zero_key(zeros) -%}
    {{- return("UNHEX('" ~ zeros ~ "')") -}}
{%- endmacro -%}
