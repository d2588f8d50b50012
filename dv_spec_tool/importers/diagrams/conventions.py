"""How a diagram says what a table is: configurable classification conventions.

A table's kind comes from, in this order:

1. its shape data (Lucidchart custom data, draw.io properties): a key such
   as `dv_type` or `dv_kind` with a value like `hub`, `link`, `sat`;
2. the names of the shapes and pages it sits in (innermost first): a
   container or page named `Hubs`, `Links`, `Satellites`, `Sources`;
3. its name's prefix: `hub_`/`h_`, `link_`/`lnk_`/`l_`, `sat_`/`s_`, ...
   (the project's `naming` prefixes are always included); a satellite
   whose name ends `_ma` is a multi-active one (`kind_suffixes`);
4. its fill colour, when a conventions file names colours for kinds.

The columns' roles come from the same table of facts: load metadata names
(`metadata_columns`, also after a kind prefix or the table's name), hash key
and hashdiff spellings, effective-from, start and end date names.

A table that none of these classify is reported, never guessed. Every list
below can be replaced with `--conventions FILE.yml` (same keys; a key given
there replaces the default list).
"""

from __future__ import annotations

import copy

from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.files import read_text
from dv_spec_tool.core.findings import did_you_mean
from dv_spec_tool.core.kinds import DIAGRAM_KINDS
from dv_spec_tool.core.yamlpos import YamlError, load_yaml

KINDS = (*DIAGRAM_KINDS, "source")  # a diagram's kinds: the vault's, and the sources its stages read

DEFAULTS = {
    "prefixes": {
        "hub": ["hub_", "h_", "khab_"],
        "link": ["link_", "lnk_", "l_"],
        "nh_link": ["nh_link_", "nhl_", "t_link_", "tlink_"],
        "sat": ["sat_", "s_", "lsat_", "bsat_", "satellit_"],
        "ma_sat": ["ma_sat_", "msat_", "mas_"],
        "eff_sat": ["eff_sat_", "esat_", "effsat_"],
        "pit": ["pit_"],
        "bridge": ["bridge_", "brg_"],
        "ref_table": ["ref_", "r_"],
        "source": ["raw_", "src_", "stg_", "source_"],
    },
    "containers": {
        "hub": ["hub", "hubs"],
        "link": ["link", "links"],
        "nh_link": ["non-historised links", "non-historized links", "transactional links", "nh links"],
        "sat": ["sat", "sats", "satellite", "satellites"],
        "ma_sat": ["multi-active satellites", "ma sats"],
        "eff_sat": ["effectivity satellites", "eff sats"],
        "pit": ["pit", "pits", "point-in-time tables"],
        "bridge": ["bridge", "bridges"],
        "ref_table": ["reference tables", "ref tables", "reference"],
        "source": ["source", "sources", "staging", "source tables"],
    },
    "shape_data": {
        "kind": ["dv_type", "dv_kind", "dv kind", "dv type", "kind", "stereotype", "table_stereotype",
                 "table stereotype", "entity_type", "entity type", "table_type", "table type"],
        "source": ["dv_source", "dv_sources", "dv source", "source"],
        "description": ["dv_description", "description"],
        "as_of_dates": ["dv_as_of_dates", "as_of_dates"],
    },
    "kind_words": {
        "hub": ["hub"], "link": ["link"], "nh_link": ["nh_link", "non-historised link", "t_link"],
        "sat": ["sat", "satellite"], "ma_sat": ["ma_sat", "multi-active satellite"],
        "eff_sat": ["eff_sat", "effectivity satellite"], "pit": ["pit"], "bridge": ["bridge"],
        "ref_table": ["ref_table", "reference table", "ref"], "source": ["source", "stage"],
    },
    # A key column is a hash key (or sequence key) when its name ends or starts like one; a hub's or
    # link's primary key counts as one whatever its name (`_id` included) when the table has other keys.
    "hash_key_suffixes": ["_hk", "_hash_key", "_hashkey", "_hkey", "_hash", "_pk", "_sk", "_key", "_sqn", "_seq"],
    "hash_key_prefixes": ["hk_", "hkey_", "h_hash_", "hash_key_", "hashkey_", "dv_hkey_", "lhk_", "lk_", "sk_"],
    "hashdiff_names": ["hashdiff", "hash_diff", "hdiff", "hd", "diff_hash", "hash_diff_key"],
    "hashdiff_suffixes": ["_hashdiff", "_hash_diff", "_hdiff", "_hd"],
    "hashdiff_prefixes": ["hd_", "hdiff_", "hashdiff_", "hash_diff_"],
    "hashdiff_notes": ["hash diff", "hashdiff", "hash-diff", "change hash"],
    "effective_from_names": ["effective_from"],
    "effective_from_hints": ["effective", "eff_"],
    "start_date_names": ["start_date", "dss_start_date", "effective_start", "start_dts"],
    "end_date_names": ["end_date", "dss_end_date", "effective_end", "end_dts"],
    # Load metadata: never a key or payload. A name also matches with a kind prefix before it
    # (`HUB_Load_DTS`, `sat_rec_src`) or its own table's name (`Hub_ProdNum_LDTS`).
    "metadata_columns": [
        "load_datetime", "load_date", "load_dts", "load_dttm", "load_dt", "load_ts", "load_timestamp", "load_time",
        "loaddate", "loaddatetime", "ldts", "ldt", "dss_load_date", "dss_load_datetime", "dv_load_dts", "meta_load_dts",
        "record_source", "rec_src", "rec_source", "rsrc", "src", "source_id", "record_source_id", "source_system",
        "dss_record_source", "dv_rec_src", "meta_rec_src", "source_system_id",
        "load_end_date", "load_end_dts", "load_end_dttm", "ledts", "dss_end_date", "dss_is_current", "is_current",
        "current_flag", "is_deleted", "valid_from_dttm", "valid_to_dttm", "valid_from_dts", "valid_to_dts",
        "applied_date", "dss_version", "dss_change_hash", "etl_batch_id", "batch_id", "load_id", "audit_id",
    ],
    "metadata_prefixes": ["hub_", "sat_", "lnk_", "link_", "h_", "s_", "l_", "dss_", "dv_"],
    # Refinements of a satellite by name ending (`SAT_PRODUCT_DESCRIPTION_MA`).
    "kind_suffixes": {"ma_sat": ["_ma", "_msat", "_mas"], "eff_sat": ["_eff", "_esat"]},
    # Fill colours (draw.io `fillColor`, Lucidchart fill) that mean a kind; none by default.
    "colours": {},
}


