"""The design model: entities as written, and the design resolved with the
contract's defaults.

Resolution (mapping defaults, foreign-key names, record sources, the stages
that compute keys) is implemented once, in the dbt macro
`macros/design/resolve_design.sql`, and called from here through
`macro_api.resolve_design`, so the command line and `dbt run-operation` agree.
Its result is typed by `resolved_design.ResolvedDesign`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from dv_spec_tool.core import macro_api
from dv_spec_tool.core.dv_schema import settings_errors
from dv_spec_tool.core.kinds import STAGED_KINDS
from dv_spec_tool.core.project import EntityEntry, Project
from dv_spec_tool.core.resolved_design import ResolvedDesign, ResolvedEntity, Settings, Source


@dataclass
class Design:
    project: Project
    entities: dict = field(default_factory=dict)  # name -> EntityEntry (first wins)
    duplicates: list = field(default_factory=list)  # later EntityEntry with a taken name
    _resolutions: dict = field(default_factory=dict, repr=False)  # names -> resolve() result
    _findings: list | None = field(default=None, repr=False)  # validate()'s, computed once

    def get(self, name) -> EntityEntry | None:
        return self.entities.get(name) if isinstance(name, str) else None

    def kind_of(self, name) -> str | None:
        entry = self.get(name)
        return entry.dv.get("kind") if entry is not None and isinstance(entry.dv, dict) else None

    def of_kind(self, *kinds) -> list:
        return [e for e in self.entities.values() if isinstance(e.dv, dict) and e.dv.get("kind") in kinds]

    @cached_property
    def settings_input(self) -> dict:
        """The project's vars.dv_spec if well-formed, else {} (DV020 reports why)."""
        raw = self.project.settings
        return raw if isinstance(raw, dict) and not settings_errors(raw) else {}

    @cached_property
    def settings(self) -> Settings:
        return macro_api.design_settings(self.settings_input)

    def resolve(self, names=None) -> ResolvedDesign:
        """{settings, entities, stages} for the named (structurally valid) entities.

        Resolved once per selection (validate and the generator after it share it);
        callers must not change the result.
        """
        key = tuple(self.entities) if names is None else tuple(names)
        if key not in self._resolutions:
            # The same entities in another order resolve alike (each entity from the whole set, the
            # stages by name): only the order of `entities` follows the names.
            same = next((r for k, r in self._resolutions.items() if len(k) == len(key) and set(k) == set(key)), None)
            if same is not None:
                self._resolutions[key] = {**same, "entities": {name: same["entities"][name] for name in key}}
            else:
                chosen = [self.entities[n] for n in key]
                entities = [{"name": e.name, "dv": e.dv, "description": e.description, "file": e.file.path} for e in chosen]
                self._resolutions[key] = macro_api.resolve_design(entities, self.settings_input)
        return self._resolutions[key]


def build_design(project: Project) -> Design:
    design = Design(project=project)
    for entry in project.entries:
        if entry.name in design.entities:
            design.duplicates.append(entry)
        else:
            design.entities[entry.name] = entry
    return design


def as_list(value) -> list:
    return value if isinstance(value, list) else []


def source_ref(source: dict) -> str:
    """The name a source item reads from: a model name or `source.table`."""
    return source.get("model") or source.get("source") or ""


def required_source_columns(entity: ResolvedEntity, source: Source) -> list:
    """(column, path) pairs one source must provide for a resolved entity: keys, payload, dates."""
    kind = entity["kind"]
    if kind not in STAGED_KINDS:
        return []
    where = ("sources", source["index"])
    columns = [(c["source_column"], tuple(c["path"]) or where) for c in source["key_columns"]]
    for key in ("dependent_keys", "reference_keys", "multi_active_keys", "payload"):
        columns += [(column, (key, index)) for index, column in enumerate(entity.get(key) or [])]
    # An auto end-dated eff_sat computes its start and end dates; the source sends neither.
    dates = ("effective_from",) if entity.get("end_dating") == "auto" else ("effective_from", "start_date", "end_date")
    for key in dates:
        if entity.get(key):
            columns.append((entity[key], (key,)))
    if not source["declared_stage"]:
        if source["load_datetime_kind"] == "column":
            columns.append((source["load_datetime"], where))
        if source["record_source_kind"] == "column":
            columns.append((source["record_source"], where))
    return columns
