"""Registries filled by decorators: one function per id, documented by its docstring.

Validation rules, `dv-spec check` criteria and review flags all register this
way, so each refuses a duplicate id and a missing one-line doc in one place.
"""

from __future__ import annotations


class Documented:
    """Mixin for registered items with a `func`: its docstring's first line is the
    summary, the rest the rationale."""

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


def add(table: dict, key: str, item, what: str):
    """Put `item` under `key`; a taken key or an undocumented function is a programming error."""
    if key in table:
        raise ValueError(f"{what} {key} is registered twice")
    if not summary_of(item.func):
        raise ValueError(f"{what} {key} needs a one-line doc")
    table[key] = item
    return item
