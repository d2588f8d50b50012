"""`dv-spec rules`: list the validation rules, or explain one."""

from ..errors import UsageError


def register(commands) -> None:
    parser = commands.add_parser("rules", help="list the validation rules, or explain one")
    parser.add_argument("rule_id", nargs="?", help="a rule id such as DV101")
    parser.set_defaults(func=run)


def run(args) -> int:
    from ..rules import all_rules

    rules = all_rules()
    if args.rule_id:
        found = [r for r in rules if r.id == args.rule_id.upper()]
        if not found:
            raise UsageError(f"no rule {args.rule_id}; `dv-spec rules` lists them")
        rule = found[0]
        print(f"{rule.id} {rule.name} ({rule.severity})\n{rule.summary}")
        if rule.rationale:
            print(f"\n{rule.rationale}")
        return 0
    for rule in rules:
        print(f"{rule.id}  {rule.severity:<7}  {rule.name:<28}  {rule.summary}")
    return 0
