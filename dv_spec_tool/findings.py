"""Findings: what a rule reports, with where, why and how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    col: int
    rule: str
    severity: str
    message: str
    hint: str = ""
    entity: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def sort_findings(findings) -> list:
    """Stable order: by file, position, rule and message."""
    return sorted(set(findings))
