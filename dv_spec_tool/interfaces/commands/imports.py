"""`dv-spec import lucidchart|drawio|mermaid FILE` and `dv-spec import automate-dv`: bring a design in.

Writes new model entries with `config.meta.dv` blocks (never rewriting an
existing design without --force), prints a TODO for everything the source
does not decide, and exits 1 when any TODO or kept entry needs a person.
"""

from __future__ import annotations

import os
import sys

from dv_spec_tool.core.errors import UsageError

FORMAT_HELP = {
    "lucidchart": "a Lucidchart \"CSV of Shape Data\" export, its ERD import CSV/TSV, a document's contents JSON "
                  "(Lucid REST API) or a .lucid file",
    "drawio": "a draw.io / diagrams.net file (.drawio plain or compressed, .drawio.svg, .drawio.png)",
    "mermaid": "a Mermaid erDiagram (.mmd, or the first one in a Markdown file)",
}


def _common(parser) -> None:
    parser.add_argument("--project-dir", default=".", help="the dbt project (default: current directory)")
    parser.add_argument("--into", metavar="PATH", help="schema file for new entries (relative to the project)")
    parser.add_argument("--dry-run", action="store_true", help="show the changes as a diff; write nothing")
    parser.add_argument("--force", action="store_true", help="replace the design of entities that already have one")


def register(commands) -> None:
    parser = commands.add_parser("import", help="bring a design in from a diagram or an existing AutomateDV project")
    formats = parser.add_subparsers(dest="format", metavar="FORMAT")
    formats.required = True
    for name, text in FORMAT_HELP.items():
        sub = formats.add_parser(name, help=f"read {text}")
        sub.add_argument("file", help=text)
        _common(sub)
        sub.add_argument("--subject", help="subject area: sets `subject_area` and the default file "
                                           "models/<subject>/_<subject>__design.yml (default: the diagram's title or file name)")
        sub.add_argument("--conventions", metavar="FILE.yml", help="classification conventions replacing the defaults "
                                                                   "(docs/diagrams.md)")
        if name != "mermaid":
            sub.add_argument("--page", metavar="NAME", help="read only this page (the others are reported)")
        sub.set_defaults(func=run_diagram)
    sub = formats.add_parser("automate-dv", help="reverse-engineer the project's AutomateDV models into the design")
    _common(sub)
    sub.set_defaults(func=run_automate_dv)


def _plan_settings(project, planned, settings: dict) -> bool:
    """Add the project settings the imported models imply to dbt_project.yml (in the same plan: --dry-run shows it);
    False when the file is not rewritten (the settings are then a TODO)."""
    from ruamel.yaml.constructor import DuplicateKeyError

    from dv_spec_tool.core.files import read_if_exists
    from dv_spec_tool.edit.yamledit import add_project_settings

    old = read_if_exists(os.path.join(project.root, "dbt_project.yml"))
    if old is None:
        return False
    try:
        planned.files["dbt_project.yml"] = (old, add_project_settings(old, settings))
    except DuplicateKeyError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        planned.todos.append(f"dbt_project.yml:{line}: TODO it has a key twice, so dv-spec does not rewrite it: add "
                             f"these vars.dv_spec settings by hand: {settings}")
        return False
    return True


def run_diagram(args) -> int:
    from dv_spec_tool.core.design import build_design
    from dv_spec_tool.core.project import load_project
    from dv_spec_tool.importers.diagrams import read_diagram, subject_of
    from dv_spec_tool.importers.diagrams.conventions import load_conventions
    from dv_spec_tool.importers.diagrams.to_design import diagram_to_design

    project = load_project(args.project_dir)
    design = build_design(project)
    diagram = read_diagram(args.format, args.file, getattr(args, "page", None))
    conventions = load_conventions(args.conventions, design.settings.get("naming"))
    reading = diagram_to_design(diagram, conventions, design.settings)
    subject = subject_of(diagram, args.subject)
    if args.subject:
        for entity in reading.entities:
            entity.dv = {"kind": entity.dv["kind"], "subject_area": subject,
                         **{k: v for k, v in entity.dv.items() if k != "kind"}}
    default = f"{project.model_paths[0].strip('/')}/{subject}/_{subject}__design.yml"
    problems = _todo_lines(reading.problems)
    return _write(args, project, reading.entities, lambda entity: default, problems)


def run_automate_dv(args) -> int:
    from dv_spec_tool.core.project import load_project
    from dv_spec_tool.importers.automate_dv import import_project

    project = load_project(args.project_dir)
    reading = import_project(project)
    if not reading.entities and not reading.problems:
        raise UsageError(f"no AutomateDV (or dbtvault) model under {', '.join(project.model_paths)} of "
                         f"{project.root}: nothing to import")
    problems = _todo_lines(reading.problems)
    return _write(args, project, reading.entities, None, problems, settings=reading.settings)


def _todo_lines(problems) -> list:
    """One printed line per problem a reader reported; a value pasted into a diagram can be megabytes long."""
    from dv_spec_tool.core.findings import clip

    return [clip(f"{where}: TODO {message}") for where, message in problems]


def _write(args, project, entities, default, problems, settings=None) -> int:
    from dv_spec_tool.edit import design_writer

    planned = design_writer.plan(project, entities, into=args.into, default=default, force=args.force)
    if settings and not _plan_settings(project, planned, settings):
        settings = None
    if args.dry_run:
        sys.stdout.write(design_writer.diff(planned))
    else:
        for path, action in design_writer.apply(project, planned):
            print(f"{action}  {path}")
    verb = "would add" if args.dry_run else "added"
    for name, path in planned.added:
        print(f"{verb}  {name}  ({path})")
    for name, path in planned.replaced:
        print(f"{'would replace' if args.dry_run else 'replaced'} the design of  {name}  ({path})")
    for name, path in planned.kept:
        print(f"kept  {name}  ({path} already holds its design; --force replaces it)")
    for key, value in (settings or {}).items():
        print(f"{'would set' if args.dry_run else 'set'}  vars.dv_spec.{key}: {value}  (dbt_project.yml, as the models use it)")
    for line in problems:
        print(line)
    for todo in planned.todos:
        print(todo)
    todos = len(planned.todos) + len(problems)
    summary = (f"{len(planned.added)} added, {len(planned.replaced)} replaced, {len(planned.kept)} kept; "
               f"{todos} TODO(s) for the architect")
    if todos:
        summary += " (dv-spec validate may fail until they are resolved)"
    print(summary)
    return 1 if todos or planned.kept else 0
