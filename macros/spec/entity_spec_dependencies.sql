{#-
    entity_spec's dependencies (entity_spec.sql): what an entity reads and what
    reads it.
-#}

{%- macro _spec_dependencies(entity, design, context) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set kind = entity.kind -%}
    {%- set upstream = [] -%}
    {%- set seen = [] -%}
    {%- for source in entity.sources -%}
        {%- if kind != "stage" and source.stage not in seen -%}
            {%- do seen.append(source.stage) -%}
            {%- do upstream.append({"name": source.stage, "type": "stage (declared design entity)" if source.declared_stage else "stage (derived; `dv-spec scaffold` writes it)",
                                    "why": "computes the keys, hashdiff and load metadata"}) -%}
        {%- endif -%}
        {%- if source.upstream not in seen -%}
            {%- do seen.append(source.upstream) -%}
            {%- do upstream.append({"name": source.upstream, "type": "dbt source" if source.upstream_type == "source" else "model or seed",
                                    "why": "source rows (" ~ dv_spec._spec_dbt_reference(source.upstream, source.upstream_type) ~ ")"}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if entity.get("unloaded_model") -%}
        {%- do upstream.append({"name": entity.unloaded_model, "type": "ephemeral model (`dv-spec scaffold` writes it)",
                                "why": "the stage's rows not loaded yet, which AutomateDV's " ~ kind ~ " reads instead of the stage"}) -%}
    {%- endif -%}
    {%- set entities = [] -%}
    {%- if kind_table[kind].family == "link" -%}
        {%- for ref in entity.refs if ref.hub not in entities -%}{%- do entities.append(ref.hub) -%}{%- endfor -%}
    {%- elif kind_table[kind].family == "sat" -%}
        {%- do entities.append(entity.parent) -%}
    {%- elif kind == "pit" -%}
        {%- do entities.append(entity.hub) -%}
        {%- for sat in entity.satellites -%}{%- do entities.append(sat.name) -%}{%- endfor -%}
    {%- elif kind == "bridge" -%}
        {%- do entities.append(entity.hub) -%}
        {%- for link in entity.links -%}
            {%- do entities.append(link.name) -%}
            {%- if link.effectivity_satellite -%}{%- do entities.append(link.effectivity_satellite) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for name in entities -%}
        {%- set other = design.entities.get(name) -%}
        {%- do upstream.append({"name": name, "type": other.kind if other else "missing entity", "why": "loaded first: its keys are referenced"}) -%}
    {%- endfor -%}
    {%- if kind in ("pit", "bridge") and entity.as_of_dates not in seen -%}
        {%- do upstream.append({"name": entity.as_of_dates, "type": "model or seed", "why": "as-of dates (" ~ dv_spec._spec_dbt_reference(entity.as_of_dates, "model") ~ ")"}) -%}
    {%- endif -%}
    {{ return({"upstream": upstream, "downstream": dv_spec._spec_downstream(entity, design),
               "downstream_models": (context.downstream_models.get(entity.name) or []) | sort}) }}
{%- endmacro -%}


{#- Design entities that read this one: its satellites, links, PITs and bridges, a stage's consumers.
    The reverse index is built once per design (one pass over the entities) and kept in it. -#}
{%- macro _spec_downstream(entity, design) -%}
    {%- if "_downstream" not in design -%}
        {%- do design.update({"_downstream": dv_spec._spec_downstream_index(design)}) -%}
    {%- endif -%}
    {{ return(design._downstream.get(entity.name, [])) }}
{%- endmacro -%}


{%- macro _spec_downstream_index(design) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set index = {} -%}
    {%- for other_name, other in design.entities | dictsort -%}
        {%- set reasons = {} -%}
        {%- if kind_table[other.kind].family == "sat" -%}
            {%- do reasons.setdefault(other.parent, "hangs off it (its parent key)") -%}
        {%- elif kind_table[other.kind].family == "link" -%}
            {%- for ref in other.refs -%}
                {%- do reasons.setdefault(ref.hub, "references it (foreign key " ~ ref.foreign_key ~ ")") -%}
            {%- endfor -%}
        {%- elif other.kind == "pit" -%}
            {%- for sat in other.satellites -%}{%- do reasons.update({sat.name: "PIT column " ~ sat.foreign_key}) -%}{%- endfor -%}
            {%- do reasons.update({other.hub: "PIT over it"}) -%}
        {%- elif other.kind == "bridge" -%}
            {%- do reasons.update({other.hub: "bridge from it"}) -%}
            {%- for link in other.links -%}
                {%- do reasons.update({link.name: "bridge column " ~ link.foreign_key}) -%}
                {%- if link.effectivity_satellite -%}{%- do reasons.update({link.effectivity_satellite: "bridge filters on it"}) -%}{%- endif -%}
            {%- endfor -%}
        {%- endif -%}
        {%- for source in other.sources if source.stage in design.entities and source.stage not in reasons -%}
            {%- do reasons.update({source.stage: "reads it"}) -%}
        {%- endfor -%}
        {%- for name, why in reasons | dictsort if name != other_name -%}
            {%- do index.setdefault(name, []).append({"name": other_name, "kind": other.kind, "why": why}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(index) }}
{%- endmacro -%}
