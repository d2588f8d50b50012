"""`dv-spec check`: evaluate the compiled SQL against the design, and flag what a person must review."""

import os

from ..errors import UsageError
from . import add_project_options, load_design, selected_names, write_output

FORMATS = ("text", "json", "markdown", "junit", "sarif")


def register(commands) -> None:
    parser = commands.add_parser(
        "check", help="evaluate the compiled SQL (target/compiled) against the design; flag what a person must review")
    add_project_options(parser)
    parser.add_argument("--dialect", help="SQL dialect of the compiled SQL (default: from the manifest's adapter_type)")
    parser.add_argument("--format", "-f", choices=FORMATS, default="text")
    parser.add_argument("--output", "-o", help="write the report to this file instead of standard output")
    parser.add_argument("--list", action="store_true", help="list the checks and review flags, then exit")
    parser.set_defaults(func=run)


def run(args) -> int:
    if args.list:
        return _list()
    from ..check import check_design
    from ..check import report as reports
    from ..check.compiled import check_dialect, dialect_for, read_manifest

    design = load_design(args)
    selected = selected_names(design, args.select)
    _refuse_invalid(design)
    root = design.project.root
    manifest = args.manifest or os.path.join(root, "target", "manifest.json")
    compiled = read_manifest(manifest, root)
    if not compiled.sql:
        raise UsageError(f"{manifest}: no compiled SQL for any of its {compiled.models} models; run `dbt compile` first")
    dialect = check_dialect(args.dialect) if args.dialect else dialect_for(compiled.adapter or "snowflake")
    report = check_design(design, compiled.sql, compiled.depends_on, dialect=dialect, select=selected,
                          relations=compiled.relations)
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
    return 1 if report.failed else 0


def _refuse_invalid(design) -> None:
    from ..validate import validate

    errors = [f for f in validate(design) if f.severity == "error"]
    if errors:
        first = errors[0]
        raise UsageError(f"the design has {len(errors)} error(s); fix them first (dv-spec validate). "
                         f"First: {first.file}:{first.line}:{first.col}: {first.rule} {first.message}")


def _list() -> int:
    from ..check.criteria import all_checks
    from ..check.flags import all_flags

    print("Checks (acceptance criteria verified by dv-spec check; a failure exits 1):")
    for item in all_checks():
        print(f"  {item.name:<18}  {item.summary}")
    print("Review flags (for a person; never fail the run):")
    for item in all_flags():
        print(f"  {item.id} {item.name:<21}  {item.summary}")
    return 0
