{#-
    Sat, ma_sat: delta loading works, i.e. no row repeats the hashdiff of the
    previous row of the same parent key (ordered by load datetime). One
    window pass. With multi_active_keys (an ma_sat) the unit is the set of
    rows a key got at one load datetime: no set may equal the previous set
    of the same key (compared as the multiset of their hashdiffs); one
    aggregate pass, then a window over the (smaller) aggregate.
-#}
{%- test no_repeated_hashdiff(model, parent_hash_key=none, hashdiff=none, load_datetime=none, multi_active_keys=none) -%}
    {%- set example = 'arguments: {parent_hash_key: customer_hk, hashdiff: customer_hashdiff, load_datetime: load_datetime}' -%}
    {%- set parent_hash_key = dv_spec._check_column('no_repeated_hashdiff', 'parent_hash_key', parent_hash_key, example) -%}
    {%- set hashdiff = dv_spec._check_column('no_repeated_hashdiff', 'hashdiff', hashdiff, example) -%}
    {%- set load_datetime = dv_spec._check_column('no_repeated_hashdiff', 'load_datetime',
        load_datetime or dv_spec._setting('load_datetime_column', 'load_datetime'), example) -%}
    {%- set multi_active_keys = dv_spec._check_columns('no_repeated_hashdiff', 'multi_active_keys', multi_active_keys, example)
        if multi_active_keys is not none else [] -%}
    {{ return(adapter.dispatch('test_no_repeated_hashdiff', 'dv_spec')(model, parent_hash_key, hashdiff, load_datetime, multi_active_keys)) }}
{%- endtest -%}

{%- macro default__test_no_repeated_hashdiff(model, parent_hash_key, hashdiff, load_datetime, multi_active_keys) -%}
{%- if multi_active_keys | length == 0 %}
SELECT
    {{ parent_hash_key }},
    {{ load_datetime }},
    {{ hashdiff }}
FROM (
    SELECT
        {{ parent_hash_key }},
        {{ load_datetime }},
        {{ hashdiff }},
        LAG({{ hashdiff }}) OVER (
            PARTITION BY {{ parent_hash_key }}
            ORDER BY {{ load_datetime }}
        ) AS previous_hashdiff
    FROM {{ model }}
) AS ordered
WHERE {{ hashdiff }} = previous_hashdiff
{%- else %}
WITH hashdiff_sets AS (
    SELECT
        {{ parent_hash_key }},
        {{ load_datetime }},
        {{ dv_spec._hashdiff_set(hashdiff) }} AS hashdiff_set
    FROM {{ model }}
    GROUP BY {{ parent_hash_key }}, {{ load_datetime }}
)
SELECT
    {{ parent_hash_key }},
    {{ load_datetime }}
FROM (
    SELECT
        {{ parent_hash_key }},
        {{ load_datetime }},
        hashdiff_set,
        LAG(hashdiff_set) OVER (
            PARTITION BY {{ parent_hash_key }}
            ORDER BY {{ load_datetime }}
        ) AS previous_hashdiff_set
    FROM hashdiff_sets
) AS ordered
WHERE hashdiff_set = previous_hashdiff_set
{%- endif %}
{%- endmacro -%}


{#-
    An aggregate over a group's hashdiffs that is equal for two groups when
    they hold the same multiset of hashdiffs (and, but for a 64-bit hash
    collision, only then).
    Snowflake: HASH_AGG, order-independent. The fakesnow emulator has no
    HASH_AGG, so there (and only there) the sorted hex list is compared.
    DuckDB: the sum of HASH() (a HUGEINT; a sorted STRING_AGG is exact but
    was five times slower in benchmarks/generic_tests_benchmark.py).
-#}
{%- macro _hashdiff_set(hashdiff) -%}
    {{- return(adapter.dispatch('_hashdiff_set', 'dv_spec')(hashdiff)) -}}
{%- endmacro -%}

{%- macro default___hashdiff_set(hashdiff) -%}
    {%- if target.account == 'fakesnow' -%}
        {{- return("LISTAGG(HEX_ENCODE(" ~ hashdiff ~ "), ',') WITHIN GROUP (ORDER BY HEX_ENCODE(" ~ hashdiff ~ "))") -}}
    {%- endif -%}
    {{- return("HASH_AGG(" ~ hashdiff ~ ")") -}}
{%- endmacro -%}

{%- macro duckdb___hashdiff_set(hashdiff) -%}
    {{- return("SUM(HASH(" ~ hashdiff ~ "))") -}}
{%- endmacro -%}
