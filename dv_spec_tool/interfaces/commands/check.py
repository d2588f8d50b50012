"""`dv-spec check`: evaluate the compiled SQL against the design, and flag what a person must review."""

from dv_spec_tool.interfaces.commands import add_project_options, load_design, selected_names, write_output

FORMATS = ("text", "json", "markdown", "junit", "sarif")


def register(commands) -> None:
    parser = commands.add_parser(
        "check", help="evaluate the compiled SQL (target/compiled) against the design; flag what a person must review")
    add_project_options(parser)
    parser.add_argument("--dialect", help="SQL dialect of the compiled SQL (default: from the manifest's adapter_type)")
    parser.add_argument("--format", "-f", choices=FORMATS, default="text")
    parser.add_argument("--output", "-o", help="write the report to this file instead of standard output")
    parser.add_argument("--allow-not-verified", action="store_true",
                        help="exit 0 even when some criteria could not be verified (they are still listed and counted)")
    parser.add_argument("--list", action="store_true", help="list the checks and review flags, then exit")
    parser.set_defaults(func=run)


def run(args) -> int:
    if args.list:
        return _list()
    from dv_spec_tool.check import check_project, report as reports

    design = load_design(args)
    report, compiled = check_project(design, args.manifest, dialect=args.dialect,
                                     select=selected_names(design, args.select))
    files = compiled.files
    if args.format == "text":
        text = reports.as_text(report, files)
    elif args.format == "json":
        text = reports.as_json(report, files)
    elif args.format == "markdown":
        text = reports.as_markdown(report, files)
    elif args.format == "junit":
        text = reports.as_junit(report, files)
    else:
        text = reports.as_sarif(report, files, compiled.originals, compiled.raw_is_compiled)
    write_output(text, args.output)
    return 1 if report.failed or (report.not_verified and not args.allow_not_verified) else 0


def _list() -> int:
    from dv_spec_tool.check.criteria import all_checks
    from dv_spec_tool.check.flags import all_flags

    print("Checks (acceptance criteria verified by dv-spec check; a failure, or a criterion not verified "
          "without --allow-not-verified, exits 1):")
    for item in all_checks():
        print(f"  {item.name:<18}  {item.summary}")
    print("Review flags (for a person; never fail the run):")
    for item in all_flags():
        print(f"  {item.id} {item.name:<21}  {item.summary}")
    return 0
