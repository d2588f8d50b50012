"""`dv-spec prompts`: starter prompts, reviewer prompts and assistants' instruction files."""

from . import add_project_options, load_design


def register(commands) -> None:
    parser = commands.add_parser(
        "prompts", help="write starter prompts for dbt Copilot / Copilot Chat / Claude, reviewer prompts, instruction files",
        description="Starter prompts per entity and subject area (select subject areas as subject_area:NAME); "
                    "--instructions writes .github/copilot-instructions.md, .github/instructions/data-vault.instructions.md, "
                    "AGENTS.md, CLAUDE.md and dbt-styleguide.md (those two merged into a person's file); --review ENTITY prints a reviewer prompt with the SQL and `dv-spec check` findings.")
    add_project_options(parser)
    parser.add_argument("--out", "-o", metavar="DIR",
                        help="write into this folder (required for more than one prompt; for --instructions default: the project)")
    parser.add_argument("--style", choices=("automate_dv", "plain_sql"), default="automate_dv",
                        help="implement with AutomateDV macros (default) or in plain SQL")
    parser.add_argument("--instructions", action="store_true",
                        help="write the instruction files assistants read on their own (beside a file a person wrote, unless --force)")
    parser.add_argument("--review", metavar="ENTITY", help="a reviewer prompt for one entity's implementation")
    parser.add_argument("--check-report", metavar="FILE.json", help="with --review: a `dv-spec check --format json` report")
    parser.add_argument("--run-results", metavar="FILE.json",
                        help="with --review: dbt's target/run_results.json, for the entity's failed `ac_` tests")
    parser.add_argument("--sql", metavar="FILE", help="with --review: the SQL to review (default: compiled SQL, else the model file)")
    parser.add_argument("--force", action="store_true", help="also overwrite files a person wrote or edited")
    parser.set_defaults(func=run)


def run(args) -> int:
    from ..errors import UsageError
    from ..prompts import instruction_documents, prompt_documents, review_document
    from ..spec import SpecBuilder, parse_selection
    from .spec import emit

    if (args.check_report or args.sql or args.run_results) and not args.review:
        raise UsageError("--check-report, --run-results and --sql go with --review ENTITY")
    if args.review and args.instructions:
        raise UsageError("--review and --instructions are separate runs; pass one of them")
    builder = SpecBuilder(load_design(args))
    if args.review:
        if args.select:
            raise UsageError("--review names its entity; leave out --select")
        return emit([review_document(builder, args.review, args.check_report, args.sql, args.run_results)], args.out, args.force, "prompt")
    if args.instructions:
        if args.select:
            raise UsageError("--instructions covers the whole design; leave out --select")
        from ..generated import write_documents
        from ..prompts import write_managed_block

        out = args.out or builder.design.project.root
        documents = instruction_documents(builder, out, args.style)
        outcomes = write_documents(out, [(d.path, d.text) for d in documents if d.kind != "managed_block"],
                                   force=args.force, beside=True)
        outcomes += [write_managed_block(out, d.path, d.text, args.force) for d in documents if d.kind == "managed_block"]
        for outcome in outcomes:
            print(f"{outcome.action}  {outcome.path}")
        return 0
    if args.select:
        entities, areas = parse_selection(args.select, builder)
        documents = prompt_documents(builder, entities, areas, args.style)
    else:
        documents = prompt_documents(builder, style=args.style)
    return emit(documents, args.out, args.force, "prompt")
