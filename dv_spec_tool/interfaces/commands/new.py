"""`dv-spec new KIND NAME [...]`: one design entity from the command line;
`dv-spec new --from FILE|-`: every entry of a YAML or JSON list (what an assistant drafted).
Either way validated with the rest of the design before anything is written, all or nothing."""

from __future__ import annotations

import sys

from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.kinds import KINDS


def register(commands) -> None:
    parser = commands.add_parser(
        "new", help="create design entities from arguments or from a file of entries (validated before writing)",
        description="One entity from arguments (KIND NAME --...), or every entry of a YAML or JSON list of model "
                    "entries (--from FILE, or - for standard input): validated together with the existing design "
                    "and written all or nothing. Exit 1 when the design would not validate, 2 for unreadable input.")
    parser.add_argument("kind", nargs="?", choices=KINDS)
    parser.add_argument("name", nargs="?", help="the entity (model) name")
    parser.add_argument("--from", dest="from_file", metavar="FILE",
                        help="a YAML or JSON list of model entries with config.meta.dv (- reads standard input)")
    parser.add_argument("--replace", action="store_true",
                        help="with --from: entries naming an existing design entity change its design in place")
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
    if args.from_file is not None:
        given = [f"--{key.replace('_', '-')}" for key in ARGUMENT_KEYS if getattr(args, key) not in (None, False)]
        if args.kind or given:
            raise UsageError("--from reads every entry from the file; leave out KIND NAME and "
                             + (given[0] if given else "the entity's options"))
        return run_from(args)
    if not args.kind or not args.name:
        raise UsageError("name the KIND and NAME of the entity, or pass --from FILE with a list of entries")
    if args.replace:
        raise UsageError("--replace goes with --from")
    from dv_spec_tool.core.project import load_project
    from dv_spec_tool.edit import design_writer
    from dv_spec_tool.edit.design_edit import plan_new
    from dv_spec_tool.edit.new_entity import build_block, check_new, relative_into, split
    from dv_spec_tool.interfaces import reporters

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


ARGUMENT_KEYS = ("description", "subject_area", "owner", "hash_key", "business_keys", "hubs", "dependent_keys", "parent",
                 "hashdiff", "payload", "multi_active_keys", "effective_from", "driving_keys", "start_date", "end_date",
                 "reference_keys", "hub", "satellites", "links", "effectivity_satellites", "as_of_dates", "source",
                 "record_source", "ghost_record")


def run_from(args) -> int:
    from dv_spec_tool.core.files import read_input
    from dv_spec_tool.core.project import load_project
    from dv_spec_tool.edit import design_writer
    from dv_spec_tool.edit.new_entity import propose, read_entries
    from dv_spec_tool.interfaces import reporters

    drafts = read_entries(read_input(args.from_file, "--from"), args.from_file)
    proposal = propose(args.project_dir, drafts, args.into, replace=args.replace)
    if proposal.findings:
        sys.stdout.write(reporters.as_text(proposal.findings, len(drafts)))
        print("(positions are in the files as they would be written; `--dry-run` shows them)")
    if proposal.errors:
        print(f"not written: {len(drafts)} entr{'y' if len(drafts) == 1 else 'ies'} read, the design would not pass "
              "dv-spec validate; nothing was written")
        return 1
    planned = proposal.planned
    if args.dry_run:
        sys.stdout.write(design_writer.diff(planned))
        return 0
    for path, action in design_writer.apply(load_project(args.project_dir), planned):
        print(f"{action}  {path}")
    for verb, items in (("added", planned.added), ("changed", planned.replaced)):
        for name, path in items:
            print(f"{verb}  {name}  ({path})")
    return 0
