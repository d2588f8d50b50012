"""`dv-spec scaffold`: write AutomateDV models, stages and acceptance tests.

Exit codes: 0 when done (files a person edited are kept, and said so); with
`--check`, 1 when anything would be created or updated or is kept, which is
what CI and pre-commit hooks ask; 2 for usage errors.
"""

from collections import Counter

from dv_spec_tool.interfaces.commands import add_project_options, load_design, selected_names


def register(commands) -> None:
    parser = commands.add_parser("scaffold", help="write AutomateDV models, stages and acceptance tests from the design")
    add_project_options(parser)
    parser.add_argument("--dry-run", action="store_true", help="say what would be written, write nothing")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; say which files differ from the design and why, and exit 1 if any does "
                             "(for CI and pre-commit)")
    parser.add_argument("--force", action="store_true", help="also overwrite generated files a person has edited")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dv_spec_tool.generate import scaffold

    design = load_design(args)
    planned = scaffold.plan(design, selected_names(design, args.select))
    outcomes = scaffold.apply(design.project.root, planned, force=args.force, dry_run=args.dry_run or args.check)
    for outcome in outcomes:
        if not args.check:
            print(f"{outcome.action}  {outcome.path}")
        elif outcome.differs:
            print(f"{outcome.action}  {outcome.path}: {outcome.why}")
    counts = Counter(outcome.action.split(" (")[0] for outcome in outcomes)
    summary = ", ".join(f"{n} {a}" for a, n in sorted(counts.items())) or "nothing to scaffold"
    kept = counts["kept"]
    if args.check:
        differ = sum(o.differs for o in outcomes)
        print(f"{differ} of {len(outcomes)} files differ from the design ({summary}); nothing was written"
              if differ else f"all {len(outcomes)} files match the design")
        return 1 if differ else 0
    print(summary)
    if kept:
        print(f"{kept} file(s) a person edited were kept as they are; `dv-spec scaffold --check` lists them, "
              "--force overwrites them")
    return 0
