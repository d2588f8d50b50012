"""`dv-spec spec`: implementation specs per entity and per subject area."""

import sys

from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.interfaces.commands import add_project_options, load_design


def register(commands) -> None:
    parser = commands.add_parser(
        "spec", help="write implementation specs: one per entity and one per subject area",
        description="Implementation specs from the design: purpose, source-to-target mapping, hash-key SQL, "
                    "Snowflake DDL, dbt config, dependencies, acceptance criteria and open questions. "
                    "Select entities by name and subject areas as subject_area:NAME.")
    add_project_options(parser)
    parser.add_argument("--out", "-o", metavar="DIR",
                        help="write the specs into this folder (without it and --select: an index of what there is)")
    parser.add_argument("--format", "-f", choices=("markdown", "json"), default="markdown")
    parser.add_argument("--force", action="store_true", help="also overwrite spec files a person wrote or edited")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dv_spec_tool.generate.spec import SpecBuilder, parse_selection, spec_documents

    builder = SpecBuilder(load_design(args), partial=True)
    wanted = {n for item in args.select or [] for n in item.replace(",", " ").split()}
    broken = {name: why for name, why in builder.broken.items() if not wanted or name in wanted}
    for name, why in sorted(broken.items()):
        print(f"dv-spec: no spec for {name}: {why}", file=sys.stderr)
    selection = [n for item in args.select or [] for n in item.replace(",", " ").split() if n not in broken]
    if selection:
        entities, areas = parse_selection(selection, builder)
        documents = spec_documents(builder, entities, areas, args.format)
    elif args.select:
        documents = []  # every selected entity is broken (said above)
    elif not args.out and len(builder.entity_names) > 1:
        code = print_index(builder, "spec")
        return 1 if broken else code
    else:
        documents = spec_documents(builder, fmt=args.format)
    code = emit(documents, args.out, args.force, "spec") if documents or not broken else 0
    return 1 if broken else code


def print_index(builder, command: str) -> int:
    """Neither --select nor --out: what there is to print, and how (printing every document at once helps nobody)."""
    from dv_spec_tool.generate.spec import selection_index

    sys.stdout.write(selection_index(builder, command))
    return 0


def emit(documents, out, force, what) -> int:
    """Print one document, or write them all into --out; a person's file is kept (exit 1)."""
    from dv_spec_tool.core.generated import write_documents

    if not out:
        if len(documents) != 1:
            raise UsageError(f"{len(documents)} {what}s selected; pass --out DIR to write them, "
                             f"or --select one entity (or one subject_area:NAME) to print it")
        sys.stdout.write(documents[0].text)
        return 0
    outcomes = write_documents(out, [(d.path, d.text) for d in documents], force=force)
    for outcome in outcomes:
        print(f"{outcome.action}  {outcome.path}")
    return 1 if any(o.kept for o in outcomes) else 0
