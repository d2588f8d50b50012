"""`dv-spec new KIND NAME [...]`: one design entity from the command line, validated before it is written."""

from __future__ import annotations

import sys

from ..design import KINDS


def register(commands) -> None:
    parser = commands.add_parser("new", help="create one design entity from arguments (validated before writing)")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("name", help="the entity (model) name")
    parser.add_argument("--project-dir", default=".", help="the dbt project (default: current directory)")
    parser.add_argument("--into", metavar="PATH", help="schema file to add it to (default: beside the entity it "
                                                        "references, else models/<subject_area>/_<subject_area>__design.yml)")
    parser.add_argument("--dry-run", action="store_true", help="show the change as a diff; write nothing")
    add = parser.add_argument
    add("--description")
    add("--subject-area")
    add("--owner")
    add("--hash-key")
    add("--business-keys", metavar="A,B")
    add("--hubs", metavar="HUB[:ROLE[:FK]],...", help="a link's hubs in hash order")
    add("--dependent-keys", metavar="A,B")
    add("--parent")
    add("--hashdiff")
    add("--payload", metavar="A,B")
    add("--multi-active-keys", metavar="A,B")
    add("--effective-from")
    add("--driving-keys", metavar="A,B")
    add("--start-date")
    add("--end-date")
    add("--reference-keys", metavar="A,B")
    add("--hub", help="the hub of a pit or bridge")
    add("--satellites", metavar="A,B")
    add("--links", metavar="A,B")
    add("--effectivity-satellites", metavar="A,B")
    add("--as-of-dates", metavar="MODEL")
    add("--source", action="append", metavar="REF[=COL,COL]",
        help="a model, or a dbt source as source_name.table_name, optionally with its business-key columns; repeatable")
    add("--record-source", metavar="LITERAL", help="the record source of the (one) --source")
    add("--ghost-record", action="store_true")
    parser.set_defaults(func=run)


def run(args) -> int:
    from .. import design_writer, reporters
    from ..new_entity import build_block, check_new, plan_new, relative_into, split
    from ..project import load_project

    values = {key: getattr(args, key) for key in ("subject_area", "owner", "hash_key", "parent", "hashdiff",
                                                  "effective_from", "start_date", "end_date", "hub", "as_of_dates",
                                                  "record_source", "ghost_record")}
    for key in ("business_keys", "dependent_keys", "payload", "multi_active_keys", "driving_keys", "reference_keys",
                "satellites", "links", "effectivity_satellites", "hubs"):
        values[key] = split(getattr(args, key))
    values["sources"] = args.source
    dv = build_block(args.kind, values)
    project = load_project(args.project_dir)
    planned = plan_new(project, args.name, dv, args.description or "", relative_into(project, args.into))
    errors = check_new(args.project_dir, planned, args.name)
    if errors:
        sys.stdout.write(reporters.as_text(errors, 1))
        print(f"not written: `{args.name}` would not pass dv-spec validate")
        return 1
    if args.dry_run:
        sys.stdout.write(design_writer.diff(planned))
        return 0
    for path, action in design_writer.apply(project, planned):
        print(f"{action}  {path}")
    for name, path in planned.added:
        print(f"added  {name}  ({path})")
    return 0
