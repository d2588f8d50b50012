"""How a diagram says what a table is: configurable classification conventions.

A table's kind comes from, in this order:

1. its shape data (Lucidchart custom data, draw.io properties): a key such
   as `dv_type` or `dv_kind` with a value like `hub`, `link`, `sat`;
2. the names of the shapes and pages it sits in (innermost first): a
   container or page named `Hubs`, `Links`, `Satellites`, `Sources`;
3. its name's prefix: `hub_`/`h_`, `link_`/`lnk_`/`l_`, `sat_`/`s_`, ...
   (the project's `naming` prefixes are always included).

A table that none of these classify is reported, never guessed. Every list
below can be replaced with `--conventions FILE.yml` (same keys; a key given
there replaces the default list).
"""

from __future__ import annotations

import copy

from ..errors import UsageError
from ..yamlpos import YamlError, load_yaml

KINDS = ("hub", "link", "nh_link", "sat", "ma_sat", "eff_sat", "pit", "bridge", "ref_table", "source")

DEFAULTS = {
    "prefixes": {
        "hub": ["hub_", "h_"],
        "link": ["link_", "lnk_", "l_"],
        "nh_link": ["nh_link_", "nhl_", "t_link_", "tlink_"],
        "sat": ["sat_", "s_"],
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
        "kind": ["dv_type", "dv_kind", "dv kind", "dv type", "kind"],
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
    "hash_key_suffixes": ["_hk", "_hash_key", "_hkey", "_pk"],
    "hashdiff_suffixes": ["hashdiff", "hash_diff", "_hd"],
    "effective_from_names": ["effective_from"],
    "effective_from_hints": ["effective", "valid_from", "eff_"],
    "start_date_names": ["start_date"],
    "end_date_names": ["end_date"],
    "metadata_columns": ["load_datetime", "load_date", "ldts", "load_dts", "record_source", "rsrc", "rec_src"],
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
    from ..project import read_text

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
            from ..context import did_you_mean

            hint = did_you_mean(key, DEFAULTS)
            raise UsageError(f"{path}: unknown conventions key `{key}`" + (f"; {hint}" if hint else f"; keys: {', '.join(DEFAULTS)}"))
        if isinstance(DEFAULTS[key], dict):
            if not isinstance(value, dict):
                raise UsageError(f"{path}: `{key}` must be a mapping, e.g. {key}: {{hub: [...]}}")
            for sub, items in value.items():
                if sub not in DEFAULTS[key]:
                    raise UsageError(f"{path}: `{key}.{sub}` is not one of: {', '.join(DEFAULTS[key])}")
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
    if kind:
        return kind, f"its name starts with `{prefix}`"
    return None, ("its name has no kind prefix (hub_, link_, sat_, ...), it sits in no container named "
                  "Hubs/Links/Satellites, and it has no `dv_type` shape data")
