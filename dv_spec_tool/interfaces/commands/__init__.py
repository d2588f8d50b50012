"""Sub-commands of `dv-spec`: one module each, with `register(subparsers)`.

Shared argument handling lives here so every command reads a project the
same way. Commands only parse arguments, call the core and print.

A command imports the core inside its `run`, not at the top: building the
parser imports every command module, so an import on top would load the
whole core (Jinja, jsonschema, sqlglot) for `dv-spec --help` and for every
other command's start.
"""

from __future__ import annotations

import sys

from dv_spec_tool.core.errors import UsageError


def add_project_options(parser, select: bool = True) -> None:
    parser.add_argument("--project-dir", default=".", help="the dbt project (default: current directory)")
    parser.add_argument("--manifest", help="read the design from a dbt manifest.json instead of the YAML files")
    if select:
        parser.add_argument("--select", "-s", action="append", metavar="NAMES",
                            help="only these entities (space- or comma-separated; repeatable)")


def load_design(args):
    """The design of the project named by --project-dir / --manifest."""
    from dv_spec_tool.core.design import build_design
    from dv_spec_tool.core.project import load_manifest, load_project

    if getattr(args, "manifest", None):
        project = load_manifest(args.manifest, args.project_dir if args.project_dir_given else None)
    else:
        project = load_project(args.project_dir)
    return build_design(project)


def selected_names(design, names):
    """The entity names given with --select (None when not given); unknown names are usage errors."""
    if not names:
        return None
    wanted = set()
    for item in names:
        wanted.update(n for n in item.replace(",", " ").split() if n)
    unknown = sorted(n for n in wanted if n not in design.entities)
    if unknown:
        from dv_spec_tool.core.findings import did_you_mean

        hint = did_you_mean(unknown[0], design.entities)
        raise UsageError(f"--select: no design entity named `{unknown[0]}`" + (f"; {hint}" if hint else ""))
    return wanted


def write_output(text: str, output: str | None) -> None:
    """To a file (atomically) when --output is given, else standard output."""
    if output:
        from dv_spec_tool.core.files import write_atomic

        write_atomic(output, text)
    else:
        sys.stdout.write(text)
