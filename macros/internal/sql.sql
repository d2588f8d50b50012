{#-
    Small SQL builders shared by the generic tests.

    _not_ghost(column): true for every row except a ghost (zero-key) row; a
      NULL key counts as "not a ghost", so the other tests still see it.
    _grain_failures(model, columns, null_parts='any', where=none): the
      combinations of `columns` in `model` (rows matching `where`, if given)
      that occur more than once or are NULL, as one GROUP BY pass.
      null_parts='any' fails a combination with any NULL part, 'all' only one
      whose parts are all NULL.
-#}

{%- macro _not_ghost(column) -%}
    {{- return("(" ~ column ~ " IS NULL OR " ~ column ~ " <> " ~ dv_spec.zero_key() ~ ")") -}}
{%- endmacro -%}


{%- macro _grain_failures(model, columns, null_parts='any', where=none) -%}
    {%- set null_checks = [] -%}
    {%- for column in columns -%}
        {%- do null_checks.append(column ~ " IS NULL") -%}
    {%- endfor -%}
SELECT
    {{ columns | join(',\n    ') }},
    COUNT(*) AS n_rows
FROM {{ model }}
{%- if where %}
WHERE {{ where }}
{%- endif %}
GROUP BY {{ columns | join(', ') }}
HAVING COUNT(*) > 1
    OR ({{ null_checks | join(' OR ' if null_parts == 'any' else ' AND ') }})
{%- endmacro -%}
