"""The rules of `dv-spec validate`, one module per topic, each registering its rules with `rule.rule`."""

from __future__ import annotations

from . import columns, files, loading, model, references, structure  # noqa: F401  (registers)
from .rule import RULES


def all_rules() -> list:
    return [RULES[key] for key in sorted(RULES)]
