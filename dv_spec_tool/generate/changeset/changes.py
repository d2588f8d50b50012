"""A change set's records: one change of one entity, and an entity in both designs."""

from __future__ import annotations

from dataclasses import dataclass, field

# Migration phases, in the order a migration runs them.
PHASES = ("agree", "prepare", "code", "load", "rebuild", "verify")
KEY_ASPECTS = ("business_keys", "hash_key", "link_hubs", "dependent_keys", "parent", "hash_algorithm", "source_key_mapping")


@dataclass
class Change:
    """One key-level change of one entity, what it implies, and how to migrate."""

    rule: str
    aspect: str
    text: str
    before: object = None
    after: object = None
    implications: list = field(default_factory=list)
    migration: list = field(default_factory=list)  # (phase, text)
    criteria: list = field(default_factory=list)  # change acceptance criteria (text), verified by review
    questions: list = field(default_factory=list)
    rekeys_downstream: bool = False


@dataclass
class Pair:
    """One entity in both designs: resolved entities and specs (None where absent)."""

    name: str
    base: dict | None
    head: dict | None
    base_spec: dict | None
    head_spec: dict | None
    base_design: dict
    head_design: dict

    @property
    def kind(self) -> str:
        return (self.head or self.base)["kind"]


def as_code(values) -> str:
    """`a`, `b` for a list (nothing for an empty one), `a` for one value: names as Markdown code."""
    if isinstance(values, (list, tuple)):
        return ", ".join(f"`{v}`" for v in values) if values else "nothing"
    return f"`{values}`"
