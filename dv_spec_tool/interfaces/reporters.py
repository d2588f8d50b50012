"""Render findings as text, JSON, JUnit XML or SARIF."""

from __future__ import annotations

from collections import Counter
from xml.sax.saxutils import escape, quoteattr

from dv_spec_tool import __version__
from dv_spec_tool.core.report_formats import json_report, junit_document, sarif_document, sarif_location, sarif_rule

FORMATS = ("text", "json", "junit", "sarif")


def summary(findings, entity_count: int) -> str:
    counts = Counter(f.severity for f in findings)
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "info") if counts[s]]
    return f"{', '.join(parts) if parts else 'no findings'} in {entity_count} design entit{'y' if entity_count == 1 else 'ies'}"


def as_text(findings, entity_count: int) -> str:
    lines = []
    for f in findings:
        hint = f" (hint: {f.hint})" if f.hint else ""
        lines.append(f"{f.file}:{f.line}:{f.col}: {f.severity} {f.rule} {f.message}{hint}")
    lines.append(summary(findings, entity_count))
    return "\n".join(lines) + "\n"


def as_json(findings, entity_count: int) -> str:
    counts = Counter(f.severity for f in findings)
    return json_report({
        "tool": "dv-spec",
        "version": __version__,
        "entities": entity_count,
        "summary": {s: counts[s] for s in ("error", "warning", "info")},
        "findings": [f.as_dict() for f in findings],
    })


def as_junit(findings, entity_count: int, rules=(), entities=()) -> str:
    """One test case per entity; its error findings are failures, so CI test tabs show them."""
    by_entity = {}
    for f in findings:
        by_entity.setdefault(f.entity or f.file, []).append(f)
    cases = []
    for name in sorted(set(entities) | set(by_entity)):
        items = by_entity.get(name, [])
        body = []
        errors = [f for f in items if f.severity == "error"]
        if errors:
            text = "\n".join(f"{f.file}:{f.line}:{f.col}: {f.rule} {f.message}" for f in errors)
            body.append(f"      <failure message={quoteattr(errors[0].rule + ' ' + errors[0].message)}>{escape(text)}</failure>")
        others = [f for f in items if f.severity != "error"]
        if others:
            text = "\n".join(f"{f.file}:{f.line}:{f.col}: {f.severity} {f.rule} {f.message}" for f in others)
            body.append(f"      <system-out>{escape(text)}</system-out>")
        cases.append(("dv-spec.validate", name, "\n".join(body)))
    return junit_document("dv-spec validate", cases)


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def as_sarif(findings, entity_count: int, rules=()) -> str:
    """SARIF 2.1.0, the format code hosts read for pull-request annotations."""
    return sarif_document(
        "dv-spec",
        [sarif_rule(r.id, r.name, r.summary, _SARIF_LEVEL[r.severity]) for r in rules],
        [{"ruleId": f.rule,
          "level": _SARIF_LEVEL[f.severity],
          "message": {"text": f.message + (f" (hint: {f.hint})" if f.hint else "")},
          "locations": [sarif_location(f.file, f.line, f.col)]} for f in findings])
