"""What a rule is: one function with a stable id and a one-line doc, registered by `@rule`.

A rule is a generator over a `Context` yielding `Issue`s; the registry
(`registry.VALIDATION_RULES`, one family of the one registry) adds the
rule's id and severity. Ids are explicit strings, never derived from module
paths, so they stay stable when code moves.
"""

from __future__ import annotations

from typing import NamedTuple

from dv_spec_tool.core.registry import VALIDATION_RULES


class Issue(NamedTuple):
    file: str
    line: int
    col: int
    message: str
    hint: str = ""
    entity: str = ""


# @rule(id, name, severity="error"): register a rule function (Context) -> Iterator[Issue].
rule = VALIDATION_RULES.register
