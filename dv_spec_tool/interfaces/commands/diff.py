"""`dv-spec diff`: the change set from the design at a git ref to the working tree's."""

import os
import sys

from dv_spec_tool.interfaces.commands import add_project_options, load_design


def register(commands) -> None:
    parser = commands.add_parser(
        "diff", help="a change-set spec: the design at a git ref compared with the working tree",
        description="Entities added, removed and changed (key by key), what each change implies for data already "
                    "loaded, affected downstream models, migration steps, acceptance criteria and a starter prompt.")
    add_project_options(parser, select=False)
    parser.add_argument("--base", required=True, metavar="REF", help="the git ref (branch, tag, commit) of the design before the change")
    parser.add_argument("--out", "-o", metavar="FILE", help="write the change set to this file instead of standard output")
    parser.add_argument("--format", "-f", choices=("markdown", "json"), default="markdown")
    parser.add_argument("--style", choices=("automate_dv", "plain_sql"), default="automate_dv", help="the starter prompt's style")
    parser.add_argument("--prompt", metavar="FILE", help="also write the starter prompt to this file")
    parser.add_argument("--force", action="store_true", help="also overwrite files a person wrote or edited")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dv_spec_tool.core.generated import write_documents
    from dv_spec_tool.generate.changeset import change_set
    from dv_spec_tool.generate.spec import as_json

    data, markdown, prompt = change_set(args.project_dir, args.base, lambda: load_design(args), args.style)
    text = markdown if args.format == "markdown" else as_json(data, "dv-spec diff")
    files = []
    if args.out:
        files.append((args.out, text))
    else:
        sys.stdout.write(text)
    if args.prompt:
        files.append((args.prompt, prompt))
    kept = False
    for path, content in files:
        folder, name = os.path.split(os.path.abspath(path))
        for outcome in write_documents(folder, [(name, content)], force=args.force):
            print(f"{outcome.action}  {path}", file=sys.stderr if not args.out else sys.stdout)
            kept = kept or outcome.kept
    return 1 if kept else 0
