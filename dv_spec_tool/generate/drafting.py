"""The design-drafting prompt: from an architect's words to `config.meta.dv` entries.

`dv-spec prompts --draft TEXT` (or `--draft-file FILE`) prints a prompt for
dbt Copilot, Copilot Chat or Claude that carries what an assistant needs to
draft design entries and nothing more: the contract in brief (read from the
JSON Schema, like the studio's forms), the project's conventions (the
resolved `vars.dv_spec`), the design that exists (one line per entity), the
sources the project knows (seeds, models, dbt sources, with their columns and
declared types, one line each), the architect's description, the answer's
shape (one fenced YAML list that `dv-spec new --from` reads) and how to check
it. The MCP server's `sources` and `conventions` tools return the same
summaries (`source_catalogue`, `conventions`).

Plain functions over the loaded design; the text is assembled here because it
needs the project's files (seed headers, declared types), which a dbt macro
run by `dbt run-operation` does not see the same way.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

import yaml

from dv_spec_tool.core import macro_api
from dv_spec_tool.core.design import Design, source_ref
from dv_spec_tool.core.dv_schema import kind_fields
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.files import read_input
from dv_spec_tool.core.findings import did_you_mean
from dv_spec_tool.core.project import Project, node_entries, source_tables
from dv_spec_tool.generate.spec import Document, column_types
from dv_spec_tool.validate import validate

MAX_SOURCES = 40  # one line each; the rest are counted by dbt source (choose them with --sources)
MAX_COLUMNS = 40  # per source
MAX_FULL_DESIGN = 40  # entities shown with their whole dv block; the others by name, kind and keys


# ------------------------------------------------------------ descriptions

def _descriptions(project: Project) -> tuple:
    """({node name: its description's first sentence}, {model or snapshot name: its declared column names})
    from the schema YAML."""
    found: dict = {}
    columns: dict = {}
    for schema_file in project.files:
        for key, _, entry in node_entries(schema_file):
            found.setdefault(entry["name"], _first_sentence(entry.get("description")))
            declared = [c["name"] for c in entry.get("columns") if isinstance(c, dict) and isinstance(c.get("name"), str)] \
                if isinstance(entry.get("columns"), list) else []
            if declared and key != "seeds":
                columns.setdefault(entry["name"], declared)
        for name, table in source_tables(schema_file):
            found[name] = _first_sentence(table.get("description"))
    return found, columns


def _first_sentence(text) -> str:
    if not isinstance(text, str):
        return ""
    text = " ".join(text.split())
    sentence = text.split(". ")[0].rstrip(".")
    return sentence if len(sentence) <= 70 else sentence[:67].rstrip(" ,;") + "..."


# ------------------------------------------------------------ summaries

def source_catalogue(design: Design, patterns=None) -> list:
    """What the design can read from, one dict per seed, snapshot, dbt source table and model that is not
    itself a vault entity: {name, type, reference, columns: [[name, type or ""]] or None, description, read_by,
    record_sources}; `patterns` (shell patterns such as `crm.*`) keep only the names they match."""
    project = design.project
    types = column_types(project)  # lower-case names, as the spec knows them
    descriptions, model_columns = _descriptions(project)
    read_by: dict = {}
    record_sources: dict = {}
    for entry in design.entities.values():
        sources = entry.dv.get("sources") if isinstance(entry.dv, dict) else None
        for source in sources if isinstance(sources, list) else []:
            if isinstance(source, dict) and source_ref(source):
                read_by.setdefault(source_ref(source), []).append(entry.name)
                if isinstance(source.get("record_source"), str):
                    record_sources.setdefault(source_ref(source), set()).add(source["record_source"])
    stages = {e.name for e in design.of_kind("stage")}
    derived = _derived_stages(design) - stages
    catalogue = []
    rank = {"source": 0, "seed": 1, "snapshot": 2, "model": 3}
    for node in sorted(project.nodes.values(), key=lambda n: (rank.get(n.resource_type, 9), n.name)):
        if node.resource_type not in rank or node.path.startswith("dbt_packages/"):
            continue
        if node.name in design.entities and node.name not in stages:
            continue  # the vault itself: listed with the design
        if node.name in derived:
            continue  # a stage dv-spec derives (and scaffolds) from the design
        if patterns and not any(fnmatchcase(node.name, pattern) for pattern in patterns):
            continue
        declared = types.get(node.name.lower(), {})
        columns_of = node
        if node.name in stages and node.columns is None:  # a declared stage passes its source's columns on
            staged = [source_ref(s) for s in design.entities[node.name].dv.get("sources") or [] if isinstance(s, dict)]
            columns_of = project.nodes.get(staged[0]) if len(staged) == 1 else None
            declared = types.get(staged[0].lower(), {}) if columns_of is not None else {}
        names = (columns_of.columns if columns_of is not None and columns_of.columns
                 else model_columns.get(columns_of.name) if columns_of is not None else None)
        columns = [[column, declared.get(column.lower(), "")] for column in names] if names else None
        if columns is None and declared:
            columns = [[column, kind] for column, kind in declared.items()]
        catalogue.append({
            "name": node.name, "type": "stage" if node.name in stages else node.resource_type,
            "reference": f"source: {node.name}" if node.resource_type == "source" else f"model: {node.name}",
            "columns": columns, "description": descriptions.get(node.name, ""),
            "read_by": sorted(read_by.get(node.name, [])),
            "record_sources": sorted(record_sources.get(node.name, [])),
        })
    return catalogue


def _derived_stages(design: Design) -> set:
    """The stage models the design derives (empty while the design cannot be resolved)."""
    if any(f.severity == "error" for f in validate(design)):
        return set()
    try:
        return set(design.resolve()["stages"])
    except UsageError:
        return set()


def conventions(design: Design) -> dict:
    """The project's settings as the design resolves them (vars.dv_spec with defaults), and naming."""
    return dict(design.settings)


def design_lines(design: Design, full=None) -> list:
    """The existing design, one line per entity: its whole `dv` block in YAML flow style (exact and
    complete, so an assistant changing an entity can repeat every key it keeps) for the entities in
    `full` (default: all, up to MAX_FULL_DESIGN), else its name, kind and keys."""
    if full is None:
        full = set(list(design.entities)[:MAX_FULL_DESIGN])
    lines = []
    for entry in design.entities.values():
        dv = entry.dv if isinstance(entry.dv, dict) else {}
        if entry.name in full:
            block = yaml.safe_dump(entry.dv, default_flow_style=True, sort_keys=False, width=10_000).strip()
        else:
            keys = {k: dv[k] for k in ("kind", "hash_key", "hashdiff", "business_keys", "hubs", "parent", "hub") if k in dv}
            block = _short(keys) + " (more keys: select it to see them all)"
        lines.append(f"- `{entry.name}`: {block}")
    return lines


def _short(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    return str(value)


def source_lines(catalogue: list, load_datetime: str) -> tuple:
    """(a line saying how the load datetime is found, one line per source). When most sources with known
    columns carry the load-datetime column, it is left out of their lines and the odd ones say so."""
    known = [item for item in catalogue if item["columns"]]
    carried = sum(1 for item in known if any(c == load_datetime for c, _ in item["columns"]))
    usual = bool(known) and carried * 2 >= len(known)
    if usual:
        note = f"Every source also has `{load_datetime}` unless its line says not."
    else:
        note = (f"Most sources have no `{load_datetime}` column: give each source item `load_datetime: <the column "
                f"holding its load time>` (ask the architect when no column is one).")
    lines = []
    for item in catalogue[:MAX_SOURCES]:
        if item["columns"] is None:
            columns = "columns not declared"
        else:
            names = [c for c, _ in item["columns"]]
            shown = [f"{c} {t}".strip() for c, t in item["columns"][:MAX_COLUMNS] if not (usual and c == load_datetime)]
            if usual and load_datetime not in names:
                shown.append(f"(no {load_datetime})")
            more = len(item["columns"]) - MAX_COLUMNS
            columns = ", ".join(shown) + (f", ... {more} more" if more > 0 else "")
        # what a source holds helps match the architect's words; the design above says who reads it, and how
        about = item["description"] if item["description"] and not item["read_by"] else ""
        about = f" {about}{'' if about.endswith('...') else '.'}" if about else ""
        lines.append(f"- `{item['reference']}` ({item['type']}):{about} {columns}")
    if len(catalogue) > MAX_SOURCES:
        groups: dict = {}
        for item in catalogue[MAX_SOURCES:]:
            group = item["name"].split(".")[0] + ".*" if item["type"] == "source" else f"{item['type']}s"
            groups[group] = groups.get(group, 0) + 1
        counted = ", ".join(f"{group} ({n})" for group, n in sorted(groups.items(), key=lambda g: (-g[1], g[0])))
        lines.append(f"- {len(catalogue) - MAX_SOURCES} more, not shown: {counted}. The architect can list the "
                     "ones this design needs (`--sources PATTERNS`); ask which.")
    return note, lines


def contract_lines() -> list:
    """Per kind: its required and optional keys, from the JSON Schema."""
    common = {"subject_area", "owner", "ghost_record"}
    lines = []
    for kind, spec in kind_fields().items():
        required = [k for k in spec["required"] if k != "kind"]
        optional = [f["key"] for f in spec["fields"] if f["key"] not in required and f["key"] not in common]
        lines.append(f"- `{kind}`: {', '.join(required)}" + (f" (optional: {', '.join(optional)})" if optional else ""))
    return lines


# ------------------------------------------------------------ the prompt

RULES = """\
Keys every kind may carry: `subject_area`, `owner`, `ghost_record` (true/false). Names are plain SQL
identifiers. Lists of columns are YAML lists in hash order.
- A `sources` item is `model: <seed/model/snapshot>` or `source: <source_name>.<table>` (exactly one), plus
  optional `record_source` (a literal, e.g. `CRM.PROVIDERS`), `load_datetime` (a column) and `business_keys`.
- Every column an entity names (business keys, payload, dates, dependent keys) must exist in each of its
  sources, under the same name, unless the source maps it. Use only the columns listed below.
- Hub source: `business_keys: [source columns]` maps onto the hub's business keys by position.
- Link: `hubs` is a list of hub names in hash order; a hub that appears twice needs roles:
  `{hub: hub_x, role: from}`. Link source: `business_keys: {<hub name or role>: [source columns]}`; a hub
  left out is read under its own business-key names (prefixed `<role>_` with a role).
- Satellite (`sat`, `ma_sat`, `eff_sat`): `parent` is a hub or link (`eff_sat`: a link); its sources must
  carry the parent's keys: map them like the parent does (a list for a hub, a mapping for a link).
  `payload` holds the descriptive columns, not the keys or the load datetime. `eff_sat` has
  `driving_keys: [hub names or roles of its link]`, `start_date`, `end_date`.
- One source row shape per stage: when two entities read one source, they must agree on its
  `record_source` and key mappings (dv-spec derives one stage per source)."""

EXAMPLE = """\
- name: hub_customer
  description: A customer, identified by the CRM's customer number.
  config:
    meta:
      dv:
        kind: hub
        subject_area: sales
        hash_key: customer_hk
        business_keys: [customer_number]
        sources:
          - model: raw_customers
            business_keys: [cust_no]      # the source's cust_no is the hub's customer_number
            record_source: CRM.CUSTOMERS
- name: sat_customer_details
  description: What the CRM says about a customer, over time.
  config:
    meta:
      dv:
        kind: sat
        subject_area: sales
        parent: hub_customer
        hashdiff: customer_details_hashdiff
        payload: [customer_name, segment]
        sources:
          - {model: raw_customers, business_keys: [cust_no], record_source: CRM.CUSTOMERS}"""


def design_prompt(design: Design, description: str, full=None, sources=None) -> str:
    """The prompt asking an assistant for `config.meta.dv` entries that realise `description`;
    `full` names the existing entities shown with their whole block (default: all, up to MAX_FULL_DESIGN),
    `sources` the shell patterns of the sources to list (default: all, up to MAX_SOURCES)."""
    settings = conventions(design)
    naming = settings.get("naming") or {}
    names = ", ".join(f"{kind} `{rule['prefix']}...`" if rule.get("prefix") else f"{kind} `...{rule.get('suffix', '')}`"
                      for kind, rule in naming.items() if isinstance(rule, dict))
    existing = design_lines(design, full)
    source_note, source_list = source_lines(source_catalogue(design, sources), settings.get("load_datetime_column"))
    project = design.project.name or "this dbt project"
    parts = [
        f"# Draft Data Vault design entries for `{project}`",
        "",
        "You are helping a data architect capture a Data Vault 2.0 design for dbt + AutomateDV on Snowflake. "
        "Do not write SQL. Write the design as dbt schema YAML model entries whose `config.meta.dv` block follows "
        "the contract below; `dv-spec` validates them, then generates specs, models and tests from them.",
        "",
        "## What the architect wants",
        "",
        description.strip() or "(no description given: ask the architect what to design)",
        "",
        "## The contract (config.meta.dv), in brief",
        "",
        "Kinds and their keys (required first):",
        *contract_lines(),
        "",
        RULES,
        "",
        "## This project's conventions",
        "",
        f"- Hash algorithm `{settings.get('hash_algorithm')}`; vault columns `{settings.get('load_datetime_column')}` "
        f"(load datetime, also the default source column) and `{settings.get('record_source_column')}`.",
        f"- Names (dv-spec warns otherwise): {names or 'no conventions'}. Follow the existing design's style "
        "for anything else (hashdiff names, record sources, subject areas).",
        f"- Derived stages are `{settings.get('stage_prefix')}<source>`: do not declare them; declare a `stage` "
        "entity only to share one staged source deliberately.",
        "",
        f"## The design so far ({len(design.entities)} entities, each with its whole config.meta.dv block)",
        "",
        *(existing or ["(no design entities yet)"]),
        "",
        "Refer to these entities by name; do not redefine them unless the architect asks to change them. "
        "Every hash key and hashdiff name above is taken: a new entity needs its own (dv-spec reports DV205), "
        "and a new entity reading a source listed below computes its keys in the same stage as that source's "
        "readers, so a taken name there is a conflict (DV217).",
        "",
        "## Sources the project knows",
        "",
        f"Columns with their declared types. {source_note}",
        "",
        *(source_list or ["(none found: ask the architect which dbt sources or seeds to read)"]),
        "",
        "## Answer with",
        "",
        "1. One fenced ```yaml block holding a YAML list of model entries, each with only `name`, `description` "
        "(the entity's purpose in business words) and `config.meta.dv`, like this (an illustration: "
        "these names are not this project's):",
        "",
        "```yaml",
        EXAMPLE,
        "```",
        "",
        "   To change an existing entity, give its whole new `config.meta.dv` block under its existing name, "
        "repeating every key you keep (owner, record sources, source mappings): a key left out is removed.",
        "2. **Assumptions**: each thing you decided that the description did not say (a key, a source column, "
        "a hash order, a record source).",
        "3. **Questions** for the architect: what you could not decide from the description and the sources. "
        "Never invent a column or a source: ask.",
        "",
        "## How the architect checks your answer",
        "",
        "Save the YAML block (or the whole answer) as `draft.yml`, then:",
        "",
        "```",
        "dv-spec new --from draft.yml --dry-run     # validates with the existing design; shows the YAML diff, writes nothing",
        "dv-spec new --from draft.yml               # writes all entries or none (--replace to change existing ones)",
        "dv-spec validate                           # the whole design",
        "dv-spec diff --base HEAD                   # what the change means for tables already loaded",
        "```",
        "",
        "If `dv-spec` reports findings (file:line, rule, hint), fix the entries they name and answer again.",
    ]
    return "\n".join(parts) + "\n"


def design_prompt_document(design: Design, description: str, full=None, sources=None):
    """The drafting prompt as a generated document (`design_draft.prompt.md`), marked like every generated
    Markdown file so that writing it again replaces it, while a copy a person edited is kept."""
    text = macro_api.generated_markdown(design_prompt(design, description, full, sources),
                                         "the design and an architect's description", "dv-spec prompts --draft")
    return Document("design_draft.prompt.md", text, "prompt", "design_draft")


def read_description(text: str | None, path: str | None) -> str:
    """The architect's description: given as text, or read from a file (- for standard input)."""
    return (text or "") if path is None else read_input(path, "--draft-file")


def selected_entities(design: Design, select) -> set | None:
    """The entity names `--select` gives (names, or subject_area:NAME for an area's entities); None when not given."""
    if not select:
        return None
    chosen: set = set()
    for item in select:
        for word in item.replace(",", " ").split():
            if word.startswith("subject_area:"):
                area = word.split(":", 1)[1]
                members = {e.name for e in design.entities.values() if isinstance(e.dv, dict) and e.dv.get("subject_area") == area}
                if not members:
                    raise UsageError(f"--select: no entity has subject_area `{area}`")
                chosen |= members
            elif word in design.entities:
                chosen.add(word)
            else:
                hint = did_you_mean(word, design.entities)
                raise UsageError(f"--select: no design entity named `{word}`" + (f"; {hint}" if hint else ""))
    return chosen
