"""Load a dbt project's design entities and known nodes without running dbt.

Reads `dbt_project.yml`, every schema YAML under the model paths, seed CSV
headers, model/snapshot file names and installed packages' node names, or a
dbt `target/manifest.json`. The result is plain data (`Project`) for the
design model and the rules.
"""

from __future__ import annotations

import copy
import csv
import io
import os
import re
from dataclasses import dataclass, field

from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.files import load_manifest_json, read_text, too_deep
from dv_spec_tool.core.yamlpos import MAX_DEPTH, YamlDoc, YamlError, load_yaml

DESIGN_KEY = "dv"
SCHEMA_SUFFIXES = (".yml", ".yaml")
# A plain SQL identifier, the only kind of name generated SQL uses unquoted (also `$defs.identifier` in dv.schema.json).
IDENTIFIER_PATTERN = r"[A-Za-z_][A-Za-z0-9_]*"
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
# dbt renders Jinja in schema YAML (config.meta included) when it parses; Jinja a design must keep for run time
# (a stage expression over `run_started_at`) is written inside a raw block, which dbt's parse unwraps.
_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", re.S)


def kept_for_dbt(value):
    """A design value as it is written: a string holding Jinja in a raw block, so that dbt's parse leaves it as it is."""
    if isinstance(value, str):
        return "{% raw %}" + value + "{% endraw %}" if "{{" in value or "{%" in value else value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    changed = {key: kept for key, item in items if (kept := kept_for_dbt(item)) is not item}
    if not changed:
        return value
    value = copy.copy(value)  # what the caller holds stays as it is
    for key, kept in changed.items():
        value[key] = kept
    return value


def as_dbt_parses(value):
    """A design value as dbt's parse leaves it: raw blocks unwrapped (the manifest holds the same), in place."""
    if isinstance(value, str):
        return _RAW.sub(lambda m: m.group(1), value) if "{%" in value else value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in list(items):
        unwrapped = as_dbt_parses(item)
        if unwrapped is not item:
            value[key] = unwrapped
    return value
_SNAPSHOT_BLOCK = re.compile(r"{%-?\s*snapshot\s+(" + IDENTIFIER_PATTERN + ")")


def is_identifier(text) -> bool:
    r"""Whether `text` is a plain SQL identifier: letters, digits and underscores, not starting with a digit.

    >>> is_identifier("hub_customer"), is_identifier("1st"), is_identifier("a; drop table x"), is_identifier("a\n")
    (True, False, False, False)
    """
    return isinstance(text, str) and _IDENTIFIER.fullmatch(text) is not None


@dataclass
class SchemaFile:
    """A schema YAML file: its project-relative path and parsed document."""

    path: str
    doc: YamlDoc | None  # None when the file could not be read
    error: YamlError | None = None
    empty: bool = False


@dataclass
class EntityEntry:
    """A model entry carrying a `dv` design block, as written."""

    name: str
    dv: object  # the raw block; rules check its shape
    file: SchemaFile
    path: tuple  # key path of the dv block inside the file
    model_path: tuple  # key path of the model entry
    description: str = ""
    columns: list = field(default_factory=list)
    legacy_location: bool = False  # top-level meta.dv instead of config.meta.dv
    both_locations: bool = False

    def position(self, sub_path: tuple = ()) -> tuple[int, int]:
        if self.file.doc is None:
            return (1, 1)
        return self.file.doc.position(self.path + tuple(sub_path))


@dataclass
class Node:
    """Something a design can read from: a model, seed, snapshot or dbt source table."""

    name: str  # `model` name, or `source_name.table_name`
    resource_type: str  # model | seed | snapshot | source
    path: str = ""
    columns: list | None = None  # None when unknown
    columns_from: str = ""  # where the column list came from


@dataclass
class Project:
    root: str
    name: str
    settings: dict
    settings_position: tuple = ("dbt_project.yml", 1, 1)
    entries: list = field(default_factory=list)  # EntityEntry
    nodes: dict = field(default_factory=dict)  # name -> Node
    files: list = field(default_factory=list)  # SchemaFile
    project_doc: YamlDoc | None = None
    model_paths: list = field(default_factory=lambda: ["models"])


