"""`dv-spec mcp`: a Model Context Protocol server (stdio) for coding agents."""

import importlib.util

from dv_spec_tool.core.errors import UsageError


def register(commands) -> None:
    parser = commands.add_parser(
        "mcp", help="run a Model Context Protocol server (stdio) exposing validate, spec, prompts, scaffold and check",
        description="Serve dv-spec's workflow to an MCP client (VS Code Copilot agent mode, Claude Desktop, Claude Code) "
                    "over standard input and output. See docs/studio-and-mcp.md for the client configuration.")
    parser.add_argument("--project-dir", default=".", help="the dbt project (default: current directory)")
    parser.set_defaults(func=run)


def run(args) -> int:
    if importlib.util.find_spec("mcp") is None:
        raise UsageError("`dv-spec mcp` needs the MCP SDK: pip install 'dv-spec[mcp]' (or pip install mcp)")
    from dv_spec_tool.interfaces.mcp_server import run as serve

    serve(args.project_dir)
    return 0
