"""Read what dbt compiled: manifest.json (depends_on, relation names, the
adapter) and each model's compiled SQL (the manifest's `compiled_code`, else
the file under target/compiled). The edge of `dv-spec check`: plain data out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import sqlglot

from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.files import load_manifest_json

# dbt adapter type -> sqlglot dialect, where the names differ.
ADAPTER_DIALECTS = {"sqlserver": "tsql", "fabric": "tsql", "synapse": "tsql", "databricks": "databricks",
                    "spark": "spark", "postgres": "postgres", "redshift": "redshift", "bigquery": "bigquery",
                    "snowflake": "snowflake", "duckdb": "duckdb", "trino": "trino", "athena": "athena",
                    "clickhouse": "clickhouse", "oracle": "oracle", "mysql": "mysql", "teradata": "teradata"}


@dataclass
class Compiled:
    sql: dict = field(default_factory=dict)  # model -> compiled SQL
    depends_on: dict = field(default_factory=dict)  # model -> [node names]
    relations: dict = field(default_factory=dict)  # relation identifier -> node name (where they differ)
    files: dict = field(default_factory=dict)  # model -> compiled file path (relative to the project)
    originals: dict = field(default_factory=dict)  # model -> the model's own file (original_file_path)
    raw_is_compiled: dict = field(default_factory=dict)  # model -> True when the model file has no Jinja
    raw: dict = field(default_factory=dict)  # model -> the model's own code, Jinja as written (raw_code)
    adapter: str = ""
    models: int = 0  # models in the manifest


def dialect_for(adapter: str) -> str:
    """The sqlglot dialect for a dbt adapter type; unknown adapters are a usage error."""
    dialect = ADAPTER_DIALECTS.get(adapter, adapter)
    try:
        sqlglot.Dialect.get_or_raise(dialect)
    except ValueError:
        raise UsageError(f"the manifest's adapter `{adapter}` has no SQL dialect in sqlglot; pass --dialect") from None
    return dialect


def check_dialect(dialect: str) -> str:
    try:
        sqlglot.Dialect.get_or_raise(dialect)
    except ValueError:
        raise UsageError(f"--dialect: sqlglot has no dialect `{dialect}` (e.g. snowflake, duckdb, bigquery)") from None
    return dialect


def read_manifest(path: str, project_root: str) -> Compiled:
    """The compiled SQL and dependencies of every model of a dbt manifest."""
    manifest = load_manifest_json(path, "no such file; run `dbt compile` first (or pass --manifest)")
    nodes = manifest["nodes"]
    sources = manifest.get("sources") if isinstance(manifest.get("sources"), dict) else {}
    out = Compiled(adapter=str((manifest.get("metadata") or {}).get("adapter_type") or ""))

    def node_name(unique_id: str) -> str | None:
        if unique_id in sources:
            source = sources[unique_id]
            return f"{source.get('source_name')}.{source.get('name')}"
        node = nodes.get(unique_id)
        if isinstance(node, dict) and node.get("resource_type") in ("model", "seed", "snapshot"):
            return node.get("name")
        return None

    ephemeral = {uid for uid, node in nodes.items()
                 if isinstance(node, dict) and (node.get("config") or {}).get("materialized") == "ephemeral"}

    def dependencies(unique_id: str, seen: set) -> list:
        """A node's depends_on, with ephemeral models replaced by what they depend on (dbt inlines them as CTEs)."""
        found = []
        for uid in ((nodes.get(unique_id) or {}).get("depends_on") or {}).get("nodes") or []:
            if uid in ephemeral and uid not in seen:
                found += dependencies(uid, seen | {uid})
            elif uid not in ephemeral:
                found.append(uid)
        return found

    for unique_id, source in sorted(sources.items()):
        if isinstance(source, dict):
            name = f"{source.get('source_name')}.{source.get('name')}"
            identifier = (source.get("identifier") or source.get("name") or "").lower()
            if identifier and identifier != str(source.get("name")).lower():
                out.relations.setdefault(identifier, name)
    for unique_id, node in sorted(nodes.items()):
        if not isinstance(node, dict) or node.get("resource_type") not in ("model", "seed", "snapshot"):
            continue
        name = node.get("name")
        alias = (node.get("alias") or name or "").lower()
        if alias and alias != str(name).lower():
            out.relations.setdefault(alias, name)
        if node.get("resource_type") != "model" or name in out.sql:
            continue
        out.models += 1
        code = node.get("compiled_code")
        compiled_path = node.get("compiled_path") or ""
        if code is None and compiled_path:
            full = os.path.join(project_root, compiled_path)
            if os.path.isfile(full):
                try:
                    with open(full, encoding="utf-8") as handle:
                        code = handle.read()
                except (OSError, UnicodeDecodeError):
                    code = None
        if code is None:
            continue
        out.sql[name] = code
        out.files[name] = compiled_path or f"{name}.sql"
        out.originals[name] = node.get("original_file_path") or ""
        raw = node.get("raw_code") or ""
        out.raw[name] = raw
        out.raw_is_compiled[name] = bool(raw) and "{{" not in raw and "{%" not in raw and "{#" not in raw
        depends = [node_name(uid) for uid in dependencies(unique_id, {unique_id})]
        out.depends_on[name] = sorted({d for d in depends if d})
    return out
