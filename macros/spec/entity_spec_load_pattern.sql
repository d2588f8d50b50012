{#-
    entity_spec's load pattern (entity_spec.sql): the load rules of each kind.
-#}

{#- The load rules of an entity, stated so that a plain-SQL author can follow
    them and an AutomateDV user knows what the macro does: which rows are
    dropped, what one load holding several rows of a key does, ties, how the
    first new row compares with what is loaded, late rows and NULL load
    datetimes. The scaffolded AutomateDV models behave exactly so. -#}
{%- macro _spec_load_pattern(entity, design) -%}
    {%- set kind_table = dv_spec.kinds() -%}
    {%- set ldts = "`" ~ design.settings.load_datetime_column ~ "`" -%}
    {%- set rsrc = "`" ~ design.settings.record_source_column ~ "`" -%}
    {%- set kind = entity.kind -%}
    {%- set stages = [] -%}
    {%- for source in entity.sources if source.stage not in stages and kind != "stage" -%}{%- do stages.append(source.stage) -%}{%- endfor -%}
    {%- set null_ldts = "NULL " ~ ldts ~ ": not expected; loaded as it is, it fails criterion -04: fix it in the source and ask the architect." -%}
    {%- set lines = [] -%}
    {%- if kind in ("hub", "link") -%}
        {%- set key = "business key" if kind == "hub" else "combination of hub keys" ~ (" and dependent keys" if entity.dependent_keys else "") -%}
        {%- do lines.extend([
            "Insert-only (incremental): each " ~ key ~ " is inserted once, the first time a source delivers it; rows are never updated or deleted.",
            "Reads " ~ dv_spec._md_codes(stages) ~ (", unioned" if stages | length > 1 else "") ~ ".",
            "NULL keys: a row whose hash key" ~ (" or any foreign key" if kind == "link" else "") ~ " is NULL (every key column NULL or empty) is dropped.",
            "Several rows of one key in one run (several loads, or several sources): the row with the earliest " ~ ldts ~ " is inserted; ties go to the smallest " ~ rsrc ~ ".",
            "Keys already in the table are skipped, whatever their " ~ ldts ~ " (so late-arriving rows of known keys add nothing).",
            null_ldts]) -%}
        {%- if kind == "link" -%}
            {%- do lines.append("Load the hubs in the same run or earlier: every foreign key must exist in its hub.") -%}
        {%- endif -%}
    {%- elif kind == "nh_link" -%}
        {%- do lines.extend([
            "Insert-only (incremental), non-historised: each event is inserted once with its details and never changes.",
            "NULL keys: a row whose hash key or any foreign key is NULL is dropped.",
            "Several rows of one event key in one run: identical rows are loaded once; rows that differ (details or " ~ ldts ~ ") are all inserted and break the key's uniqueness (-01), so a source sends an event once. Events already in the table are skipped, late or not.",
            null_ldts,
            "Load the hubs in the same run or earlier: every foreign key must exist in its hub."]) -%}
    {%- elif kind_table[kind].hashdiff -%}
        {%- set unit = "row" if kind == "sat" else "set (all rows of one key and " ~ ldts ~ ")" -%}
        {%- do lines.extend([
            "Insert-only delta (incremental): per key, in " ~ ldts ~ " order, a " ~ unit ~ " is inserted when "
                ~ ("its `" ~ entity.hashdiff ~ "` differs from the previous row's" if kind == "sat" else "its hashdiffs or its number of rows differ from the previous set's")
                ~ "; the first new one is compared with the latest loaded for the key (a new key is always inserted). Nothing is updated or deleted.",
            "NULL keys: a row whose `" ~ entity.parent_hash_key ~ "`" ~ (" or multi-active key" if kind == "ma_sat" else "") ~ " is NULL is dropped.",
            ("Several loads of a key in one run: each change is inserted, in order." if kind == "sat" else
             "Several loads of a key in one run are not told apart: the first build inserts every row as sent, a later run compares all of a key's new rows, as one set, with its latest loaded set; load one load datetime per run when a key may arrive in several.")
                ~ " Only rows later than the key's latest loaded " ~ ldts ~ " are read, so re-runs and late-arriving rows add nothing.",
            "Ties: one row per key" ~ (", multi-active key" if kind == "ma_sat" else "") ~ " and " ~ ldts ~ "; a source that sends two breaks the grain criterion (-08).",
            null_ldts]) -%}
    {%- elif kind == "eff_sat" -%}
        {%- set dfk = dv_spec._md_codes(entity.driving_foreign_keys) -%}
        {%- set eff = "`" ~ (entity.effective_from or design.settings.load_datetime_column) ~ "`" -%}
        {%- do lines.append("Driving key: " ~ dfk ~ "; the other end: " ~ dv_spec._md_codes(entity.secondary_foreign_keys) ~ ". A driving key has at most one relationship in force at a time; periods are half-open [`" ~ entity.start_date ~ "`, `" ~ entity.end_date ~ "`), an open one ends at 9999-12-31 23:59:59.999999.") -%}
        {%- if entity.end_dating == "auto" -%}
            {%- do lines.extend([
                "End dating `auto`: the source sends the relationships in force and no closing rows; `" ~ entity.start_date ~ "` and `" ~ entity.end_date ~ "` are computed, not read.",
                "Per driving key, in " ~ eff ~ " order, a row is a change when its link key differs from the previous row's; repeated rows of the same relationship are no change.",
                "A change opens a period: `" ~ entity.start_date ~ "` = its " ~ eff ~ ", `" ~ entity.end_date ~ "` = the " ~ eff ~ " of the driving key's next later change in the same run, else open.",
                "When a change arrives for a driving key whose relationship in the table is open, a row closing that relationship is inserted: same link key and `" ~ entity.start_date ~ "`, `" ~ entity.end_date ~ "` = the change's " ~ eff ~ ", " ~ ldts ~ " of the change (AutomateDV's `is_auto_end_dating`).",
                "Several changes of one driving key in one incremental run are not supported (the closing row takes the latest change's date and the overlap criterion -17 fails): load such history in the first build, or one load per run.",
                "NULL keys: a row whose driving or secondary foreign key is NULL is dropped. Ties (two link keys of one driving key at one " ~ eff ~ "): both stay open and the overlap criterion (-17) fails.",
                "Late-arriving rows (" ~ ldts ~ " at or before the latest loaded for the link key) are not loaded.",
                null_ldts]) -%}
        {%- else -%}
            {%- do lines.extend([
                "End dating `source`: the source sends `" ~ entity.start_date ~ "` and `" ~ entity.end_date ~ "` for each relationship, closing rows included (a row with `" ~ entity.end_date ~ "` set); they are loaded as sent.",
                "A link key not loaded yet opens with the source's dates; a row with `" ~ entity.end_date ~ "` set for an open relationship closes it (a new row, same `" ~ entity.start_date ~ "`); an open row for a closed one reopens it.",
                "Nothing closes a relationship unless the source sends its closing row: a driving key moved without one keeps two open periods and fails the overlap criterion (-17).",
                "NULL keys: a row whose driving or secondary foreign key is NULL is dropped. Late-arriving rows (" ~ ldts ~ " at or before the latest loaded for the link key) are not loaded.",
                null_ldts]) -%}
        {%- endif -%}
        {%- do lines.append("Never updated in place: the latest row (by " ~ ldts ~ ") of a link key and start date is the period's current version.") -%}
    {%- elif kind == "ref_table" -%}
        {%- do lines.extend(["Insert-only (incremental): each reference key is inserted once; later changes of its columns are not loaded.",
            "NULL reference keys are dropped. Several rows of one key in one run: identical rows are loaded once; rows that differ are all inserted and break the key's uniqueness (-20).", null_ldts]) -%}
    {%- elif kind == "pit" -%}
        {%- do lines.extend(["Rebuilt per as-of date (AutomateDV's `pit_incremental` materialisation): one row per hub key and as-of date, pointing at each satellite's latest row loaded at or before that date, or at the ghost record.",
            "Load after the hub and every satellite listed; new as-of dates add rows."]) -%}
    {%- elif kind == "bridge" -%}
        {%- do lines.extend(["Rebuilt per as-of date (AutomateDV's `bridge_incremental` materialisation): one row per hub key, as-of date and path through the links, keeping only relationships in force on that date.",
            "Load after the hub, the links and their effectivity satellites."]) -%}
    {%- elif kind == "stage" -%}
        {%- do lines.append("A view over its source (AutomateDV's `stage` macro): adds the derived columns, hash keys and hashdiffs the vault models read; holds no data of its own.") -%}
    {%- endif -%}
    {{ return(lines) }}
{%- endmacro -%}
