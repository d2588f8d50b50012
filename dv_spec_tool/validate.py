"""Run the rules over a design: the pure core of `dv-spec validate`."""

from __future__ import annotations

from .context import Context
from .design import Design
from .findings import Finding, clip, sort_findings
from .rules import all_rules


def validate(design: Design, select=None) -> list:
    """Every finding of every rule, sorted; `select` limits them to some entities."""
    ctx = Context(design)
    findings = []
    for rule in all_rules():
        for issue in rule.func(ctx):
            if select and issue.entity not in select:
                continue
            findings.append(Finding(issue.file, issue.line, issue.col, rule.id, rule.severity,
                                    clip(issue.message), clip(issue.hint), issue.entity))
    return sort_findings(findings)


def require_valid(design: Design) -> None:
    """Generators work from a sound design: any error-severity finding ends the command (exit 2) naming the first."""
    errors = [f for f in validate(design) if f.severity == "error"]
    if errors:
        from .errors import UsageError

        first = errors[0]
        raise UsageError(f"the design has {len(errors)} error(s); fix them first (dv-spec validate). "
                         f"First: {first.file}:{first.line}:{first.col}: {first.rule} {first.message}")


def exit_code(findings) -> int:
    """0 when clean (warnings allowed), 1 when an error-severity finding exists."""
    return 1 if any(f.severity == "error" for f in findings) else 0
