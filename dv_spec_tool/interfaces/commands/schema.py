"""`dv-spec schema`: print the JSON Schema of the dv block, for editors."""

import os
import sys


def register(commands) -> None:
    parser = commands.add_parser("schema", help="print the JSON Schema of the dv block (for editors)")
    parser.add_argument("--file", action="store_true", help="the schema of a whole dbt schema YAML file instead")
    parser.add_argument("--path", action="store_true", help="print where the schema file is instead of its content")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dv_spec_tool.core.dv_schema import SCHEMA_DIR

    name = "dbt-schema-file.schema.json" if args.file else "dv.schema.json"
    path = os.path.join(SCHEMA_DIR, name)
    if args.path:
        print(path)
    else:
        with open(path, encoding="utf-8") as handle:
            sys.stdout.write(handle.read())
    return 0
