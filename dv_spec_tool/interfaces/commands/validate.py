"""`dv-spec validate`: check the design in config.meta.dv blocks."""

from dv_spec_tool.interfaces.commands import add_project_options, load_design, selected_names, write_output


def register(commands) -> None:
    parser = commands.add_parser("validate", help="check the design in config.meta.dv blocks")
    add_project_options(parser)
    parser.add_argument("--format", "-f", choices=("text", "json", "junit", "sarif"), default="text")
    parser.add_argument("--output", "-o", help="write the report to this file instead of standard output")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dv_spec_tool.interfaces import reporters
    from dv_spec_tool.validate import exit_code, validate
    from dv_spec_tool.validate.rules import all_rules

    design = load_design(args)
    selected = selected_names(design, args.select)
    findings = validate(design, selected)
    entities = sorted(selected or design.entities)
    if args.format == "text":
        text = reporters.as_text(findings, len(entities))
    elif args.format == "json":
        text = reporters.as_json(findings, len(entities))
    elif args.format == "junit":
        text = reporters.as_junit(findings, len(entities), entities=entities)
    else:
        text = reporters.as_sarif(findings, len(entities), all_rules())
    write_output(text, args.output)
    return exit_code(findings)
