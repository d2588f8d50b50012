"""`dv-spec scaffold`: write AutomateDV models, stages and acceptance tests."""

from collections import Counter

from . import add_project_options, load_design, selected_names


def register(commands) -> None:
    parser = commands.add_parser("scaffold", help="write AutomateDV models, stages and acceptance tests from the design")
    add_project_options(parser)
    parser.add_argument("--dry-run", action="store_true", help="say what would be written, write nothing")
    parser.add_argument("--force", action="store_true", help="also overwrite generated files a person has edited")
    parser.set_defaults(func=run)


def run(args) -> int:
    from .. import scaffold

    design = load_design(args)
    planned = scaffold.plan(design, selected_names(design, args.select))
    outcomes = scaffold.apply(design.project.root, planned, force=args.force, dry_run=args.dry_run)
    for outcome in outcomes:
        print(f"{outcome.action}  {outcome.path}")
    counts = Counter(outcome.action.split(" (")[0] for outcome in outcomes)
    print(", ".join(f"{n} {a}" for a, n in sorted(counts.items())) or "nothing to scaffold")
    return 1 if any(o.action.startswith("kept") for o in outcomes) else 0
