{#-
    resolve_design(entities, settings): the design with every default of the
    contract (docs/design-contract.md) applied. The one implementation of the
    design's semantics: `dv-spec` (through dv_spec_tool/core/jinja.py) and the
    run-operation entry points both call it.

    entities: a list of {name, dv, description, file}; blocks must already be
    structurally valid (dv-spec validate checks that first). References to
    entities that are missing resolve to none rather than failing, so the
    validator can report them.

    Returns {settings, entities: {name: resolved entity}, stages: {name: stage}}.
-#}
{%- macro resolve_design(entities, settings=none) -%}
    {%- if entities is string or entities is mapping or entities is not iterable -%}
        {{ exceptions.raise_compiler_error("resolve_design: `entities` must be a list of {name, dv} mappings, got " ~ entities) }}
    {%- endif -%}
    {%- set settings = dv_spec.design_settings(settings) -%}
    {%- set raw = {} -%}
    {%- for entity in entities -%}
        {%- if entity.name not in raw -%}
            {%- do raw.update({entity.name: entity}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set resolved = {} -%}
    {%- for name, entity in raw.items() -%}
        {%- do resolved.update({name: dv_spec._resolve_entity(entity, raw, settings)}) -%}
    {%- endfor -%}
    {{ return({"settings": settings, "entities": resolved, "stages": dv_spec._resolve_stages(resolved, raw, settings)}) }}
{%- endmacro -%}


{%- macro _resolve_entity(entity, raw, settings) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set dv = entity.dv -%}
    {%- set kind = dv.kind -%}
    {%- set out = {
        "name": entity.name, "kind": kind, "description": entity.get("description") or "",
        "file": entity.get("file") or "", "subject_area": dv.get("subject_area"), "owner": dv.get("owner"),
        "ghost_record": dv.get("ghost_record", false),
        "payload": dv.get("payload", []), "hash_key": dv.get("hash_key"), "hashdiff": dv.get("hashdiff"),
        "effective_from": dv.get("effective_from"), "dependent_keys": dv.get("dependent_keys", []),
    } -%}
    {%- if kind == "hub" -%}
        {%- do out.update({"business_keys": dv.business_keys}) -%}
    {%- elif kind_table[kind].family == "link" -%}
        {%- do out.update({"refs": dv_spec._hub_refs(dv, raw)}) -%}
    {%- elif kind_table[kind].family == "sat" -%}
        {%- set parent = raw.get(dv.parent) -%}
        {%- set parent_kind = parent.dv.kind if parent else none -%}
        {%- do out.update({"parent": dv.parent, "parent_kind": parent_kind,
                           "parent_hash_key": parent.dv.get("hash_key") if parent else none}) -%}
        {%- if kind == "ma_sat" -%}
            {%- do out.update({"multi_active_keys": dv.multi_active_keys}) -%}
        {%- endif -%}
        {%- if kind in ("ma_sat", "eff_sat") -%}
            {#- AutomateDV's ma_sat and eff_sat re-insert older loads when a stage holds several loads per key;
                they read their stage through this ephemeral model of the rows not loaded yet (unloaded_rows). -#}
            {%- do out.update({"unloaded_model": entity.name ~ "__unloaded"}) -%}
        {%- endif -%}
        {%- if kind_table[kind].hashdiff -%}
            {#- AutomateDV's ma_sat hashes the multi-active keys with the payload. -#}
            {#- hashdiff_columns: written when the hashdiff is not exactly the payload (real projects often hash the keys too). -#}
            {#- stage_hashdiff: the stage's name for it when the table's differs (src_hashdiff: {source_column, alias}). -#}
            {%- do out.update({"hashdiff_columns": dv.get("hashdiff_columns") or (dv.get("multi_active_keys", []) + dv.get("payload", [])),
                               "stage_hashdiff": dv.get("stage_hashdiff") or dv.get("hashdiff")}) -%}
        {%- elif kind == "xts" -%}
            {#- AutomateDV's xts reads, per tracked satellite, that satellite's hashdiff and a column holding its name
                from the stage, and writes them as HASHDIFF and SATELLITE_NAME (names its macro fixes). -#}
            {%- set tracked = [] -%}
            {%- for sat_name in dv.satellites -%}
                {%- set sat = raw.get(sat_name) -%}
                {%- do tracked.append({"name": sat_name,
                                       "hashdiff": (sat.dv.get("stage_hashdiff") or sat.dv.get("hashdiff")) if sat else none,
                                       "name_column": (dv.get("satellite_name_columns") or {}).get(sat_name) or sat_name ~ "_name"}) -%}
            {%- endfor -%}
            {%- do out.update({"satellites": tracked, "hashdiff": "hashdiff", "satellite_name": "satellite_name"}) -%}
        {%- else -%}
            {%- set refs = dv_spec._hub_refs(parent.dv, raw) if parent_kind and kind_table[parent_kind].family == "link" else [] -%}
            {%- set driving = [] -%}
            {%- set secondary = [] -%}
            {%- for ref in refs -%}
                {%- do (driving if ref.name in dv.driving_keys else secondary).append(ref.foreign_key) -%}
            {%- endfor -%}
            {%- do out.update({"driving_foreign_keys": driving, "secondary_foreign_keys": secondary,
                               "start_date": dv.get("start_date", "start_date"), "end_date": dv.get("end_date", "end_date"),
                               "end_dating": dv.get("end_dating", "auto")}) -%}
        {%- endif -%}
    {%- elif kind == "pit" -%}
        {%- set satellites = [] -%}
        {%- for name in dv.satellites -%}
            {#- AutomateDV names a PIT's columns <satellite>_<pk name> and <satellite>_<ldts name>, the key names of its
                `satellites` mapping ({pk: {PK: ...}, ldts: {LDTS: ...}} in its docs). -#}
            {%- do satellites.append({"name": name, "kind": raw[name].dv.kind if name in raw else none,
                                      "foreign_key": name ~ "_" ~ dv.get("satellite_key", "pk"),
                                      "foreign_load_datetime": name ~ "_" ~ dv.get("satellite_load_datetime", "ldts")}) -%}
        {%- endfor -%}
        {%- do out.update({"hub": dv.hub, "hub_hash_key": raw[dv.hub].dv.get("hash_key") if dv.hub in raw else none,
                           "satellites": satellites, "as_of_dates": dv.as_of_dates}) -%}
    {%- elif kind == "bridge" -%}
        {%- set links = [] -%}
        {%- for name in dv.links -%}
            {%- set link = raw.get(name) -%}
            {%- set eff_sat = namespace(name=none, end_date=none) -%}
            {%- for eff in dv.get("effectivity_satellites", []) -%}
                {%- if eff in raw and raw[eff].dv.get("parent") == name -%}
                    {%- set eff_sat.name = eff -%}
                    {%- set eff_sat.end_date = raw[eff].dv.get("end_date", "end_date") -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set foreign_keys = [] -%}
            {%- for ref in (dv_spec._hub_refs(link.dv, raw) if link else []) -%}
                {%- do foreign_keys.append(ref.foreign_key) -%}
            {%- endfor -%}
            {#- The bridge's own columns for this link (AutomateDV's bridge_walk aliases), as `link_columns` names them,
                else <link>_pk, and with an effectivity satellite <eff_sat>_end_date and <eff_sat>_load_datetime. -#}
            {%- set named = (dv.get("link_columns") or {}).get(name) or {} -%}
            {%- do links.append({"name": name, "hash_key": link.dv.get("hash_key") if link else none,
                                 "foreign_keys": foreign_keys, "effectivity_satellite": eff_sat.name,
                                 "end_date": eff_sat.end_date, "foreign_key": named.get("key") or name ~ "_pk",
                                 "bridge_end_date": named.get("end_date") or ((eff_sat.name ~ "_end_date") if eff_sat.name else none),
                                 "bridge_load_date": named.get("load_date") or ((eff_sat.name ~ "_load_datetime") if eff_sat.name else none)}) -%}
        {%- endfor -%}
        {%- do out.update({"hub": dv.hub, "hub_hash_key": raw[dv.hub].dv.get("hash_key") if dv.hub in raw else none,
                           "links": links, "as_of_dates": dv.as_of_dates}) -%}
    {%- elif kind == "ref_table" -%}
        {%- do out.update({"reference_keys": dv.reference_keys}) -%}
    {%- endif -%}
    {%- set sources = [] -%}
    {%- for source in dv.get("sources", []) -%}
        {%- do sources.append(dv_spec._resolve_source(entity, loop.index0, source, raw, settings)) -%}
    {%- endfor -%}
    {%- do out.update({"sources": sources, "columns": dv_spec._table_columns(out, settings)}) -%}
    {{ return(out) }}
{%- endmacro -%}


{#- The columns of the entity's table, no more, no fewer, in the order
    AutomateDV's macro for the kind writes them (none for a stage, whose
    columns are its source's plus what its consumers need). -#}
{%- macro _table_columns(entity, settings) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set kind = entity.kind -%}
    {%- set ldts = settings.load_datetime_column -%}
    {%- set metadata = [ldts, settings.record_source_column] -%}
    {%- set eff = [entity.effective_from] if entity.effective_from and entity.effective_from != ldts else [] -%}
    {%- set columns = [] -%}
    {%- if kind == "hub" -%}
        {%- do columns.extend([entity.hash_key] + entity.business_keys + metadata) -%}
    {%- elif kind_table[kind].family == "link" -%}
        {%- do columns.append(entity.hash_key) -%}
        {%- for ref in entity.refs -%}{%- do columns.append(ref.foreign_key) -%}{%- endfor -%}
        {%- if kind == "nh_link" -%}{%- do columns.extend(entity.dependent_keys + entity.payload + eff) -%}{%- endif -%}
        {%- do columns.extend(metadata) -%}
    {%- elif kind == "sat" -%}
        {%- do columns.extend([entity.parent_hash_key, entity.hashdiff] + entity.payload + eff + metadata) -%}
    {%- elif kind == "ma_sat" -%}
        {%- do columns.extend([entity.parent_hash_key] + entity.multi_active_keys + entity.payload + [entity.hashdiff] + eff + metadata) -%}
    {%- elif kind == "xts" -%}
        {%- do columns.extend([entity.parent_hash_key, entity.hashdiff, entity.satellite_name] + metadata) -%}
    {%- elif kind == "eff_sat" -%}
        {%- do columns.extend([entity.parent_hash_key] + entity.driving_foreign_keys + entity.secondary_foreign_keys
                              + [entity.start_date, entity.end_date] + eff + metadata) -%}
    {%- elif kind == "ref_table" -%}
        {%- do columns.extend(entity.reference_keys + entity.payload + metadata) -%}
    {%- elif kind == "pit" -%}
        {%- do columns.extend([entity.hub_hash_key, "as_of_date"]) -%}
        {%- for sat in entity.satellites -%}{%- do columns.extend([sat.foreign_key, sat.foreign_load_datetime]) -%}{%- endfor -%}
    {%- elif kind == "bridge" -%}
        {%- do columns.extend([entity.hub_hash_key, "as_of_date"]) -%}
        {%- for link in entity.links -%}{%- do columns.append(link.foreign_key) -%}{%- endfor -%}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro -%}


{#- A link's hub references in hash order: {index, hub, role, name, foreign_key, business_keys}. -#}
{%- macro _hub_refs(link_dv, raw) -%}
    {%- set refs = [] -%}
    {%- for item in link_dv.get("hubs", []) -%}
        {%- set ref = {"hub": item, "role": none, "foreign_key": none} if item is string else
                      {"hub": item.hub, "role": item.get("role"), "foreign_key": item.get("foreign_key")} -%}
        {%- set hub = raw.get(ref.hub) -%}
        {%- set hash_key = hub.dv.get("hash_key") if hub else none -%}
        {%- set foreign_key = ref.foreign_key or ((ref.role ~ "_" ~ hash_key) if ref.role and hash_key else hash_key) -%}
        {%- do refs.append({"index": loop.index0, "hub": ref.hub, "role": ref.role, "name": ref.role or ref.hub,
                            "foreign_key": foreign_key, "hash_key": hash_key,
                            "business_keys": hub.dv.get("business_keys", []) if hub else []}) -%}
    {%- endfor -%}
    {{ return(refs) }}
{%- endmacro -%}


{#- One source of an entity: what it reads, which stage computes its keys, and
    which source column feeds each business key (with the path of the mapping
    in the design, for findings). -#}
{%- macro _resolve_source(entity, index, source, raw, settings) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set dv = entity.dv -%}
    {%- set ref = source.get("model") or source.get("source") -%}
    {%- set declared_stage = raw.get(ref) if source.get("model") and raw.get(ref) and raw[ref].dv.kind == "stage" else none -%}
    {%- set upstream = declared_stage.dv.sources[0] if declared_stage and declared_stage.dv.get("sources") else {} -%}
    {%- set upstream_ref = upstream.get("model") or upstream.get("source") -%}
    {%- if declared_stage -%}
        {%- set stage = ref -%}
    {%- elif source.get("source") -%}
        {%- set stage = settings.stage_prefix ~ ref.replace(".", "__") -%}
    {%- else -%}
        {%- set stage = settings.stage_prefix ~ ref -%}
    {%- endif -%}
    {%- set mapping = source.get("business_keys") -%}
    {%- set base = ["sources", index, "business_keys"] -%}
    {%- set kind = dv.kind -%}
    {%- set key_columns = [] -%}
    {%- if kind == "hub" -%}
        {%- do key_columns.extend(dv_spec._hub_key_columns(entity.name, entity.name, none, mapping, dv.business_keys, base)) -%}
    {%- elif kind_table[kind].family == "link" -%}
        {%- do key_columns.extend(dv_spec._link_key_columns(dv, mapping, raw, base)) -%}
    {%- elif kind_table[kind].family == "sat" and dv.parent in raw -%}
        {%- set parent = raw[dv.parent] -%}
        {%- if mapping is none -%}
            {#- No mapping of its own: the parent's mapping for the same source, else the parent's names. -#}
            {%- set base = [] -%}
            {%- set inherited = namespace(mapping=none) -%}
            {%- for parent_source in parent.dv.get("sources", []) -%}
                {%- if (parent_source.get("model") or parent_source.get("source")) == ref and inherited.mapping is none -%}
                    {%- set inherited.mapping = parent_source.get("business_keys") -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set mapping = inherited.mapping -%}
        {%- endif -%}
        {%- if parent.dv.kind == "hub" -%}
            {%- do key_columns.extend(dv_spec._hub_key_columns(parent.name, parent.name, none, mapping if mapping is not mapping else none, parent.dv.business_keys, base)) -%}
        {%- elif kind_table[parent.dv.kind].family == "link" -%}
            {%- do key_columns.extend(dv_spec._link_key_columns(parent.dv, mapping if mapping is mapping else none, raw, base)) -%}
        {%- endif -%}
    {%- endif -%}
    {#- record_source: a literal, {column: c} or {expression: sql}; load_datetime: a column or {expression: sql}.
        Resolved to the text (literal, column or SQL) and its kind, so that every consumer can tell them apart. -#}
    {%- set record_value = source.get("record_source") or upstream.get("record_source") or (upstream_ref if declared_stage else ref) -%}
    {%- set record_kind = "literal" if record_value is string else ("column" if record_value.get("column") else "expression") -%}
    {%- set record_source = record_value if record_value is string else (record_value.get("column") or record_value.get("expression")) -%}
    {%- set load_value = source.get("load_datetime") or upstream.get("load_datetime") or settings.load_datetime_column -%}
    {%- set load_datetime_kind = "column" if load_value is string else "expression" -%}
    {%- set load_datetime = load_value if load_value is string else load_value.get("expression") -%}
    {{ return({"index": index, "ref": ref, "type": "source" if source.get("source") else "model",
               "stage": stage, "declared_stage": declared_stage is not none,
               "upstream": upstream_ref if declared_stage else ref,
               "upstream_type": ("source" if upstream.get("source") else "model") if declared_stage else ("source" if source.get("source") else "model"),
               "record_source": record_source, "record_source_kind": record_kind,
               "load_datetime": load_datetime, "load_datetime_kind": load_datetime_kind,
               "record_source_declared": (source.get("record_source") or upstream.get("record_source")) is not none,
               "key_columns": key_columns}) }}
{%- endmacro -%}


{%- macro _hub_key_columns(hub, ref_name, role, mapping, business_keys, base) -%}
    {%- set columns = [] -%}
    {%- for target in business_keys -%}
        {%- if mapping is not none and mapping is not string and loop.index0 < mapping | length -%}
            {%- do columns.append({"ref": ref_name, "hub": hub, "target": target, "source_column": mapping[loop.index0],
                                   "path": base + [loop.index0] if base else []}) -%}
        {%- elif mapping is none -%}
            {%- do columns.append({"ref": ref_name, "hub": hub, "target": target,
                                   "source_column": (role ~ "_" ~ target) if role else target, "path": []}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro -%}


{%- macro _link_key_columns(link_dv, mapping, raw, base) -%}
    {%- set columns = [] -%}
    {%- for ref in dv_spec._hub_refs(link_dv, raw) -%}
        {%- set ref_mapping = mapping.get(ref.name) if mapping is mapping else none -%}
        {%- do columns.extend(dv_spec._hub_key_columns(ref.hub, ref.name, ref.role, ref_mapping, ref.business_keys,
                                                       (base + [ref.name]) if base else [])) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro -%}


{#- The stages that compute keys and hashdiffs: one per source an entity reads
    (a declared `kind: stage` model, else a derived `stg_<source>`), with the
    derived and hashed columns all their consumers need. Two consumers that
    define one column differently are recorded under `conflicts`. -#}
{%- macro _resolve_stages(resolved, raw, settings) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set stages = {} -%}
    {%- for name, entity in resolved | dictsort -%}
        {%- if entity.kind == "stage" -%}
            {%- set upstream = entity.sources[0] if entity.sources else {} -%}
            {%- do stages.update({name: dv_spec._new_stage(name, true, upstream.get("ref"), upstream.get("type"), entity.file)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name, entity in resolved | dictsort -%}
        {%- if kind_table[entity.kind].staged -%}
            {%- for source in entity.sources -%}
                {%- if source.stage not in stages -%}
                    {%- do stages.update({source.stage: dv_spec._new_stage(source.stage, false, source.upstream, source.upstream_type, none)}) -%}
                {%- endif -%}
                {%- set stage = stages[source.stage] -%}
                {%- do stage.consumers.append(name) -%}
                {%- do dv_spec._stage_column(stage, "derived", settings.record_source_column,
                                             ("!" ~ source.record_source) if source.record_source_kind == "literal" else source.record_source, name) -%}
                {%- if source.load_datetime != settings.load_datetime_column or source.load_datetime_kind == "expression" -%}
                    {%- do dv_spec._stage_column(stage, "derived", settings.load_datetime_column, source.load_datetime, name) -%}
                {%- endif -%}
                {%- set key_sources = [] -%}
                {%- for column in source.key_columns -%}
                    {%- do key_sources.append(column.source_column) -%}
                {%- endfor -%}
                {%- if entity.kind == "hub" -%}
                    {%- do dv_spec._stage_column(stage, "hashed", entity.hash_key, key_sources, name) -%}
                    {%- for column in source.key_columns if column.source_column != column.target -%}
                        {%- do dv_spec._stage_column(stage, "derived", column.target, column.source_column, name) -%}
                    {%- endfor -%}
                {%- elif kind_table[entity.kind].family == "link" -%}
                    {%- do dv_spec._link_hashes(stage, entity, source, name) -%}
                {%- elif kind_table[entity.kind].family == "sat" and entity.parent_kind -%}
                    {%- set parent = resolved.get(entity.parent) -%}
                    {%- if entity.parent_kind == "hub" -%}
                        {%- do dv_spec._stage_column(stage, "hashed", entity.parent_hash_key, key_sources, name) -%}
                    {%- elif kind_table[entity.parent_kind].family == "link" and parent -%}
                        {%- do dv_spec._link_hashes(stage, parent, source, name) -%}
                    {%- endif -%}
                    {%- if kind_table[entity.kind].hashdiff -%}
                        {%- do dv_spec._stage_column(stage, "hashed", entity.stage_hashdiff,
                                                     {"is_hashdiff": true, "columns": entity.hashdiff_columns}, name) -%}
                    {%- elif entity.kind == "xts" -%}
                        {#- Each tracked satellite's hashdiff, hashed as that satellite hashes it, and its name. -#}
                        {%- for tracked in entity.satellites if tracked.name in resolved and tracked.hashdiff and resolved[tracked.name].get("hashdiff_columns") -%}
                            {%- do dv_spec._stage_column(stage, "hashed", tracked.hashdiff,
                                                         {"is_hashdiff": true, "columns": resolved[tracked.name].hashdiff_columns}, name) -%}
                            {%- do dv_spec._stage_column(stage, "derived", tracked.name_column, "!" ~ tracked.name, name) -%}
                        {%- endfor -%}
                    {%- endif -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(stages) }}
{%- endmacro -%}


{%- macro _new_stage(name, declared, source, source_type, file) -%}
    {{ return({"name": name, "declared": declared, "source": source, "source_type": source_type, "file": file,
               "derived": {}, "hashed": {}, "consumers": [], "conflicts": []}) }}
{%- endmacro -%}


{#- A link's hash key over all its hubs' keys (then dependent keys), and one
    foreign key per hub reference, computed in the stage the link reads. -#}
{%- macro _link_hashes(stage, link, source, consumer) -%}
    {%- set all_columns = [] -%}
    {%- for ref in link.refs -%}
        {%- set ref_columns = [] -%}
        {%- for column in source.key_columns if column.ref == ref.name -%}
            {%- do ref_columns.append(column.source_column) -%}
        {%- endfor -%}
        {%- do all_columns.extend(ref_columns) -%}
        {%- if ref.foreign_key -%}
            {%- do dv_spec._stage_column(stage, "hashed", ref.foreign_key, ref_columns, consumer) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do dv_spec._stage_column(stage, "hashed", link.hash_key, all_columns + link.dependent_keys, consumer) -%}
{%- endmacro -%}


{%- macro _stage_column(stage, section, column, definition, consumer) -%}
    {%- set columns = stage[section] -%}
    {%- if column not in columns -%}
        {%- do columns.update({column: {"definition": definition, "by": consumer}}) -%}
    {%- elif columns[column].definition != definition -%}
        {%- do stage.conflicts.append({"column": column, "section": section,
                                       "first": columns[column].by, "first_definition": columns[column].definition,
                                       "second": consumer, "second_definition": definition}) -%}
    {%- endif -%}
{%- endmacro -%}
