{#-
    effectivity_changes(source_model, target, link_hash_key, driving_keys,
    columns, effective_from, start_date, end_date, load_datetime): the rows
    an auto end-dated effectivity satellite (design `end_dating: auto`) loads
    from a stage that sends only the relationships in force, no closing rows.
    Of the rows `target` has not loaded yet (unloaded_rows), it keeps, per
    driving key and in `effective_from` order, only a row whose link key
    differs from the previous one (a repeated relationship is no change);
    each kept row starts at its `effective_from` and ends at the driving
    key's next later change, or at AutomateDV's max datetime when none
    follows (two changes at one time both stay open, so the overlap test
    names the tie). So a first build over several loads writes closed periods itself;
    on later runs AutomateDV's is_auto_end_dating closes the period that was
    open before the run. Scaffolding puts it in the ephemeral model in front
    of such an eff_sat. `columns` are the other columns the eff_sat reads
    (link and foreign keys, load datetime, record source), selected as they
    are: only these, so a source column called like `start_date` cannot
    clash with the computed one.
-#}
{%- macro effectivity_changes(source_model, target, link_hash_key, driving_keys, columns, effective_from, start_date, end_date, load_datetime) -%}
    {%- set example = "effectivity_changes(source_model='stg_assignments', target='eff_sat_assignment', link_hash_key='assignment_hk', driving_keys=['agreement_hk'], columns=['assignment_hk', 'agreement_hk', 'provider_hk', 'load_datetime', 'record_source'], effective_from='load_datetime', start_date='start_date', end_date='end_date', load_datetime='load_datetime')" -%}
    {%- for name, value in [("source_model", source_model), ("target", target), ("link_hash_key", link_hash_key),
                            ("effective_from", effective_from), ("start_date", start_date), ("end_date", end_date),
                            ("load_datetime", load_datetime)] -%}
        {%- do dv_spec._check_column("effectivity_changes", name, value, example) -%}
    {%- endfor -%}
    {%- set driving_keys = dv_spec._check_columns("effectivity_changes", "driving_keys", driving_keys, example) -%}
    {%- set columns = dv_spec._check_columns("effectivity_changes", "columns", columns, example) -%}
    {{ return(adapter.dispatch('effectivity_changes', 'dv_spec')(source_model, target, link_hash_key, driving_keys, columns, effective_from, start_date, end_date, load_datetime)) }}
{%- endmacro -%}

{%- macro default__effectivity_changes(source_model, target, link_hash_key, driving_keys, columns, effective_from, start_date, end_date, load_datetime) -%}
{%- set carried = columns if effective_from in columns else columns + [effective_from] -%}
{%- set driving = driving_keys | join(', ') -%}
{%- set on_driving_keys = [] -%}
{%- for key in driving_keys -%}{%- do on_driving_keys.append("next_change." ~ key ~ " = change." ~ key) -%}{%- endfor -%}
WITH unloaded AS (
    {{ dv_spec.unloaded_rows(source_model, target, link_hash_key, load_datetime) | indent(4) }}
),

ordered AS (
    SELECT
        {{ carried | join(',\n        ') }},
        LAG({{ link_hash_key }}) OVER (
            PARTITION BY {{ driving }}
            ORDER BY {{ effective_from }}, {{ link_hash_key }}
        ) AS previous_link_hash_key
    FROM unloaded
    WHERE {{ driving_keys | join(' IS NOT NULL AND ') }} IS NOT NULL
),

changes AS (
    SELECT {{ carried | join(', ') }}
    FROM ordered
    WHERE previous_link_hash_key IS NULL OR previous_link_hash_key <> {{ link_hash_key }}
),

{#- The next later change of each driving key; two changes at one time (a tie) both stay open. #}
next_changes AS (
    SELECT
        {{ driving }},
        {{ effective_from }},
        LEAD({{ effective_from }}) OVER (PARTITION BY {{ driving }} ORDER BY {{ effective_from }}) AS next_effective_from
    FROM (SELECT {{ driving }}, {{ effective_from }} FROM changes GROUP BY {{ driving }}, {{ effective_from }}) AS change_times
)

SELECT
    {%- for column in columns %}
    change.{{ column }},
    {%- endfor %}
    change.{{ effective_from }} AS {{ start_date }},
    COALESCE(next_change.next_effective_from,
             {{ automate_dv.cast_datetime(automate_dv.max_datetime(), as_string=true) }}) AS {{ end_date }}
    {%- if effective_from not in columns %},
    change.{{ effective_from }}
    {%- endif %}
FROM changes AS change
INNER JOIN next_changes AS next_change
    ON {{ on_driving_keys | join(' AND ') }}
    AND next_change.{{ effective_from }} = change.{{ effective_from }}
{%- endmacro -%}
