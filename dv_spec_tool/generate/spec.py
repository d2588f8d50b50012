"""Implementation specs: one per design entity and one per subject area.

The content (a plain data structure) and its Markdown are built by the dbt
macros under `macros/spec/` (entity_spec, subject_area_spec, spec_markdown),
the same macros `dbt run-operation dv_spec_entity_spec` calls. This module
gathers what those macros read besides the resolved design (the spec
context: hash settings, declared column types, downstream models from a dbt
manifest), calls them, and serialises: JSON is the same structure as the
Markdown, dumped with a fixed key order so output is byte-identical for the
same input.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from dv_spec_tool.core import macro_api
from dv_spec_tool.core.design import Design
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.files import load_json
from dv_spec_tool.core.findings import did_you_mean
from dv_spec_tool.core.generated import json_document
from dv_spec_tool.core.project import Project, node_entries, source_tables
from dv_spec_tool.core.resolved_design import ResolvedDesign
from dv_spec_tool.importers.diagrams import write_diagram
from dv_spec_tool.importers.diagrams.from_design import design_to_diagram
from dv_spec_tool.validate import require_valid, sound_entities, validate

SPEC_FORMATS = ("markdown", "json")
SUBJECT_AREA_PREFIX = "subject_area:"


@dataclass(frozen=True)
class Document:
    """One generated file: where it goes (relative to --out) and its text."""

    path: str
    text: str
    kind: str  # entity | subject_area | prompt | instructions | change_set
    name: str


# ---------------------------------------------------------------- the context


def project_vars(project: Project) -> dict:
    """The top-level `vars:` of dbt_project.yml (AutomateDV's hash vars live there too)."""
    data = project.project_doc.data if project.project_doc is not None else {}
    variables = data.get("vars") if isinstance(data, dict) else None
    return dict(variables) if isinstance(variables, dict) else {}


def hash_settings(design: Design) -> dict:
    """dv_spec._hash_settings() with the project's vars: algorithm, bytes, concat string, placeholder, casing."""
    variables = project_vars(design.project)
    variables["dv_spec"] = design.settings_input
    return macro_api.hash_settings(variables)


def column_types(project: Project) -> dict:
    """{reference: {column: declared type}} (lower-case names) from what dbt would know without a database:
    seeds' `column_types` (dbt_project.yml and schema YAML config) and `data_type` on declared
    columns of seeds, models and dbt source tables. A seed's column_types wins over a data_type."""
    found: dict = {}

    def put(reference, column, declared, override=False):
        if not isinstance(column, str) or not isinstance(declared, str) or not declared.strip():
            return
        columns = found.setdefault(reference.lower(), {})
        if override or column.lower() not in columns:
            columns[column.lower()] = declared.strip()

    seed_config: dict = {}
    for schema_file in project.files:
        for key, _, entry in node_entries(schema_file):
            name = entry["name"]
            for column in entry.get("columns") or []:
                if isinstance(column, dict):
                    put(name, column.get("name"), column.get("data_type"))
            config = entry.get("config")
            if key == "seeds" and isinstance(config, dict) and isinstance(config.get("column_types"), dict):
                seed_config.setdefault(name, {}).update(config["column_types"])
        for name, table in source_tables(schema_file):
            for column in table.get("columns") or []:
                if isinstance(column, dict):
                    put(name, column.get("name"), column.get("data_type"))
    for name, node in sorted(project.nodes.items()):
        if node.resource_type != "seed":
            continue
        types = _project_seed_column_types(project, node.path, name)
        types.update(seed_config.get(name, {}))
        for column, declared in types.items():
            put(name, column, declared, override=True)
    return {reference: dict(sorted(columns.items())) for reference, columns in sorted(found.items())}


def _project_seed_column_types(project: Project, path: str, name: str) -> dict:
    """column_types for one seed from dbt_project.yml's `seeds:` tree (project, folders, seed), merged
    from the outside in as dbt merges them."""
    data = project.project_doc.data if project.project_doc is not None else {}
    seeds = data.get("seeds") if isinstance(data, dict) else None
    level = seeds.get(project.name) if isinstance(seeds, dict) else None
    parts = path.split("/")[1:-1] + [name]  # folders under the seed path, then the seed
    merged: dict = {}
    while isinstance(level, dict):
        for key in ("column_types", "+column_types"):
            if isinstance(level.get(key), dict):
                merged.update(level[key])
        if not parts:
            break
        level = level.get(parts.pop(0))
    return merged


# The type dbt gives each agate type dbt's CSV reader infers for a seed column (SQLAdapter's
# convert_*_type, which dbt-snowflake keeps): text, integer, float8 with decimals, boolean, ...
_AGATE_TYPES = (("Integer", "integer"), ("Number", "number"), ("Boolean", "boolean"), ("ISODateTime", "timestamp"),
                ("DateTime", "timestamp"), ("Date", "date"), ("TimeDelta", "time"), ("Text", "text"))


def inferred_column_types(project: Project) -> dict:
    """{reference: {column: (type, origin)}} for columns no declaration types: from target/catalog.json
    when `dbt docs generate` has run (the warehouse's own types), else for seeds from their CSV with
    dbt's own type inference (dbt_common's agate reader, as `dbt seed` does; {} without dbt installed)."""
    found: dict = {}
    catalog_path = os.path.join(project.root, "target", "catalog.json")
    try:
        with open(catalog_path, encoding="utf-8") as handle:
            catalog = load_json(handle.read())
    except (OSError, ValueError):
        catalog = {}
    for key in ("nodes", "sources"):
        for unique_id, node in sorted(((catalog.get(key) if isinstance(catalog, dict) else None) or {}).items()):
            if not isinstance(node, dict) or not isinstance(node.get("columns"), dict):
                continue
            parts = unique_id.split(".")
            reference = ".".join(parts[-2:]) if key == "sources" else parts[-1]
            for column, item in node["columns"].items():
                if isinstance(item, dict) and isinstance(item.get("type"), str):
                    found.setdefault(reference.lower(), {})[column.lower()] = (item["type"], "target/catalog.json")
    try:
        import agate
        from dbt_common.clients import agate_helper
    except ImportError:  # dbt is an optional dependency; without it seed columns stay undeclared
        return found
    for name, node in sorted(project.nodes.items()):
        if node.resource_type != "seed" or name.lower() in found or not node.path.endswith(".csv"):
            continue
        try:
            table = _seed_table(agate, agate_helper, os.path.join(project.root, node.path))
        except Exception:  # an unreadable CSV is validate's business; the spec just does not know
            continue
        columns = found.setdefault(name.lower(), {})
        for column in table.columns:
            kind = next((dbt for agate_name, dbt in _AGATE_TYPES
                         if any(t.__name__ == agate_name for t in type(column.data_type).__mro__)), None)
            if kind == "number":
                kind = "float8" if table.aggregate(agate.MaxPrecision(column.name)) else "integer"
            if kind:
                columns[column.name.lower()] = (kind, "inferred from the seed's CSV as `dbt seed` does")
    return found


def _seed_table(agate, agate_helper, path: str):
    """agate_helper.from_csv(path, text_columns=[]), as `dbt seed` reads a seed, with dbt's ready-made
    type tester for no text columns (from_csv builds the same one per file: half of reading 600 seeds)."""
    with open(path, encoding="utf-8") as handle:
        if handle.read(1) != agate_helper.BOM:
            handle.seek(0)
        return agate.Table.from_csv(handle, column_types=agate_helper.DEFAULT_TYPE_TESTER)


def downstream_models(project: Project, design: Design) -> dict:
    """{entity: [dbt models outside the design that select from it]} from target/manifest.json's
    child_map when the project has been parsed; {} otherwise."""
    path = os.path.join(project.root, "target", "manifest.json")
    if not os.path.isfile(path):
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = load_json(handle.read())
    except (OSError, ValueError):
        return {}
    nodes = manifest.get("nodes") if isinstance(manifest, dict) else None
    child_map = manifest.get("child_map") if isinstance(manifest, dict) else None
    if not isinstance(nodes, dict) or not isinstance(child_map, dict):
        return {}
    out: dict = {}
    for unique_id, node in nodes.items():
        if not isinstance(node, dict) or node.get("resource_type") != "model" or node.get("name") not in design.entities:
            continue
        children = []
        for child in child_map.get(unique_id) or []:
            child_node = nodes.get(child) or {}
            name = child_node.get("name")
            if child_node.get("resource_type") == "model" and name and name not in design.entities:
                children.append(name)
        if children:
            out[node["name"]] = sorted(set(children))
    return dict(sorted(out.items()))


def subject_area_diagrams(design: Design, resolved: ResolvedDesign) -> dict:
    """{subject area: Mermaid erDiagram of its entities}, drawn by `dv-spec export mermaid`'s exporter."""
    areas: dict = {}
    for name, entity in resolved["entities"].items():
        if entity["subject_area"]:
            areas.setdefault(entity["subject_area"], set()).add(name)
    return {area: write_diagram("mermaid", design_to_diagram(resolved, names, title=area)).strip("\n")
            for area, names in sorted(areas.items())}


# Validate warnings that leave the engineer unable to pass the acceptance tests
# on every load: each becomes an open question of the entity's spec.
OPEN_QUESTION_RULES = ("DV230", "DV231", "DV232", "DV233")


def design_warnings(design: Design) -> dict:
    """{entity: [{rule, message, hint}]} of the OPEN_QUESTION_RULES findings."""
    out: dict = {}
    for finding in validate(design):
        if finding.rule in OPEN_QUESTION_RULES and finding.entity:
            out.setdefault(finding.entity, []).append({"rule": finding.rule, "message": finding.message, "hint": finding.hint})
    return dict(sorted(out.items()))


def spec_context(design: Design, resolved: ResolvedDesign | None = None) -> dict:
    """What the spec macros read besides the resolved design (see entity_spec's docstring)."""
    return {
        "design_warnings": design_warnings(design),
        "diagrams": subject_area_diagrams(design, resolved) if resolved is not None else {},
        "hash": hash_settings(design),
        "column_types": column_types(design.project),
        "source_columns": {name.lower(): list(node.columns) for name, node in sorted(design.project.nodes.items())
                           if node.columns is not None},
        "inferred_types": {reference: {column: {"type": t, "origin": o} for column, (t, o) in columns.items()}
                           for reference, columns in inferred_column_types(design.project).items()},
        "downstream_models": downstream_models(design.project, design),
        "model_path": design.project.model_paths[0] if design.project.model_paths else "models",
        "project": design.project.name,
    }


# ---------------------------------------------------------------- the core


class SpecBuilder:
    """Specs of one design, resolved once."""

    def __init__(self, design: Design, check: bool = True, partial: bool = False):
        """check: refuse a design with errors; partial: instead leave out the entities with errors (and those
        referring to them), recorded in `broken`."""
        self.broken = {}  # entity -> why it has no spec (its design has errors, or refers to one that has)
        if check and partial:
            _, self.broken = sound_entities(design)
        elif check:
            require_valid(design)
        self.design = design
        self.resolved = design.resolve(sorted(n for n in design.entities if n not in self.broken))
        self.context = spec_context(design, self.resolved)
        self._entity_specs: dict = {}
        self._markdown_cache: dict = {}  # spec_markdown's: each entity's lines, for its own file and its subject area's

    @property
    def entity_names(self) -> list:
        return sorted(self.resolved["entities"])

    def subject_areas(self) -> list:
        return sorted({e["subject_area"] for e in self.resolved["entities"].values() if e["subject_area"]})

    def entity_spec(self, name: str) -> dict:
        if name not in self._entity_specs:
            self._entity_specs[name] = macro_api.entity_spec(name, self.resolved, self.context)
        return self._entity_specs[name]

    def subject_area_spec(self, area: str) -> dict:
        if area not in self.subject_areas():
            raise UsageError(f"no entity has subject_area `{area}`; subject areas: {', '.join(self.subject_areas()) or 'none'}")
        members = [n for n, e in self.resolved["entities"].items() if e["subject_area"] == area]
        specs = {name: self.entity_spec(name) for name in members}  # built once, shared with the entity specs
        return macro_api.subject_area_spec(area, self.resolved, self.context, specs)

    def markdown(self, spec: dict) -> str:
        return macro_api.spec_markdown(spec, self._markdown_cache)


def as_json(data: dict, command: str = "dv-spec spec") -> str:
    """The spec structure as JSON: keys in the order the macros build them, two-space indent, a final
    newline, after `generated_by` and a checksum (so a later run can tell its own file from an edited one)."""
    return json_document(data, command)


def parse_selection(values, builder: SpecBuilder) -> tuple[list, list]:
    """--select items -> (entity names, subject areas). `subject_area:NAME` names a subject area;
    anything else an entity. Unknown names are usage errors with a suggestion."""
    entities, areas = [], []
    for item in values or []:
        for name in item.replace(",", " ").split():
            if name.startswith(SUBJECT_AREA_PREFIX):
                area = name[len(SUBJECT_AREA_PREFIX):]
                if area not in builder.subject_areas():
                    raise UsageError(f"--select: no entity has subject_area `{area}`; subject areas: "
                                     f"{', '.join(builder.subject_areas()) or 'none'}")
                if area not in areas:
                    areas.append(area)
            elif name in builder.resolved["entities"]:
                if name not in entities:
                    entities.append(name)
            else:
                hint = did_you_mean(name, builder.resolved["entities"])
                areas_hint = f" (a subject area is selected as `{SUBJECT_AREA_PREFIX}{name}`)" if name in builder.subject_areas() else ""
                raise UsageError(f"--select: no design entity named `{name}`" + (f"; {hint}" if hint else "") + areas_hint)
    return sorted(entities), sorted(areas)


def spec_documents(builder: SpecBuilder, entities=None, areas=None, fmt: str = "markdown") -> list:
    """The spec files for a selection (everything when both are None): entity specs, then subject areas."""
    if entities is None and areas is None:
        entities, areas = builder.entity_names, builder.subject_areas()
    suffix = ".md" if fmt == "markdown" else ".json"
    documents = []
    for name in entities or []:
        spec = builder.entity_spec(name)
        text = builder.markdown(spec) if fmt == "markdown" else as_json(spec)
        documents.append(Document(f"{name}{suffix}", text, "entity", name))
    for area in areas or []:
        spec = builder.subject_area_spec(area)
        text = builder.markdown(spec) if fmt == "markdown" else as_json(spec)
        documents.append(Document(f"subject_area_{area}{suffix}", text, "subject_area", area))
    return documents


def selection_index(builder: SpecBuilder, command: str) -> str:
    """What `command` (`spec` or `prompts`) can print, one Markdown row per subject area and entity,
    with how to print one and how to write them all: what a first run without --select or --out shows."""
    entities = builder.resolved["entities"]
    areas = builder.subject_areas()
    folder = {"spec": "specs"}.get(command, command)
    lines = [f"# dv-spec {command}: {len(entities)} entities, {len(areas)} subject areas", "",
             f"Print one: `dv-spec {command} --select NAME` (a subject area: `--select {SUBJECT_AREA_PREFIX}NAME`). "
             f"Write them all: `dv-spec {command} --out {folder}/`.", "",
             "| select | kind | subject area | purpose |", "| --- | --- | --- | --- |"]
    for area in areas:
        members = sum(1 for entity in entities.values() if entity["subject_area"] == area)
        lines.append(f"| `{SUBJECT_AREA_PREFIX}{area}` | subject area | {area} | {members} "
                     f"{'entity' if members == 1 else 'entities'} |")
    for name in builder.entity_names:
        entity = entities[name]
        purpose = _first_sentence(entity["description"]) or "(no description)"
        lines.append(f"| `{name}` | {entity['kind']} | {entity['subject_area'] or ''} | {purpose} |")
    return "\n".join(lines) + "\n"


def _first_sentence(text: str) -> str:
    sentence = " ".join(text.split()).split(". ")[0].rstrip(".")
    return ((sentence[:117] + "...") if len(sentence) > 120 else sentence).replace("|", "\\|")
