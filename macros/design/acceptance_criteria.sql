{#-
    acceptance_criteria(entity, design): the numbered acceptance criteria of
    one resolved entity (see resolve_design), each saying how it is verified:
      - verified_by "dbt test": `test` is the generic test (name + arguments)
        that scaffolding writes into the schema YAML;
      - verified_by "dv-spec check": `check` names the static check over the
        compiled SQL;
      - verified_by "review": a person judges it.
    Ids are `AC-<entity>-<NN>`; NN is fixed per criterion (01 is always the
    hash key's uniqueness), so an id means the same thing in the spec, in the
    dbt test's config.meta and in the `dv-spec check` report.
-#}
{%- macro acceptance_criteria(entity, design) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set settings = design.settings -%}
    {%- set ldts = settings.load_datetime_column -%}
    {%- set rsrc = settings.record_source_column -%}
    {%- set kind = entity.kind -%}
    {%- set out = [] -%}
    {%- set hub_refs = [] -%}
    {%- for ref in entity.get("refs", []) -%}
        {%- do hub_refs.append({"hub": ref.hub, "foreign_key": ref.foreign_key, "hash_key": ref.hash_key,
                                "business_keys": ref.business_keys}) -%}
    {%- endfor -%}

    {%- if kind == "hub" -%}
        {%- do out.append(dv_spec._criterion(entity, 1, "`" ~ entity.hash_key ~ "` is unique and never null.",
            "dbt test", test=("hash_key_unique", {"hash_key": entity.hash_key}))) -%}
        {%- do out.append(dv_spec._criterion(entity, 2, "The business key (" ~ entity.business_keys | join(", ") ~ ") is unique and never null.",
            "dbt test", test=("business_keys_unique", {"business_keys": entity.business_keys}))) -%}
        {%- do out.append(dv_spec._criterion(entity, 3, "`" ~ entity.hash_key ~ "` equals the " ~ settings.hash_algorithm | upper ~ " hash of the normalised business key (" ~ entity.business_keys | join(", ") ~ "), in that order.",
            "dbt test", test=("hub_hash_key_matches", {"hash_key": entity.hash_key, "business_keys": entity.business_keys}))) -%}
    {%- elif kind_table[kind].family == "link" -%}
        {%- do out.append(dv_spec._criterion(entity, 1, "`" ~ entity.hash_key ~ "` is unique and never null.",
            "dbt test", test=("hash_key_unique", {"hash_key": entity.hash_key}))) -%}
        {%- set fks = [] -%}
        {%- for ref in entity.refs -%}{%- do fks.append(ref.foreign_key ~ " -> " ~ ref.hub) -%}{%- endfor -%}
        {%- do out.append(dv_spec._criterion(entity, 6, "Every foreign key is never null and present in its hub (" ~ fks | join(", ") ~ ").",
            "dbt test", test=("link_foreign_keys_present", {"hubs": hub_refs}))) -%}
        {%- set link_test = {"hash_key": entity.hash_key, "hubs": hub_refs} -%}
        {%- if entity.dependent_keys -%}{%- do link_test.update({"dependent_keys": entity.dependent_keys}) -%}{%- endif -%}
        {%- do out.append(dv_spec._criterion(entity, 7, "`" ~ entity.hash_key ~ "` equals the hash of the hubs' business keys in the declared order" ~ (" followed by " ~ entity.dependent_keys | join(", ") if entity.dependent_keys else "") ~ ".",
            "dbt test", test=("link_hash_key_matches", link_test))) -%}
    {%- elif kind_table[kind].hashdiff -%}
        {%- set grain = [entity.parent_hash_key, ldts] + entity.get("multi_active_keys", []) -%}
        {%- set grain_test = {"parent_hash_key": entity.parent_hash_key, "load_datetime": ldts} -%}
        {%- if kind == "ma_sat" -%}{%- do grain_test.update({"multi_active_keys": entity.multi_active_keys}) -%}{%- endif -%}
        {%- do out.append(dv_spec._criterion(entity, 8, "(" ~ grain | join(", ") ~ ") is unique.",
            "dbt test", test=("satellite_grain_unique", grain_test))) -%}
        {%- do out.append(dv_spec._criterion(entity, 9, "Every `" ~ entity.parent_hash_key ~ "` is present in `" ~ entity.parent ~ "`.",
            "dbt test", test=("parent_key_present", {"parent": entity.parent, "parent_hash_key": entity.parent_hash_key}))) -%}
        {%- do out.append(dv_spec._criterion(entity, 14, "`" ~ entity.hashdiff ~ "` equals the hash of (" ~ entity.hashdiff_columns | join(", ") ~ ").",
            "dbt test", test=("hashdiff_matches", {"hashdiff": entity.hashdiff, "payload": entity.hashdiff_columns}))) -%}
        {%- set delta_test = {"parent_hash_key": entity.parent_hash_key, "hashdiff": entity.hashdiff, "load_datetime": ldts} -%}
        {%- if kind == "ma_sat" -%}{%- do delta_test.update({"multi_active_keys": entity.multi_active_keys}) -%}{%- endif -%}
        {%- do out.append(dv_spec._criterion(entity, 15, "No two consecutive rows of one key carry the same `" ~ entity.hashdiff ~ "` (only changes are loaded).",
            "dbt test", test=("no_repeated_hashdiff", delta_test))) -%}
    {%- elif kind == "xts" -%}
        {%- set tracked = [] -%}
        {%- for sat in entity.satellites -%}{%- do tracked.append(sat.name) -%}{%- endfor -%}
        {%- do out.append(dv_spec._criterion(entity, 8, "(" ~ [entity.parent_hash_key, ldts, entity.satellite_name, entity.hashdiff] | join(", ") ~ ") is unique: one row per hashdiff of a tracked satellite (" ~ tracked | join(", ") ~ ") and load.",
            "dbt test", test=("satellite_grain_unique", {"parent_hash_key": entity.parent_hash_key, "load_datetime": ldts,
                                                         "multi_active_keys": [entity.satellite_name, entity.hashdiff]}))) -%}
        {%- do out.append(dv_spec._criterion(entity, 9, "Every `" ~ entity.parent_hash_key ~ "` is present in `" ~ entity.parent ~ "`.",
            "dbt test", test=("parent_key_present", {"parent": entity.parent, "parent_hash_key": entity.parent_hash_key}))) -%}
    {%- elif kind == "eff_sat" -%}
        {%- do out.append(dv_spec._criterion(entity, 9, "Every `" ~ entity.parent_hash_key ~ "` is present in `" ~ entity.parent ~ "`.",
            "dbt test", test=("parent_key_present", {"parent": entity.parent, "parent_hash_key": entity.parent_hash_key}))) -%}
        {%- do out.append(dv_spec._criterion(entity, 17, "Effectivity periods of one driving key (" ~ entity.driving_foreign_keys | join(", ") ~ ") never overlap.",
            "dbt test", test=("effectivity_no_overlap", {"parent_hash_key": entity.parent_hash_key, "driving_keys": entity.driving_foreign_keys,
                                                          "start_date": entity.start_date, "end_date": entity.end_date, "load_datetime": ldts}))) -%}
    {%- elif kind == "pit" -%}
        {%- do out.append(dv_spec._criterion(entity, 18, "(" ~ entity.hub_hash_key ~ ", as_of_date) is unique.",
            "dbt test", test=("pit_grain_unique", {"hash_key": entity.hub_hash_key}))) -%}
        {%- set names = [] -%}
        {%- set satellites = [] -%}
        {%- for sat in entity.satellites -%}
            {%- do names.append(sat.name) -%}
            {%- do satellites.append({"satellite": sat.name, "foreign_key": sat.foreign_key,
                                      "foreign_load_datetime": sat.foreign_load_datetime,
                                      "parent_hash_key": entity.hub_hash_key, "load_datetime": ldts}) -%}
        {%- endfor -%}
        {%- do out.append(dv_spec._criterion(entity, 19, "Every key points at a row of `" ~ entity.hub ~ "` and of each satellite (" ~ names | join(", ") ~ "), or at the ghost record.",
            "dbt test", test=("pit_keys_present", {"hub": entity.hub, "hash_key": entity.hub_hash_key, "satellites": satellites}))) -%}
    {%- elif kind == "bridge" -%}
        {%- set links = [] -%}
        {%- for link in entity.links -%}{%- do links.append({"link": link.name, "foreign_key": link.foreign_key, "hash_key": link.hash_key}) -%}{%- endfor -%}
        {%- do out.append(dv_spec._criterion(entity, 18, "(" ~ entity.hub_hash_key ~ ", as_of_date, link keys) is unique.",
            "dbt test", test=("bridge_grain_unique", {"hash_key": entity.hub_hash_key, "links": links}))) -%}
        {%- do out.append(dv_spec._criterion(entity, 19, "Every key points at a row of `" ~ entity.hub ~ "` and of each link on the path.",
            "dbt test", test=("bridge_keys_present", {"hub": entity.hub, "hash_key": entity.hub_hash_key, "links": links}))) -%}
    {%- elif kind == "ref_table" -%}
        {%- do out.append(dv_spec._criterion(entity, 20, "The reference key (" ~ entity.reference_keys | join(", ") ~ ") is unique and never null.",
            "dbt test", test=("business_keys_unique", {"business_keys": entity.reference_keys}))) -%}
    {%- endif -%}

    {%- if kind_table[kind].staged -%}
        {%- do out.append(dv_spec._criterion(entity, 4, "`" ~ ldts ~ "` and `" ~ rsrc ~ "` are never null.",
            "dbt test", test=("load_metadata_not_null", {"load_datetime": ldts, "record_source": rsrc}))) -%}
        {%- if entity.ghost_record -%}
            {%- set ghost_test = {"hash_key": entity.hash_key or entity.parent_hash_key} -%}
            {%- if entity.hashdiff -%}{%- do ghost_test.update({"hashdiff": entity.hashdiff}) -%}{%- endif -%}
            {%- do out.append(dv_spec._criterion(entity, 5, "The table carries one ghost record (zero key).",
                "dbt test", test=("ghost_record_present", ghost_test))) -%}
        {%- endif -%}
        {%- set sources = [] -%}
        {%- for source in entity.sources -%}{%- do sources.append(source.ref) -%}{%- endfor -%}
        {%- do out.append(dv_spec._criterion(entity, 10, "Reads only from its declared source(s): " ~ sources | join(", ") ~ " (through their stages).",
            "dv-spec check", check="declared_sources")) -%}
    {%- endif -%}
    {%- do out.append(dv_spec._criterion(entity, 11, "Produces exactly the declared columns (keys, payload, load datetime, record source), no more, no fewer.",
        "dv-spec check", check="output_columns")) -%}
    {%- if kind_table[kind].keyed -%}
        {%- do out.append(dv_spec._criterion(entity, 12, "Each hash key is computed from exactly the declared business-key columns, in the declared order, with the same normalisation in every stage feeding it.",
            "dv-spec check", check="hash_key_lineage")) -%}
        {%- do out.append(dv_spec._criterion(entity, 13, "`" ~ ldts ~ "` and `" ~ rsrc ~ "` come from the declared load-datetime column and record-source literal.",
            "dv-spec check", check="metadata_lineage")) -%}
    {%- endif -%}
    {%- if kind_table[kind].hashdiff -%}
        {%- do out.append(dv_spec._criterion(entity, 16, "`" ~ entity.hashdiff ~ "` covers exactly (" ~ entity.hashdiff_columns | join(", ") ~ ").",
            "dv-spec check", check="hashdiff_lineage")) -%}
    {%- endif -%}
    {%- do out.append(dv_spec._criterion(entity, 21, "Filters, joins, literals and casts flagged by `dv-spec check` are justified, and the description matches what the model does.",
        "review")) -%}
    {{ return(out | sort(attribute="number")) }}
{%- endmacro -%}


{%- macro _criterion(entity, number, text, verified_by, test=none, check=none) -%}
    {%- set item = {"id": "AC-" ~ entity.name ~ "-" ~ "%02d" | format(number), "number": number,
                    "text": text, "verified_by": verified_by} -%}
    {%- if test -%}{%- do item.update({"test": {"name": test[0], "arguments": test[1]}}) -%}{%- endif -%}
    {%- if check -%}{%- do item.update({"check": check}) -%}{%- endif -%}
    {{ return(item) }}
{%- endmacro -%}
