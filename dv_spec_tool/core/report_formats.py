"""The documents both `validate` and `check` write for CI: JSON, JUnit XML
(CI test tabs) and SARIF 2.1.0 (pull-request annotations). Each command maps
its own results to cases and results; the envelopes are written here only."""

from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

from dv_spec_tool import __version__

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def json_report(payload: dict) -> str:
    """A JSON report: indented, keys sorted, so reruns diff cleanly.

    >>> json_report({"b": 1, "a": []})
    '{\\n  "a": [],\\n  "b": 1\\n}\\n'
    """
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def junit_document(suite: str, cases) -> str:
    """A JUnit XML report of one suite; `cases` are (classname, name, body), the body the
    case's already escaped inner lines ("" for a passing case). Failures and skips are counted
    from the bodies.

    >>> print(junit_document("demo", [("c", "ok", ""), ("c", "bad", '      <failure message="x">x</failure>')]), end="")
    <?xml version="1.0" encoding="UTF-8"?>
    <testsuites name="demo" tests="2" failures="1" skipped="0">
      <testsuite name="demo" tests="2" failures="1" skipped="0">
        <testcase classname="c" name="ok"/>
        <testcase classname="c" name="bad">
          <failure message="x">x</failure>
        </testcase>
      </testsuite>
    </testsuites>
    """
    failures = sum(1 for _, _, body in cases if "<failure" in body)
    skipped = sum(1 for _, _, body in cases if "<skipped" in body)
    head = f"name={quoteattr(suite)} tests=\"{len(cases)}\" failures=\"{failures}\" skipped=\"{skipped}\""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f"<testsuites {head}>", f"  <testsuite {head}>"]
    for classname, name, body in cases:
        if body:
            out += [f"    <testcase classname={quoteattr(classname)} name={quoteattr(name)}>", body, "    </testcase>"]
        else:
            out.append(f"    <testcase classname={quoteattr(classname)} name={quoteattr(name)}/>")
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"


def sarif_rule(rule_id: str, name: str, summary: str, level: str, rationale: str | None = None) -> dict:
    """A SARIF reportingDescriptor; `rationale` (when given, even empty) becomes its fullDescription."""
    rule = {"id": rule_id, "name": name, "shortDescription": {"text": summary}}
    if rationale is not None:
        rule["fullDescription"] = {"text": rationale or summary}
    rule["defaultConfiguration"] = {"level": level}
    return rule


def sarif_location(uri: str, line: int, col: int | None = None) -> dict:
    region = {"startLine": line} if col is None else {"startLine": line, "startColumn": col}
    return {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}


def sarif_document(tool: str, rules: list, results: list) -> str:
    """A SARIF 2.1.0 log of one run of `tool` (dv-spec's version)."""
    run = {"tool": {"driver": {"name": tool, "version": __version__, "rules": rules}}, "results": results}
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