def _paths_setting(config: dict, key: str, default: list) -> list:
    value = config.get(key, default)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"dbt_project.yml: `{key}` must be a list of folder names")
    return value


def _walk(root: str, folders: list, suffixes: tuple):
    for folder in folders:
        base = os.path.join(root, folder)
        if not os.path.isdir(base):
            continue
        for directory, subdirs, files in os.walk(base):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in sorted(files):
                if name.endswith(suffixes):
                    yield os.path.join(directory, name)


def _rel(root: str, path: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def load_project(project_dir: str) -> Project:
    """Load the design and known nodes of the dbt project in `project_dir`."""
    root = os.path.abspath(project_dir)
    if not os.path.isdir(root):
        raise UsageError(f"{project_dir}: no such directory")
    project_file = os.path.join(root, "dbt_project.yml")
    if not os.path.isfile(project_file):
        raise UsageError(f"{project_dir}: no dbt_project.yml here (pass --project-dir to a dbt project)")
    try:
        doc = load_yaml(read_text(project_file))
    except YamlError as exc:
        raise UsageError(f"dbt_project.yml:{exc.line}:{exc.col}: {exc.message}") from None
    config = doc.data
    if not isinstance(config, dict):
        raise UsageError("dbt_project.yml: expected a mapping of project settings")
    variables = config.get("vars") if isinstance(config.get("vars"), dict) else {}
    settings = variables.get("dv_spec", {})
    line, col = doc.position(("vars", "dv_spec"))
    project = Project(
        root=root,
        name=str(config.get("name", "")),
        settings=settings,
        settings_position=("dbt_project.yml", line, col),
        project_doc=doc,
    )
    # source-paths and data-paths: the names before dbt 1.0 (still in older projects)
    model_paths = _paths_setting(config, "model-paths" if "model-paths" in config or "source-paths" not in config
                                 else "source-paths", ["models"])
    project.model_paths = model_paths
    seed_paths = _paths_setting(config, "seed-paths" if "seed-paths" in config or "data-paths" not in config
                                else "data-paths", ["seeds"])
    snapshot_paths = _paths_setting(config, "snapshot-paths", ["snapshots"])

    for path in _walk(root, model_paths, (".sql", ".py")):
        name = os.path.splitext(os.path.basename(path))[0]
        project.nodes.setdefault(name, Node(name, "model", _rel(root, path)))
    for path in _walk(root, seed_paths, (".csv",)):
        name = os.path.splitext(os.path.basename(path))[0]
        project.nodes[name] = Node(name, "seed", _rel(root, path), *_csv_header(path))
    for path in _walk(root, snapshot_paths, (".sql",)):
        try:
            for name in _SNAPSHOT_BLOCK.findall(read_text(path)):
                project.nodes.setdefault(name, Node(name, "snapshot", _rel(root, path)))
        except (OSError, YamlError):
            continue
    _add_package_nodes(project)

    for path in _walk(root, model_paths + snapshot_paths + seed_paths, SCHEMA_SUFFIXES):
        schema_file = _read_schema_file(root, path)
        project.files.append(schema_file)
        if schema_file.doc is not None:
            _collect(project, schema_file)
    return project


def _csv_header(path: str) -> tuple[list | None, str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(io.StringIO(handle.readline())), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None, ""
    if not header:
        return None, ""
    return [column.strip() for column in header], "the seed's CSV header"


def _add_package_nodes(project: Project) -> None:
    """Models and seeds of installed packages (`dbt deps`) are ref-able too."""
    packages = os.path.join(project.root, "dbt_packages")
    if not os.path.isdir(packages):
        return
    for package in sorted(os.listdir(packages)):
        base = os.path.join(packages, package)
        for path in _walk(base, list(NODE_KEYS), (".sql", ".py", ".csv")):
            name = os.path.splitext(os.path.basename(path))[0]
            kind = "seed" if path.endswith(".csv") else "model"
            project.nodes.setdefault(name, Node(name, kind, _rel(project.root, path)))


def _read_schema_file(root: str, path: str) -> SchemaFile:
    rel = _rel(root, path)
    try:
        text = read_text(path)
        if not text.strip():
            return SchemaFile(rel, None, empty=True)
        return SchemaFile(rel, load_yaml(text))
    except YamlError as exc:
        return SchemaFile(rel, None, error=exc)
    except OSError as exc:
        return SchemaFile(rel, None, error=YamlError(f"cannot be read: {exc.strerror}"))


NODE_KEYS = ("models", "seeds", "snapshots")  # the schema YAML lists of named nodes


def node_entries(schema_file: SchemaFile):
    """(key, index, entry) for each named entry under models, seeds and snapshots of a schema file."""
    data = schema_file.doc.data if schema_file.doc is not None else None
    if not isinstance(data, dict):
        return
    for key in NODE_KEYS:
        entries = data.get(key)
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                yield key, index, entry


def source_tables(schema_file: SchemaFile):
    """(`source_name.table_name`, table entry) for each named table of each named dbt source of a schema file."""
    data = schema_file.doc.data if schema_file.doc is not None else None
    sources = data.get("sources") if isinstance(data, dict) else None
    for source in sources if isinstance(sources, list) else []:
        if not isinstance(source, dict) or not isinstance(source.get("name"), str):
            continue
        tables = source.get("tables")
        for table in tables if isinstance(tables, list) else []:
            if isinstance(table, dict) and isinstance(table.get("name"), str):
                yield f"{source['name']}.{table['name']}", table


def _collect(project: Project, schema_file: SchemaFile) -> None:
    for key, index, entry in node_entries(schema_file):
        _collect_entry(project, schema_file, key, index, entry)
    for name, table in source_tables(schema_file):
        columns = _column_names(table.get("columns"))
        origin = f"the columns declared for source {name} in {schema_file.path}" if columns else ""
        project.nodes[name] = Node(name, "source", schema_file.path, columns, origin)


def _column_names(columns) -> list | None:
    if not isinstance(columns, list):
        return None
    names = [c.get("name") for c in columns if isinstance(c, dict)]
    return [n for n in names if isinstance(n, str)] or None


def _collect_entry(project: Project, schema_file: SchemaFile, key: str, index: int, entry: dict) -> None:
    name = entry["name"]
    resource_type = key[:-1]
    node = project.nodes.get(name)
    columns = _column_names(entry.get("columns"))
    if node is None:
        node = project.nodes[name] = Node(name, resource_type, schema_file.path)
    if node.columns is None and columns and resource_type == "seed":
        node.columns, node.columns_from = columns, f"the columns declared in {schema_file.path}"
    if key != "models":
        return
    config = entry.get("config")
    config_meta = config.get("meta") if isinstance(config, dict) else None
    top_meta = entry.get("meta")
    in_config = isinstance(config_meta, dict) and DESIGN_KEY in config_meta
    in_top = isinstance(top_meta, dict) and DESIGN_KEY in top_meta
    if not (in_config or in_top):
        return
    model_path = (key, index)
    if in_config:
        dv, path = config_meta[DESIGN_KEY], model_path + ("config", "meta", DESIGN_KEY)
    else:
        dv, path = top_meta[DESIGN_KEY], model_path + ("meta", DESIGN_KEY)
    description = entry.get("description")
    project.entries.append(
        EntityEntry(
            name=name,
            dv=as_dbt_parses(dv),
            file=schema_file,
            path=path,
            model_path=model_path,
            description=description if isinstance(description, str) else "",
            columns=columns or [],
            legacy_location=in_top and not in_config,
            both_locations=in_top and in_config,
        )
    )


def load_manifest(manifest_path: str, project_dir: str | None = None) -> Project:
    """Load the design from a dbt `manifest.json` (e.g. after `dbt parse`).

    Positions come from the schema files the manifest points at when they are
    present next to it; vars come from `dbt_project.yml` when it is there.
    """
    manifest = load_manifest_json(manifest_path)
    root = os.path.abspath(project_dir or _manifest_project(manifest_path, manifest))
    if os.path.isfile(os.path.join(root, "dbt_project.yml")):
        base = load_project(root)
        project = Project(root, base.name, base.settings, base.settings_position, project_doc=base.project_doc)
    else:
        project = Project(root, "", {})
    files: dict = {}
    for node in manifest["nodes"].values():
        if not isinstance(node, dict):
            continue
        resource_type, name = node.get("resource_type"), node.get("name")
        if resource_type not in ("model", "seed", "snapshot") or not isinstance(name, str):
            continue
        columns = list(node.get("columns") or {}) or None
        project.nodes.setdefault(name, Node(name, resource_type, node.get("original_file_path", "")))
        if resource_type == "seed" and columns is None:
            seed_file = os.path.join(root, node.get("original_file_path", ""))
            if os.path.isfile(seed_file):
                project.nodes[name].columns, project.nodes[name].columns_from = _csv_header(seed_file)
        if resource_type == "model":
            _manifest_entity(project, node, files)
    for source in (manifest.get("sources") or {}).values():
        if isinstance(source, dict) and source.get("source_name") and source.get("name"):
            name = f"{source['source_name']}.{source['name']}"
            columns = list(source.get("columns") or {}) or None
            project.nodes[name] = Node(name, "source", source.get("original_file_path", ""), columns,
                                       f"the columns declared for source {name}" if columns else "")
    return project


def _manifest_project(manifest_path: str, manifest: dict) -> str:
    """The project a manifest belongs to, for its vars: `<project>/target/manifest.json`'s, else the current
    directory when it is the manifest's project (a manifest copied elsewhere, e.g. a CI artefact)."""
    beside = os.path.dirname(os.path.dirname(os.path.abspath(manifest_path)))
    if os.path.isfile(os.path.join(beside, "dbt_project.yml")):
        return beside
    name = (manifest.get("metadata") or {}).get("project_name")
    here = os.getcwd()
    if name and os.path.isfile(os.path.join(here, "dbt_project.yml")):
        try:
            if load_project(here).name == name:
                return here
        except UsageError:
            pass
    return beside


def _manifest_entity(project: Project, node: dict, files: dict) -> None:
    config_meta = (node.get("config") or {}).get("meta") or {}
    meta = node.get("meta") or {}
    dv = config_meta.get(DESIGN_KEY, meta.get(DESIGN_KEY))
    if dv is None:
        return
    if too_deep(dv, MAX_DEPTH):
        raise UsageError(f"the design of `{node.get('name')}` in the manifest is nested deeper than {MAX_DEPTH} levels")
    patch = node.get("patch_path") or ""
    rel = patch.split("://", 1)[-1] if patch else node.get("original_file_path", "")
    if rel not in files:
        full = os.path.join(project.root, rel)
        schema_file = _read_schema_file(project.root, full) if os.path.isfile(full) else SchemaFile(rel, None)
        files[rel] = schema_file
        project.files.append(schema_file)
    schema_file = files[rel]
    path, model_path = (), ()
    if schema_file.doc is not None and isinstance(schema_file.doc.data, dict):
        for index, entry in enumerate(schema_file.doc.data.get("models") or []):
            if isinstance(entry, dict) and entry.get("name") == node["name"]:
                model_path = ("models", index)
                in_config = DESIGN_KEY in (((entry.get("config") or {}).get("meta")) or {})
                path = model_path + (("config", "meta", DESIGN_KEY) if in_config else ("meta", DESIGN_KEY))
                break
    project.entries.append(
        EntityEntry(node["name"], dv, schema_file, path, model_path, node.get("description") or "",
                    list(node.get("columns") or {}))
    )