def load_conventions(path: str | None = None, naming: dict | None = None) -> dict:
    """The defaults, with the project's naming prefixes and a conventions file's lists on top."""
    conventions = copy.deepcopy(DEFAULTS)
    for kind, rule in (naming or {}).items():
        if kind in conventions["prefixes"] and isinstance(rule, dict) and rule.get("prefix"):
            prefix = rule["prefix"]
            if prefix not in conventions["prefixes"][kind]:
                conventions["prefixes"][kind].insert(0, prefix)
    if not path:
        return conventions

    try:
        given = load_yaml(read_text(path)).data
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read: {exc.strerror}") from None
    except YamlError as exc:
        raise UsageError(f"{path}:{exc.line}:{exc.col}: {exc.message}") from None
    if given is None:
        return conventions
    if not isinstance(given, dict):
        raise UsageError(f"{path}: expected a mapping of conventions (keys: {', '.join(DEFAULTS)})")
    for key, value in given.items():
        if key not in DEFAULTS:
            hint = did_you_mean(key, DEFAULTS)
            raise UsageError(f"{path}: unknown conventions key `{key}`" + (f"; {hint}" if hint else f"; keys: {', '.join(DEFAULTS)}"))
        if isinstance(DEFAULTS[key], dict):
            if not isinstance(value, dict):
                raise UsageError(f"{path}: `{key}` must be a mapping, e.g. {key}: {{hub: [...]}}")
            allowed = KINDS if key in ("colours", "kind_suffixes") else DEFAULTS[key]
            for sub, items in value.items():
                if sub not in allowed:
                    raise UsageError(f"{path}: `{key}.{sub}` is not one of: {', '.join(allowed)}")
                conventions[key][sub] = _strings(path, f"{key}.{sub}", items)
        else:
            conventions[key] = _strings(path, key, value)
    return conventions


def _strings(path: str, key: str, value) -> list:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{path}: `{key}` must be a list of strings")
    return value


