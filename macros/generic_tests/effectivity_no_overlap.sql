{#-
    Eff_sat: for each driving key, at most one relationship is effective at
    any time. The current version of each effectivity period is the latest
    row (by load datetime) of a (parent key, start date); AutomateDV inserts
    a new row with the same start date when it closes a period. Periods are
    half-open [start_date, end_date), so a period may start when the previous
    one ends. A period overlaps when it starts before the latest end date of
    the driving key's earlier periods. Two window passes, no join.
-#}
{%- test effectivity_no_overlap(model, parent_hash_key=none, driving_keys=none, start_date=none, end_date=none, load_datetime=none) -%}
    {%- set example = 'arguments: {parent_hash_key: customer_product_hk, driving_keys: [customer_hk], start_date: start_date, end_date: end_date}' -%}
    {%- set parent_hash_key = dv_spec._check_column('effectivity_no_overlap', 'parent_hash_key', parent_hash_key, example) -%}
    {%- set driving_keys = dv_spec._check_columns('effectivity_no_overlap', 'driving_keys', driving_keys, example) -%}
    {%- set start_date = dv_spec._check_column('effectivity_no_overlap', 'start_date', start_date or 'start_date', example) -%}
    {%- set end_date = dv_spec._check_column('effectivity_no_overlap', 'end_date', end_date or 'end_date', example) -%}
    {%- set load_datetime = dv_spec._check_column('effectivity_no_overlap', 'load_datetime',
        load_datetime or dv_spec._setting('load_datetime_column', 'load_datetime'), example) -%}
    {{ return(adapter.dispatch('test_effectivity_no_overlap', 'dv_spec')(model, parent_hash_key, driving_keys, start_date, end_date, load_datetime)) }}
{%- endtest -%}

{%- macro default__test_effectivity_no_overlap(model, parent_hash_key, driving_keys, start_date, end_date, load_datetime) -%}
{%- set period_columns = [parent_hash_key] + driving_keys + [start_date, end_date] -%}
WITH versions AS (
    SELECT
        {{ period_columns | join(',\n        ') }},
        ROW_NUMBER() OVER (
            PARTITION BY {{ parent_hash_key }}, {{ start_date }}
            ORDER BY {{ load_datetime }} DESC
        ) AS version_rank
    FROM {{ model }}
    WHERE {{ dv_spec._not_ghost(parent_hash_key) }}
),

periods AS (
    SELECT
        {{ period_columns | join(',\n        ') }},
        MAX({{ end_date }}) OVER (
            PARTITION BY {{ driving_keys | join(', ') }}
            ORDER BY {{ start_date }}, {{ end_date }}
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS earlier_end_date
    FROM versions
    WHERE version_rank = 1
)

SELECT
    {{ period_columns | join(',\n    ') }},
    earlier_end_date
FROM periods
WHERE earlier_end_date > {{ start_date }}
{%- endmacro -%}
