"""`dv-spec check`: evaluate an implementation's compiled SQL against the design.

Whoever wrote the SQL (AutomateDV, a person, an assistant), the checker reads
what dbt compiled and verifies the acceptance criteria that can be verified
statically (`verified_by: dv-spec check` in the `acceptance_criteria` macro):
declared sources, output columns, hash-key lineage, load metadata lineage and
hashdiff lineage. It also raises review flags (RV01 ...) for what a person
should look at. The core, `evaluate`, is a pure function of the resolved
design and the compiled SQL; `check_design` adds the design's acceptance
criteria; `compiled.read_manifest` reads dbt's manifest and target/compiled.
"""

from __future__ import annotations

import os

from dv_spec_tool.check.compiled import check_dialect, dialect_for, read_manifest
from dv_spec_tool.check.core import evaluate
from dv_spec_tool.check.results import CheckReport, Flag, Outcome, Problem
from dv_spec_tool.core import macro_api
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.resolved_design import ResolvedDesign
from dv_spec_tool.validate import sound_entities


def acceptance_criteria(resolved: ResolvedDesign, names) -> dict:
    """{entity: its acceptance criteria}, from the `acceptance_criteria` macro (the ids the spec and dbt tests use)."""
    return {name: macro_api.acceptance_criteria(resolved["entities"][name], resolved) for name in names}


def check_design(design, sql: dict, depends_on: dict | None = None, *, dialect: str, select=None,
                 relations: dict | None = None, columns: dict | None = None, broken: dict | None = None,
                 raw: dict | None = None) -> CheckReport:
    """Check a Design's compiled SQL: resolve the design, get its criteria, evaluate.

    Column lists of seeds and dbt sources come from the project (seed CSV
    headers, declared source columns) unless `columns` is given. `broken`
    ({entity: why}, from `validate.sound_entities`) are left out of the
    resolution and reported as not verified, with the reason. `raw`: {model:
    its code as written}, for design expressions that hold Jinja.
    """
    broken = broken or {}
    wanted = set(select) if select else None
    resolved = design.resolve(sorted(n for n in design.entities if n not in broken))
    names = sorted(n for n in (wanted or resolved["entities"]) if n not in broken)
    criteria = acceptance_criteria(resolved, names)
    if columns is None:
        columns = {name: node.columns for name, node in design.project.nodes.items() if node.columns}
    report = evaluate(resolved, criteria, sql, depends_on, dialect=dialect, columns=columns, relations=relations, select=names,
                      raw=raw)
    for name, why in sorted(broken.items()):
        if wanted is None or name in wanted:
            report.entities.append(name)
            report.outcomes.append(Outcome(f"AC-{name}", name, "sound_design", "not_verified",
                                           "the entity's design validates", (Problem(name, 0, why),)))
    return report


def check_project(design, manifest: str | None = None, *, dialect: str | None = None, select=None):
    """The command line's and the MCP server's check: the design against dbt's compiled SQL.

    Entities whose design has errors (and those that refer to them) are not
    checked: they are reported as not verified, with the error, and every
    other entity is checked.

    Reads `manifest` (default target/manifest.json of the project) and the
    compiled SQL beside it; the dialect comes from the manifest's adapter
    unless given. Returns (CheckReport, CompiledProject).
    """
    _, broken = sound_entities(design)
    root = design.project.root
    manifest = manifest or os.path.join(root, "target", "manifest.json")
    compiled = read_manifest(manifest, root)
    if not compiled.sql:
        raise UsageError(f"{manifest}: no compiled SQL for any of its {compiled.models} models; run `dbt compile` first")
    chosen = check_dialect(dialect) if dialect else dialect_for(compiled.adapter or "snowflake")
    report = check_design(design, compiled.sql, compiled.depends_on, dialect=chosen, select=select,
                          relations=compiled.relations, broken=broken, raw=compiled.raw)
    return report, compiled


__all__ = ["check_project", "CheckReport", "Flag", "Outcome", "Problem", "acceptance_criteria", "check_design", "evaluate"]
