"""Render findings as text, JSON, JUnit XML or SARIF."""

from __future__ import annotations

import json
from collections import Counter
from xml.sax.saxutils import escape, quoteattr

from . import __version__

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
    payload = {
        "tool": "dv-spec",
        "version": __version__,
        "entities": entity_count,
        "summary": {s: counts[s] for s in ("error", "warning", "info")},
        "findings": [f.as_dict() for f in findings],
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def as_junit(findings, entity_count: int, rules=(), entities=()) -> str:
    """One test case per entity; its error findings are failures, so CI test tabs show them."""
    by_entity = {}
    for f in findings:
        by_entity.setdefault(f.entity or f.file, []).append(f)
    names = sorted(set(entities) | set(by_entity))
    failures = sum(1 for n in names if any(f.severity == "error" for f in by_entity.get(n, [])))
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="dv-spec validate" tests="{len(names)}" failures="{failures}">',
           f'  <testsuite name="dv-spec validate" tests="{len(names)}" failures="{failures}">']
    for name in names:
        items = by_entity.get(name, [])
        errors = [f for f in items if f.severity == "error"]
        out.append(f"    <testcase classname=\"dv-spec.validate\" name={quoteattr(name)}>")
        if errors:
            text = "\n".join(f"{f.file}:{f.line}:{f.col}: {f.rule} {f.message}" for f in errors)
            out.append(f"      <failure message={quoteattr(errors[0].rule + ' ' + errors[0].message)}>{escape(text)}</failure>")
        others = [f for f in items if f.severity != "error"]
        if others:
            text = "\n".join(f"{f.file}:{f.line}:{f.col}: {f.severity} {f.rule} {f.message}" for f in others)
            out.append(f"      <system-out>{escape(text)}</system-out>")
        out.append("    </testcase>")
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def as_sarif(findings, entity_count: int, rules=()) -> str:
    """SARIF 2.1.0, the format code hosts read for pull-request annotations."""
    run = {
        "tool": {"driver": {
            "name": "dv-spec",
            "version": __version__,
            "rules": [{"id": r.id, "name": r.name, "shortDescription": {"text": r.summary},
                       "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]}} for r in rules],
        }},
        "results": [{
            "ruleId": f.rule,
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message + (f" (hint: {f.hint})" if f.hint else "")},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": f.file},
                "region": {"startLine": f.line, "startColumn": f.col},
            }}],
        } for f in findings],
    }
    payload = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return json.dumps(payload, indent=2) + "\n"
