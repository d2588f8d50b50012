{#- Generated from dv_spec_tool/core/kinds.json by `python -m dv_spec_tool.core.kinds`: edit the JSON, not this file.
    kinds(): the table of entity kinds, {kind: {label, prefix, family, parents, payload, hashdiff, macro, macro_aliases, rank, model, staged, keyed, checked, diagram}},
    in table order (docs/design-contract.md, "Adding a kind"). -#}
{%- macro kinds() -%}
    {{- return({
        "hub": {"label": "hub", "prefix": "hub_", "family": "hub", "parents": [], "payload": false, "hashdiff": false, "macro": "hub", "macro_aliases": [], "rank": 1, "model": true, "staged": true, "keyed": true, "checked": true, "diagram": true},
        "link": {"label": "link", "prefix": "link_", "family": "link", "parents": [], "payload": false, "hashdiff": false, "macro": "link", "macro_aliases": [], "rank": 2, "model": true, "staged": true, "keyed": true, "checked": true, "diagram": true},
        "nh_link": {"label": "non-historised link", "prefix": "nh_link_", "family": "link", "parents": [], "payload": true, "hashdiff": false, "macro": "nh_link", "macro_aliases": ["t_link"], "rank": 2, "model": true, "staged": true, "keyed": true, "checked": true, "diagram": true},
        "sat": {"label": "satellite", "prefix": "sat_", "family": "sat", "parents": ["hub", "link", "nh_link"], "payload": true, "hashdiff": true, "macro": "sat", "macro_aliases": [], "rank": 3, "model": true, "staged": true, "keyed": true, "checked": true, "diagram": true},
        "ma_sat": {"label": "multi-active satellite", "prefix": "ma_sat_", "family": "sat", "parents": ["hub", "link", "nh_link"], "payload": true, "hashdiff": true, "macro": "ma_sat", "macro_aliases": [], "rank": 3, "model": true, "staged": true, "keyed": true, "checked": true, "diagram": true},
        "eff_sat": {"label": "effectivity satellite", "prefix": "eff_sat_", "family": "sat", "parents": ["link"], "payload": false, "hashdiff": false, "macro": "eff_sat", "macro_aliases": [], "rank": 3, "model": true, "staged": true, "keyed": true, "checked": true, "diagram": true},
        "xts": {"label": "extended tracking satellite", "prefix": "xts_", "family": "sat", "parents": ["hub", "link", "nh_link"], "payload": false, "hashdiff": false, "macro": "xts", "macro_aliases": [], "rank": 3, "model": true, "staged": true, "keyed": true, "checked": true, "diagram": false},
        "ref_table": {"label": "reference table", "prefix": "ref_", "family": "ref_table", "parents": [], "payload": true, "hashdiff": false, "macro": "ref_table", "macro_aliases": [], "rank": 1, "model": true, "staged": true, "keyed": false, "checked": true, "diagram": true},
        "pit": {"label": "PIT", "prefix": "pit_", "family": "pit", "parents": [], "payload": false, "hashdiff": false, "macro": "pit", "macro_aliases": [], "rank": 4, "model": true, "staged": false, "keyed": false, "checked": true, "diagram": true},
        "bridge": {"label": "bridge", "prefix": "bridge_", "family": "bridge", "parents": [], "payload": false, "hashdiff": false, "macro": "bridge", "macro_aliases": [], "rank": 4, "model": true, "staged": false, "keyed": false, "checked": true, "diagram": true},
        "stage": {"label": "stage", "prefix": "stg_", "family": "stage", "parents": [], "payload": false, "hashdiff": false, "macro": "stage", "macro_aliases": [], "rank": 0, "model": false, "staged": false, "keyed": false, "checked": true, "diagram": false}
    }) -}}
{%- endmacro -%}


{#- The kinds whose `column` is `value`, in table order: dv_spec._kinds_where("model"). -#}
{%- macro _kinds_where(column, value=true) -%}
    {%- set found = [] -%}
    {%- for kind, row in dv_spec.kinds().items() if row[column] == value -%}{%- do found.append(kind) -%}{%- endfor -%}
    {{- return(found) -}}
{%- endmacro -%}
