"""Change sets: what a refactoring of the design means for the vault.

`dv-spec diff --base REF` reads the design at a git ref (`base`) and the
design in the working tree, resolves both, and compares them entity by
entity, key by key (`compose`). Each comparison is one small function with a
stable id (CS…) in the one registry (`rules` for the key-level ones,
`entity_rules` for entities added, removed, re-kinded or split and for the
settings), returning the changes it sees (`changes`), each with what it
implies for data already loaded and the migration steps it needs.
"""

from dv_spec_tool.generate.changeset.base import design_at
from dv_spec_tool.generate.changeset.changes import PHASES, Change, Pair
from dv_spec_tool.generate.changeset.compose import change_set, change_set_between, compare

__all__ = ["PHASES", "Change", "Pair", "change_set", "change_set_between", "compare", "design_at"]
