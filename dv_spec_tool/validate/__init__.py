"""Run the rules over a design: the pure core of `dv-spec validate`."""

from __future__ import annotations

from dv_spec_tool.core.design import Design
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.findings import Finding, clip, sort_findings
from dv_spec_tool.validate.rule_context import Context
from dv_spec_tool.validate.rules import all_rules


def validate(design: Design, select=None) -> list:
    """Every finding of every rule, sorted; `select` limits them to some entities.

    The rules run once per design (a generator checks the design, then turns its warnings into open questions)."""
    if design._findings is None:
        ctx = Context(design)
        design._findings = sort_findings([
            Finding(issue.file, issue.line, issue.col, rule.id, rule.severity, clip(issue.message), clip(issue.hint), issue.entity)
            for rule in all_rules() for issue in rule.func(ctx)])
    return [f for f in design._findings if not select or f.entity in select]


def require_valid(design: Design) -> None:
    """Generators work from a sound design: any error-severity finding ends the command (exit 2) naming the first."""
    errors = [f for f in validate(design) if f.severity == "error"]
    if errors:
        first = errors[0]
        raise UsageError(f"the design has {len(errors)} error(s); fix them first (dv-spec validate). "
                         f"First: {first.file}:{first.line}:{first.col}: {first.rule} {first.message}")


def sound_entities(design: Design) -> tuple[list, dict]:
    """(names of the entities generators and checks can work from, {entity: why not}).

    An entity is left out when it has an error finding, or when it refers to
    (a parent, hub, link, satellite, stage or as-of table) an entity left out,
    so that one bad entity no longer stops the command for all the others.
    Errors that belong to no entity (project settings) still end the command,
    as `require_valid` does.
    """
    errors = [f for f in validate(design) if f.severity == "error"]
    general = [f for f in errors if not f.entity or f.entity not in design.entities]
    if general:
        first = general[0]
        raise UsageError(f"the design has {len(errors)} error(s); fix them first (dv-spec validate). "
                         f"First: {first.file}:{first.line}:{first.col}: {first.rule} {first.message}")
    broken = {}
    for finding in errors:
        broken.setdefault(finding.entity, f"its design has an error: {finding.file}:{finding.line}:{finding.col}: "
                                          f"{finding.rule} {finding.message}")
    changed = True
    while changed:
        changed = False
        for name, entry in sorted(design.entities.items()):
            if name in broken:
                continue
            bad = [ref for ref in _references(entry.dv) if ref in broken]
            if bad:
                broken[name] = f"it refers to `{bad[0]}`, which is left out ({broken[bad[0]]})"
                changed = True
    return sorted(n for n in design.entities if n not in broken), broken


def _references(dv) -> list:
    """The entity names a design block refers to."""
    if not isinstance(dv, dict):
        return []
    refs = [dv.get(key) for key in ("parent", "hub", "as_of_dates")]
    for key in ("satellites", "links", "effectivity_satellites", "hubs", "sources"):
        for item in dv.get(key) or [] if isinstance(dv.get(key), list) else []:
            refs.append(item.get("hub") or item.get("model") if isinstance(item, dict) else item)
    return [r for r in refs if isinstance(r, str)]


def exit_code(findings) -> int:
    """0 when clean (warnings allowed), 1 when an error-severity finding exists."""
    return 1 if any(f.severity == "error" for f in findings) else 0
