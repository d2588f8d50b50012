"""The `dv-spec` command line: parses arguments, calls the core, prints, exits.

Exit codes: 0 clean, 1 findings of error severity (or, for `scaffold --check`,
files that differ from the design; for `spec`, `prompts` and `import`, files
or entries kept), 2 usage or input errors (one line on standard error, never
a traceback).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys

from dv_spec_tool import __version__
from dv_spec_tool.core.errors import UsageError

# One module per sub-command under dv_spec_tool/interfaces/commands/, in help order.
COMMANDS = ("validate", "scaffold", "check", "spec", "prompts", "diff", "imports", "export", "new", "studio", "mcp", "rules", "schema")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dv-spec", description="Spec-driven Data Vault design for dbt and AutomateDV.")
    parser.add_argument("--version", action="version", version=f"dv-spec {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for name in COMMANDS:
        importlib.import_module(f".commands.{name}", __package__).register(commands)
    return parser


def main(argv=None) -> int:
    # Designs are many small long-lived objects: fewer collection passes keep loading linear.
    gc.set_threshold(50_000, 20, 20)
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
