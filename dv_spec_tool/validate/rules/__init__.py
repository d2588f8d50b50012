"""The rules of `dv-spec validate`, one module per topic, each registering its rules with `rule.rule`."""

from __future__ import annotations

from dv_spec_tool.validate.rules import columns, files, loading, model, references, structure  # noqa: F401  (registers)
from dv_spec_tool.validate.rules.rule import RULES


def all_rules() -> list:
    return [RULES[key] for key in sorted(RULES)]
