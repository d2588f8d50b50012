"""`dv-spec prompts`: starter prompts, reviewer prompts and assistants' instruction files."""

from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.interfaces.commands import add_project_options, load_design
from dv_spec_tool.interfaces.commands.spec import emit, print_index


def register(commands) -> None:
    parser = commands.add_parser(
        "prompts", help="write starter prompts for dbt Copilot / Copilot Chat / Claude, reviewer prompts, instruction files",
        description="Starter prompts per entity and subject area (select subject areas as subject_area:NAME); "
                    "--instructions writes .github/copilot-instructions.md, .github/instructions/data-vault.instructions.md, "
                    "AGENTS.md, CLAUDE.md and dbt-styleguide.md (those two merged into a person's file); --review ENTITY "
                    "prints a reviewer prompt with the SQL, failed tests and `dv-spec check` findings; "
                    "--draft TEXT (or --draft-file FILE) prints a prompt asking an assistant to draft config.meta.dv "
                    "entries for a description, to check with `dv-spec new --from`.")
    add_project_options(parser)
    parser.add_argument("--out", "-o", metavar="DIR",
                        help="write into this folder (without it and --select: an index of what there is; "
                             "for --instructions default: the project)")
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
    parser.add_argument("--draft", metavar="DESCRIPTION",
                        help="a design-drafting prompt: the contract, conventions, design and sources, and this "
                             "description of what to design (with --select: only those entities' whole designs)")
    parser.add_argument("--draft-file", metavar="FILE", help="like --draft, with the description read from FILE (- for stdin)")
    parser.add_argument("--sources", action="append", metavar="PATTERNS",
                        help="with --draft: list only the sources matching these shell patterns (crm.*,raw_*; repeatable)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dv_spec_tool.generate.prompts import instruction_documents, prompt_documents, review_document
    from dv_spec_tool.generate.spec import SpecBuilder, parse_selection

    if args.draft is not None or args.draft_file is not None:
        return run_draft(args)
    if args.sources:
        raise UsageError("--sources goes with --draft")
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
        from dv_spec_tool.core.generated import write_documents
        from dv_spec_tool.generate.prompts import write_managed_block

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
    elif not args.out and len(builder.entity_names) > 1:
        return print_index(builder, "prompts")
    else:
        documents = prompt_documents(builder, style=args.style)
    return emit(documents, args.out, args.force, "prompt")


def run_draft(args) -> int:
    from dv_spec_tool.generate.drafting import design_prompt_document, read_description, selected_entities

    if args.draft is not None and args.draft_file is not None:
        raise UsageError("--draft and --draft-file both give the description; pass one")
    if args.review or args.instructions:
        raise UsageError("--draft is a prompt of its own; leave out --review and --instructions")
    description = read_description(args.draft, args.draft_file)
    if not description.strip():
        raise UsageError("--draft: describe what to design (the subject area, its business keys, what changes over time)")
    design = load_design(args)
    full = selected_entities(design, args.select)  # with --select, only these entities' whole blocks
    patterns = [p for item in args.sources or [] for p in item.replace(",", " ").split()] or None
    return emit([design_prompt_document(design, description, full, patterns)], args.out, args.force, "prompt")
