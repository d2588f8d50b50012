"""Render a CheckReport as text, JSON, Markdown (a pull-request comment),
JUnit XML (CI test tabs) or SARIF (pull-request annotations).

Locations: `files` maps a model to its compiled SQL file (the line numbers
are the compiled SQL's); `originals` maps it to the model's own file, which
SARIF annotates (the line is kept only when that file has no Jinja, so its
lines are the compiled ones).
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from dv_spec_tool import __version__
from dv_spec_tool.check.criteria import all_checks
from dv_spec_tool.check.flags import all_flags
from dv_spec_tool.check.results import CheckReport
from dv_spec_tool.core.report_formats import json_report, junit_document, sarif_document, sarif_location, sarif_rule

FORMATS = ("text", "json", "markdown", "junit", "sarif")


def _where(model: str, line: int, files: dict) -> str:
    path = files.get(model) or f"{model}.sql"
    return f"{path}:{line}" if line else path


def summary(report: CheckReport) -> str:
    counts = [f"{report.count('pass')} passed", f"{report.count('fail')} failed",
              f"{report.count('not_verified')} not verified"]
    flags = len(report.flags)
    entities = len(report.entities)
    text = (f"{', '.join(counts)}; {flags} item{'s' if flags != 1 else ''} for review "
            f"in {entities} design entit{'y' if entities == 1 else 'ies'}")
    if report.without_sql:
        text += f" ({len(report.without_sql)} without compiled SQL: {', '.join(report.without_sql)})"
    return text


def as_text(report: CheckReport, files: dict | None = None) -> str:
    files = files or {}
    lines = []
    for outcome in report.outcomes:
        if outcome.status == "pass":
            continue
        for problem in outcome.problems or ():
            where = _where(problem.model, problem.line, files)
            lines.append(f"{where}: {outcome.status.replace('_', ' ')} {outcome.criterion} {outcome.check}: {problem.message}")
    for flag in report.flags:
        lines.append(f"{_where(flag.model, flag.line, files)}: review {flag.rule} {flag.name}: {flag.message}"
                     + (f" [{', '.join(flag.criteria)}]" if flag.criteria else ""))
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def as_json(report: CheckReport, files: dict | None = None) -> str:
    files = files or {}
    return json_report({
        "tool": "dv-spec check",
        "version": __version__,
        "dialect": report.dialect,
        "summary": {"pass": report.count("pass"), "fail": report.count("fail"), "not_verified": report.count("not_verified"),
                    "review": len(report.flags), "entities": len(report.entities)},
        "entities_without_sql": report.without_sql,
        "outcomes": [dict(o.as_dict(), problems=[dict(model=p.model, line=p.line, message=p.message,
                                                      file=files.get(p.model, "")) for p in o.problems])
                     for o in report.outcomes],
        "review": [dict(f.as_dict(), file=files.get(f.model, "")) for f in report.flags],
    })


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def as_markdown(report: CheckReport, files: dict | None = None) -> str:
    """A pull-request comment: what failed, what needs a person, then what passed (folded)."""
    files = files or {}
    verdict = "❌" if report.failed else ("👀" if report.flags or report.not_verified else "✅")
    out = [f"### {verdict} dv-spec check", "", summary(report), ""]
    failed = [o for o in report.outcomes if o.status == "fail"]
    if failed:
        out += ["#### Failed", "", "| criterion | check | where | why |", "| --- | --- | --- | --- |"]
        for outcome in failed:
            for problem in outcome.problems:
                out.append(f"| {outcome.criterion} | {outcome.check} | `{_cell(_where(problem.model, problem.line, files))}` "
                           f"| {_cell(problem.message)} |")
        out.append("")
    if report.flags:
        out += ["#### For review", "", "| flag | where | criteria | why a person should look |", "| --- | --- | --- | --- |"]
        for flag in report.flags:
            out.append(f"| {flag.rule} {flag.name} | `{_cell(_where(flag.model, flag.line, files))}` | "
                       f"{_cell(', '.join(flag.criteria))} | {_cell(flag.message)} |")
        out.append("")
    unverified = [o for o in report.outcomes if o.status == "not_verified"]
    if unverified:
        out += [f"#### Not verified ({len(unverified)})", ""]
        out += [f"- {o.criterion} {o.check}: {_cell(o.problems[0].message) if o.problems else ''}" for o in unverified]
        out.append("")
    passed = [o for o in report.outcomes if o.status == "pass"]
    if passed:
        out += [f"<details><summary>Passed ({len(passed)})</summary>", ""]
        out += [f"- {o.criterion} {o.check}: {_cell(o.text)}" for o in passed]
        out += ["", "</details>", ""]
    return "\n".join(out)


def as_junit(report: CheckReport, files: dict | None = None) -> str:
    """One test case per checked criterion (failures as failures, not verified as skipped), and one
    per entity with review flags, skipped with the flags as its message: visible, not failing."""
    files = files or {}
    cases = []
    for outcome in report.outcomes:
        body = ""
        if outcome.status == "fail":
            text = "\n".join(f"{_where(p.model, p.line, files)}: {p.message}" for p in outcome.problems)
            body = f"      <failure message={quoteattr(outcome.problems[0].message)}>{escape(text)}</failure>"
        elif outcome.status == "not_verified":
            message = outcome.problems[0].message if outcome.problems else "not verified"
            body = f"      <skipped message={quoteattr('not verified: ' + message)}/>"
        cases.append((f"dv-spec.check.{outcome.entity}", f"{outcome.criterion} {outcome.check}", body))
    by_entity = {}
    for flag in report.flags:
        criteria = flag.criteria if len(flag.criteria) == len(flag.entities) else ("",) * len(flag.entities)
        for entity, criterion in zip(flag.entities, criteria):
            by_entity.setdefault((entity, criterion), []).append(flag)
    for (entity, criterion), flags in sorted(by_entity.items()):
        text = "\n".join(f"{_where(f.model, f.line, files)}: {f.rule} {f.name}: {f.message}" for f in flags)
        cases.append((f"dv-spec.check.{entity}", f"{criterion or entity} review",
                      f"      <skipped message={quoteattr(f'{len(flags)} item(s) for review')}/>\n"
                      f"      <system-out>{escape(text)}</system-out>"))
    return junit_document("dv-spec check", cases)


def as_sarif(report: CheckReport, files: dict | None = None, originals: dict | None = None,
             raw_is_compiled: dict | None = None) -> str:
    """SARIF 2.1.0: failures as errors, not-verified criteria and review flags as warnings, on the model's own file."""
    files, originals, raw_is_compiled = files or {}, originals or {}, raw_is_compiled or {}
    rules = [sarif_rule(item.id, item.name, item.summary, item.severity, item.rationale) for item in all_checks() + all_flags()]

    def location(model: str, line: int) -> dict:
        original = originals.get(model)
        compiled = files.get(model) or f"{model}.sql"
        uri = original or compiled
        exact = not original or raw_is_compiled.get(model, False)
        return sarif_location(uri, max(line, 1) if exact else 1)

    def compiled_at(model: str, line: int) -> str:
        return f" (compiled SQL: {_where(model, line, files)})"

    results = []
    for outcome in report.outcomes:
        if outcome.status == "pass":
            continue
        for problem in outcome.problems:
            results.append({"ruleId": outcome.check, "level": "error" if outcome.status == "fail" else "warning",
                            "message": {"text": f"{outcome.criterion}: {problem.message}{compiled_at(problem.model, problem.line)}"},
                            "locations": [location(problem.model, problem.line)],
                            "properties": {"acceptanceCriterion": outcome.criterion, "entity": outcome.entity}})
    for flag in report.flags:
        results.append({"ruleId": flag.rule, "level": "warning",
                        "message": {"text": f"{flag.message}{compiled_at(flag.model, flag.line)}"},
                        "locations": [location(flag.model, flag.line)],
                        "properties": {"acceptanceCriteria": list(flag.criteria), "entities": list(flag.entities)}})
    return sarif_document("dv-spec check", rules, results)
