"""The pure core of `dv-spec check`: (resolved design, acceptance criteria,
{model: compiled SQL}, {model: depends_on}) -> CheckReport. No files, no dbt."""

from __future__ import annotations

from dv_spec_tool.check.context import Context
from dv_spec_tool.check.criteria import CHECKS, NotVerified
from dv_spec_tool.check.flags import all_flags, review_targets
from dv_spec_tool.check.results import CheckReport, Flag, Outcome, Problem
from dv_spec_tool.core.kinds import CHECKED_KINDS
from dv_spec_tool.core.resolved_design import ResolvedDesign, ResolvedEntity



def evaluate(resolved: ResolvedDesign, criteria: dict, sql: dict, depends_on: dict | None = None, *, dialect: str = "snowflake",
             columns: dict | None = None, relations: dict | None = None, select=None, raw: dict | None = None) -> CheckReport:
    """Check each selected entity's compiled SQL against its design.

    resolved: `Design.resolve()`; criteria: {entity: acceptance_criteria(entity)}
    (the macro's list); sql: {model: compiled SQL}; depends_on: {model: [node
    names]} (`src.table` for dbt sources); columns: {node: [columns]} where
    known (seeds, sources); relations: {relation identifier: node} when a
    node's table is not named like the node; select: entity names (default all);
    raw: {model: its code as written} (a design expression holding Jinja is held to it).
    """
    ctx = Context(resolved, criteria, sql, depends_on, dialect, columns, relations, raw)
    names = sorted(select) if select is not None else sorted(resolved["entities"])
    names = [n for n in names if resolved["entities"][n]["kind"] in CHECKED_KINDS]
    report = CheckReport(entities=names, dialect=dialect)
    for name in names:
        entity = resolved["entities"][name]
        if name.lower() not in ctx.sql:
            report.without_sql.append(name)
        for criterion in criteria.get(name, []):
            if criterion["verified_by"] != "dv-spec check":
                continue
            report.outcomes.append(_outcome(ctx, entity, criterion))
    report.flags = _flags(ctx, names)
    return report


def _outcome(ctx: Context, entity: ResolvedEntity, criterion: dict) -> Outcome:
    check = CHECKS.get(criterion["check"])
    base = dict(criterion=criterion["id"], entity=entity["name"], check=criterion["check"], text=criterion["text"])
    if check is None:
        return Outcome(status="not_verified", problems=(Problem(entity["name"], 0, f"this dv-spec version has no check `{criterion['check']}`"),), **base)
    try:
        problems = check.func(ctx, entity)
    except NotVerified as why:
        return Outcome(status="not_verified", problems=(Problem(entity["name"], 0, str(why)),), **base)
    return Outcome(status="fail" if problems else "pass", problems=tuple(problems), **base)


def _flags(ctx: Context, names: list) -> list:
    targets = review_targets(ctx, names)
    found = {}
    for rule in all_flags():
        for model, line, message in rule.func(ctx, targets):
            key = (model, line, rule.id, message)
            found.setdefault(key, set()).update(targets.get(model, ()))
    flags = []
    for (model, line, rule_id, message), entities in found.items():
        entities = tuple(sorted(entities))
        rule = next(r for r in all_flags() if r.id == rule_id)
        flags.append(Flag(model, line, rule_id, rule.name, message, entities, ctx.review_criteria(entities)))
    return sorted(flags)
