"""What `dv-spec check` reports: one outcome per acceptance criterion it
verifies, and review flags for what a person should look at."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

STATUSES = ("fail", "not_verified", "pass")


@dataclass(frozen=True, order=True)
class Problem:
    """Why a criterion failed (or could not be checked), and where in the compiled SQL."""

    model: str
    line: int
    message: str


@dataclass(frozen=True)
class Outcome:
    """One acceptance criterion of one entity, as checked over the compiled SQL."""

    criterion: str  # AC-<entity>-NN, from the acceptance_criteria macro
    entity: str
    check: str  # declared_sources | output_columns | hash_key_lineage | metadata_lineage | hashdiff_lineage
    status: str  # pass | fail | not_verified (with the reason in problems)
    text: str  # the criterion as the spec states it
    problems: tuple = ()  # Problem: why it failed, or why it could not be verified

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, order=True)
class Flag:
    """Something in the compiled SQL a person should review (not a failure)."""

    model: str
    line: int
    rule: str  # RV01 ...
    name: str
    message: str
    entities: tuple = ()
    criteria: tuple = ()  # the entities' review criteria (AC-<entity>-21)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class CheckReport:
    outcomes: list = field(default_factory=list)  # Outcome, by entity then criterion
    flags: list = field(default_factory=list)  # Flag, by model and line
    entities: list = field(default_factory=list)  # the entities checked
    without_sql: list = field(default_factory=list)  # entities with no compiled SQL
    dialect: str = ""

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> bool:
        return any(o.status == "fail" for o in self.outcomes)

    @property
    def not_verified(self) -> bool:
        return any(o.status == "not_verified" for o in self.outcomes)