def kind_from_word(word: str, conventions: dict) -> str | None:
    """The kind a shape-data value or container name names (`Hub`, `satellites`, `eff_sat`)."""
    text = " ".join((word or "").strip().lower().replace("_", " ").split())
    if not text:
        return None
    for kind in KINDS:
        words = [" ".join(w.lower().replace("_", " ").split()) for w in conventions["kind_words"][kind]]
        if text in words:
            return kind
    return None


def kind_from_container(name: str, conventions: dict) -> str | None:
    text = " ".join((name or "").strip().lower().split())
    for kind in KINDS:
        if text in [c.lower() for c in conventions["containers"][kind]]:
            return kind
    return None


def kind_from_prefix(name: str, conventions: dict) -> tuple:
    """(kind, prefix) for the longest matching name prefix, or (None, "")."""
    lowered = name.lower()
    matches = [(len(prefix), kind, prefix) for kind in KINDS for prefix in conventions["prefixes"][kind]
               if prefix and lowered.startswith(prefix.lower()) and len(name) > len(prefix)]
    if not matches:
        return None, ""
    _, kind, prefix = max(matches)
    return kind, prefix


def shape_value(data: dict, conventions: dict, what: str) -> str:
    """The first shape-data value found under one of the keys for `what` (kind, source, ...)."""
    for key in conventions["shape_data"][what]:
        value = data.get(key.lower())
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def classify(table, conventions: dict) -> tuple:
    """(kind, how it was decided) for a diagram table; (None, why not) when nothing says."""
    word = shape_value(table.data, conventions, "kind")
    if word:
        kind = kind_from_word(word, conventions)
        if kind:
            return kind, f"shape data `{word}`"
        return None, f"its shape data names the kind {word!r}, which is not one of: {', '.join(KINDS)}"
    for container in table.containers:
        kind = kind_from_container(container, conventions)
        if kind:
            return kind, f"it sits in `{container}`"
    kind, prefix = kind_from_prefix(table.name, conventions)
    if kind == "sat":
        for refined, suffixes in conventions["kind_suffixes"].items():
            suffix = next((x for x in suffixes if table.name.lower().endswith(x.lower())), None)
            if suffix:
                return refined, f"its name starts with `{prefix}` and ends with `{suffix}`"
    if kind:
        return kind, f"its name starts with `{prefix}`"
    colour = (table.colour or "").lower()
    for kind, colours in conventions["colours"].items():
        if colour and colour in [c.lower() for c in colours]:
            return kind, f"its fill colour is {colour}"
    return None, ("its name has no kind prefix (hub_, link_, sat_, ...), it sits in no container named "
                  "Hubs/Links/Satellites, and it has no `dv_type` shape data"
                  + (" or fill colour named in the conventions" if conventions["colours"] else ""))


def is_metadata(name: str, table_name: str, conventions: dict, extra=()) -> bool:
    """A load-metadata column: a listed name, alone or after a kind prefix or the table's own name."""
    names = {n.lower() for n in conventions["metadata_columns"]} | {n.lower() for n in extra if n}
    lowered = name.lower()
    if lowered in names:
        return True
    heads = [p.lower() for p in conventions["metadata_prefixes"]] + [table_name.lower() + "_"]
    return any(lowered.startswith(head) and lowered[len(head):] in names for head in heads)


def hash_like(name: str, conventions: dict) -> bool:
    """Named like a hash key (or sequence key): `customer_hk`, `driver_sk`, `hk_customer`, `H_Hash_Customer`."""
    lowered = name.lower()
    return any(lowered.endswith(s.lower()) for s in conventions["hash_key_suffixes"]) or \
        any(lowered.startswith(p.lower()) and len(lowered) > len(p) for p in conventions["hash_key_prefixes"])


def hashdiff_like(column, conventions: dict) -> bool:
    """Marked HD, named like a hashdiff (`hashdiff`, `hd_company`, `customer_hashdiff`), or commented "Hash Diff"."""
    lowered = column.name.lower()
    note = (column.note or "").lower()
    return "HD" in column.roles or lowered in [n.lower() for n in conventions["hashdiff_names"]] \
        or any(lowered.endswith(s.lower()) for s in conventions["hashdiff_suffixes"]) \
        or any(lowered.startswith(p.lower()) and len(lowered) > len(p) for p in conventions["hashdiff_prefixes"]) \
        or any(n.lower() in note for n in conventions["hashdiff_notes"])
