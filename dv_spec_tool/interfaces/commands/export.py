"""`dv-spec export mermaid|lucidchart|drawio`: draw the design."""

from __future__ import annotations

import sys

from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.interfaces.commands import add_project_options, load_design, selected_names, write_output


def register(commands) -> None:
    from dv_spec_tool.importers.diagrams import EXPORTS

    parser = commands.add_parser("export", help="draw the design: Mermaid erDiagram, Lucidchart ERD import CSV, draw.io, "
                                                "Lucid Standard Import (.lucid)")
    parser.add_argument("format", choices=EXPORTS)
    add_project_options(parser)
    parser.add_argument("--out", "-o", metavar="FILE", help="write to this file instead of standard output")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dv_spec_tool.core.kinds import DIAGRAM_KINDS
    from dv_spec_tool.importers.diagrams import write_diagram
    from dv_spec_tool.importers.diagrams.from_design import design_to_diagram
    from dv_spec_tool.validate import validate

    if args.format == "lucid" and not args.out:
        raise UsageError("export lucid: a .lucid file is a ZIP archive; give --out FILE.lucid")
    design = load_design(args)
    selected = selected_names(design, args.select)
    broken = sorted({f.entity for f in validate(design) if f.severity == "error" and f.entity})
    for name in broken:
        if selected is None or name in selected:
            print(f"dv-spec: skipped {name}: its design has errors (dv-spec validate)", file=sys.stderr)
    names = [n for n in (selected or design.entities) if n not in broken]
    for name in names:  # a kind diagrams leave out (its row's `diagram`), stages aside: their sources are drawn
        kind = design.kind_of(name)
        if kind not in DIAGRAM_KINDS and kind != "stage":
            print(f"dv-spec: not drawn: {name} ({kind}); diagrams do not draw that kind", file=sys.stderr)
    resolved = design.resolve(sorted(n for n in design.entities if n not in broken))
    diagram = design_to_diagram(resolved, set(names), title=design.project.name)
    write_output(write_diagram(args.format, diagram, catalog=design.project.name), args.out)
    return 1 if broken else 0
