"""The one registry: every rule, check criterion, review flag and change-set rule, by stable id.

Each family (validation rules DV…, `dv-spec check` criteria, review flags
RV…, change-set rules CS…) is a `Family`; its decorator registers one
function under an explicit id, documented by its docstring (first line the
summary, the rest the rationale). Ids are unique across all families and a
missing one-line doc is refused here, at import, so `dv-spec rules` and the
reports read one table that cannot disagree with the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from dv_spec_tool.core.findings import SEVERITIES

# Every registered item of every family, by id.
ENTRIES: dict = {}


@dataclass(frozen=True)
class Entry:
    """One registered function: id, name, family, severity (where the family has one) and what it is given."""

    id: str
    name: str
    family: str
    func: Callable
    severity: str = ""
    applies_to: str = ""  # where a family's functions take different arguments (change sets: pair, entity, settings)

    @property
    def summary(self) -> str:
        return summary_of(self.func)

    @property
    def rationale(self) -> str:
        doc = (self.func.__doc__ or "").strip().splitlines()
        return "\n".join(line.strip() for line in doc[1:]).strip()


def summary_of(func) -> str:
    lines = (func.__doc__ or "").strip().splitlines()
    return lines[0].strip() if lines else ""


class Family:
    """One family of registered functions: its decorator and its entries, sorted by id."""

    def __init__(self, name: str, title: str, severities: tuple = (), default_severity: str = ""):
        self.name = name
        self.title = title
        self.severities = severities
        self.default_severity = default_severity
        self.table: dict = {}  # id -> Entry, this family only

    def register(self, item_id: str, name: str = "", severity: str = "", applies_to: str = ""):
        """Decorator: register a function under `item_id`; a taken id, an unknown severity or a missing doc is refused."""
        severity = severity or self.default_severity
        if self.severities and severity not in self.severities:
            raise ValueError(f"unknown severity {severity!r} for {item_id}")

        def decorate(func):
            if item_id in ENTRIES:
                raise ValueError(f"{item_id} is registered twice ({ENTRIES[item_id].family} and {self.name})")
            entry = Entry(item_id, name or func.__name__, self.name, func, severity, applies_to)
            if not entry.summary:
                raise ValueError(f"{self.name} {item_id} needs a one-line doc")
            ENTRIES[item_id] = self.table[item_id] = entry
            return func

        return decorate

    def entries(self, applies_to: str = "") -> list:
        return [self.table[key] for key in sorted(self.table) if not applies_to or self.table[key].applies_to == applies_to]


def find(item_id: str):
    """The registered entry whose id is `item_id` (case-insensitive), or None."""
    wanted = item_id.lower()
    return next((entry for key, entry in ENTRIES.items() if key.lower() == wanted), None)


# The families, in the order `dv-spec rules` lists them.
VALIDATION_RULES = Family("validation rule", "Validation rules (dv-spec validate)", SEVERITIES, "error")
CHECK_CRITERIA = Family("check", "Checks (acceptance criteria verified by dv-spec check)", default_severity="error")
REVIEW_FLAGS = Family("review flag", "Review flags (dv-spec check; for a person, never failing the run)", default_severity="warning")
CHANGE_RULES = Family("change-set rule", "Change-set rules (dv-spec diff)")
FAMILIES = (VALIDATION_RULES, CHECK_CRITERIA, REVIEW_FLAGS, CHANGE_RULES)
