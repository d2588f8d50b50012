"""Findings: what a rule reports, with where, why and how to fix it."""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass

SEVERITIES = ("error", "warning", "info")
MAX_TEXT = 500  # characters of a message or hint; a value pasted into a design can be megabytes long


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


def clip(text: str) -> str:
    """`text`, or its start and how much was left out when it is longer than MAX_TEXT.

    >>> clip("x" * 600).endswith("x… (360 more characters)")
    True
    """
    if len(text) <= MAX_TEXT:
        return text
    keep = MAX_TEXT - 260
    return f"{text[:keep]}… ({len(text) - keep:,} more characters)"


def sort_findings(findings) -> list:
    """Stable order: by file, position, rule and message."""
    return sorted(set(findings))


def did_you_mean(word, choices) -> str:
    """A fix hint naming the closest choice, or ''."""
    if not isinstance(word, str) or len(word) > 255:  # longer than any identifier; difflib is slow on megabytes
        return ""
    matches = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f"did you mean `{matches[0]}`?" if matches else ""
