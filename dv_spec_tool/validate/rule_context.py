"""What rules read: the design plus shared, computed-once facts about it."""

from __future__ import annotations

from functools import cached_property

from dv_spec_tool.core.design import Design
from dv_spec_tool.core.dv_schema import schema_errors
from dv_spec_tool.core.project import EntityEntry
from dv_spec_tool.core.resolved_design import HubRef, ResolvedDesign, ResolvedEntity
from dv_spec_tool.validate.rules.rule import Issue


class Context:
    def __init__(self, design: Design):
        self.design = design
        self.project = design.project

    def at(self, entry: EntityEntry, path, message: str, hint: str = "") -> Issue:
        """An issue located at `path` inside the entity's dv block."""
        line, col = entry.position(tuple(path))
        return Issue(entry.file.path, line, col, message, hint, entry.name)

    @cached_property
    def schema_errors(self) -> dict:
        """Structural errors per entity name, from the JSON Schema (computed once)."""
        return {name: schema_errors(entry.dv) for name, entry in self.design.entities.items()}

    def sound_entities(self) -> list:
        """Entities whose block is structurally valid; semantic rules look only at these."""
        return [e for name, e in self.design.entities.items() if not self.schema_errors[name]]

    @cached_property
    def resolved(self) -> ResolvedDesign:
        """The sound entities resolved with the contract's defaults (macros/design/)."""
        return self.design.resolve([e.name for e in self.sound_entities()])

    def refs(self, link_name) -> list[HubRef]:
        """A sound link's resolved hub references, in hash order ([] otherwise)."""
        link = self.entity(link_name)
        return link.get("refs", []) if link else []

    def entity(self, name) -> ResolvedEntity | None:
        """A sound entity, resolved; None for unknown or broken ones."""
        return self.resolved["entities"].get(name) if isinstance(name, str) else None

