"""Validation rules, one module per topic, each registering its rules with `rule.rule`."""

from __future__ import annotations

from dv_spec_tool.core.registry import VALIDATION_RULES
from dv_spec_tool.validate.rules import columns, files, loading, model, references, structure  # noqa: F401  (registers)


def all_rules() -> list:
    return VALIDATION_RULES.entries()
