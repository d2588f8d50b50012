"""`dv-spec rules`: list everything the one registry holds (validation rules, check criteria,
review flags, change-set rules), or explain one."""

from dv_spec_tool.core.errors import UsageError


def register(commands) -> None:
    parser = commands.add_parser("rules", help="list the validation rules, check criteria, review flags and change-set rules, or explain one")
    parser.add_argument("rule_id", nargs="?", help="an id such as DV101, hash_key_lineage, RV01 or CS101")
    parser.set_defaults(func=run)


def registered_families() -> tuple:
    """The registry's families, each module that registers into one imported."""
    from dv_spec_tool.generate import changeset  # noqa: F401  (registers the change-set rules)
    from dv_spec_tool.check import criteria, flags  # noqa: F401  (register the checks and review flags)
    from dv_spec_tool.core.registry import FAMILIES
    from dv_spec_tool.validate.rules import all_rules

    all_rules()  # imports the validation rules' modules
    return FAMILIES


def run(args) -> int:
    from dv_spec_tool.core.registry import VALIDATION_RULES, find

    families = registered_families()
    if args.rule_id:
        entry = find(args.rule_id)
        if entry is None:
            raise UsageError(f"no rule {args.rule_id}; `dv-spec rules` lists them")
        # A validation rule says only its severity; anything else its family too.
        label = entry.severity if entry.family == VALIDATION_RULES.name else ", ".join(filter(None, (entry.family, entry.severity)))
        print(f"{_title(entry)} ({label})\n{entry.summary}")
        if entry.rationale:
            print(f"\n{entry.rationale}")
        return 0
    for index, family in enumerate(families):
        entries = family.entries()
        width = max(len(entry.id) for entry in entries)
        print(("\n" if index else "") + f"{family.title}:")
        for entry in entries:
            print(_line(entry, width))
    return 0


def _title(entry) -> str:
    return entry.id if entry.name == entry.id else f"{entry.id} {entry.name}"


def _line(entry, width: int) -> str:
    """id, severity (where the family has one), name (where it is not the id), summary."""
    cells = [f"{entry.id:<{width}}"]
    if entry.severity:
        cells.append(f"{entry.severity:<7}")
    if entry.name != entry.id:
        cells.append(f"{entry.name:<28}")
    return "  ".join(cells + [entry.summary])
