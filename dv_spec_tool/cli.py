"""The `dv-spec` command line: parses arguments, calls the core, prints, exits.

Exit codes: 0 clean, 1 findings of error severity, 2 usage or input errors.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import __version__
from .errors import UsageError


def _load(args):
    from .design import build_design
    from .project import load_manifest, load_project

    if getattr(args, "manifest", None):
        project = load_manifest(args.manifest, args.project_dir if args.project_dir_given else None)
    else:
        project = load_project(args.project_dir)
    return build_design(project)


def _select(design, names):
    if not names:
        return None
    wanted = set()
    for item in names:
        wanted.update(n for n in item.replace(",", " ").split() if n)
    unknown = sorted(n for n in wanted if n not in design.entities)
    if unknown:
        from .context import did_you_mean

        hint = did_you_mean(unknown[0], design.entities)
        raise UsageError(f"--select: no design entity named `{unknown[0]}`" + (f"; {hint}" if hint else ""))
    return wanted


def cmd_validate(args) -> int:
    from . import reporters
    from .rules import all_rules
    from .validate import exit_code, validate

    design = _load(args)
    selected = _select(design, args.select)
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
    _write(text, args.output)
    return exit_code(findings)


def cmd_scaffold(args) -> int:
    from . import scaffold

    design = _load(args)
    selected = _select(design, args.select)
    planned = scaffold.plan(design, selected)
    outcomes = scaffold.apply(design.project.root, planned, force=args.force, dry_run=args.dry_run)
    for outcome in outcomes:
        print(f"{outcome.action}  {outcome.path}")
    kept = [o for o in outcomes if o.action.startswith("kept")]
    counts = {}
    for outcome in outcomes:
        counts[outcome.action.split(" (")[0]] = counts.get(outcome.action.split(" (")[0], 0) + 1
    print(", ".join(f"{n} {a}" for a, n in sorted(counts.items())) or "nothing to scaffold")
    return 1 if kept else 0


def cmd_rules(args) -> int:
    from .rules import all_rules

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


def cmd_schema(args) -> int:
    from .structure import SCHEMA_DIR

    name = "dbt-schema-file.schema.json" if args.file else "dv.schema.json"
    path = os.path.join(SCHEMA_DIR, name)
    if args.path:
        print(path)
    else:
        with open(path, encoding="utf-8") as handle:
            sys.stdout.write(handle.read())
    return 0


def _write(text: str, output: str | None) -> None:
    if output:
        from .files import write_atomic

        write_atomic(output, text)
    else:
        sys.stdout.write(text)


def _project_options(parser):
    parser.add_argument("--project-dir", default=".", help="the dbt project (default: current directory)")
    parser.add_argument("--manifest", help="read the design from a dbt manifest.json instead of the YAML files")
    parser.add_argument("--select", "-s", action="append", metavar="NAMES",
                        help="only these entities (space- or comma-separated; repeatable)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dv-spec", description="Spec-driven Data Vault design for dbt and AutomateDV.")
    parser.add_argument("--version", action="version", version=f"dv-spec {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    validate = commands.add_parser("validate", help="check the design in config.meta.dv blocks")
    _project_options(validate)
    validate.add_argument("--format", "-f", choices=("text", "json", "junit", "sarif"), default="text")
    validate.add_argument("--output", "-o", help="write the report to this file instead of standard output")
    validate.set_defaults(func=cmd_validate)

    scaffold = commands.add_parser("scaffold", help="write AutomateDV models, stages and acceptance tests from the design")
    _project_options(scaffold)
    scaffold.add_argument("--dry-run", action="store_true", help="say what would be written, write nothing")
    scaffold.add_argument("--force", action="store_true", help="also overwrite generated files a person has edited")
    scaffold.set_defaults(func=cmd_scaffold)

    rules = commands.add_parser("rules", help="list the validation rules, or explain one")
    rules.add_argument("rule_id", nargs="?", help="a rule id such as DV101")
    rules.set_defaults(func=cmd_rules)

    schema = commands.add_parser("schema", help="print the JSON Schema of the dv block (for editors)")
    schema.add_argument("--file", action="store_true", help="the schema of a whole dbt schema YAML file instead")
    schema.add_argument("--path", action="store_true", help="print where the schema file is instead of its content")
    schema.set_defaults(func=cmd_schema)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    args.project_dir_given = any(a == "--project-dir" or a.startswith("--project-dir=") for a in argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"dv-spec: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dv-spec: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug of ours: one line, not a traceback
        if os.environ.get("DV_SPEC_DEBUG"):
            raise
        print(f"dv-spec: internal error: {type(exc).__name__}: {exc} (set DV_SPEC_DEBUG=1 for details; please report it)",
              file=sys.stderr)
        return 3
