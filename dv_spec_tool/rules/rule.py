"""What a rule is: one function with a stable id and a one-line doc, registered by `@rule`.

A rule is a generator over a `Context` yielding `Issue`s; the registry adds the
rule's id and severity. Ids are explicit strings, never derived from module
paths, so they stay stable when code moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

from ..findings import SEVERITIES
from ..registry import Documented, add


class Issue(NamedTuple):
    file: str
    line: int
    col: int
    message: str
    hint: str = ""
    entity: str = ""


@dataclass(frozen=True)
class Rule(Documented):
    id: str
    name: str
    severity: str
    func: Callable  # (Context) -> Iterator[Issue]


RULES: dict = {}


def rule(rule_id: str, name: str, severity: str = "error"):
    """Register a rule function under a stable id; duplicate ids are refused."""
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r} for {rule_id}")

    def register(func):
        add(RULES, rule_id, Rule(rule_id, name, severity, func), "rule")
        return func

    return register

