"""`dv-spec studio`: draw and edit the design in a local diagram studio."""

import sys

from dv_spec_tool.core.errors import UsageError


def register(commands) -> None:
    parser = commands.add_parser("studio", help="draw and edit the design in a local diagram studio (browser)")
    parser.add_argument("--project-dir", default=".", help="the dbt project (default: current directory)")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0 picks a free one)")
    parser.add_argument("--no-browser", action="store_true", help="print the address, do not open a browser")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dv_spec_tool.interfaces.studio.server import make_server

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: give a port between 0 and 65535")
    server = make_server(args.project_dir, args.port)
    print(f"dv-spec studio: {server.url}", flush=True)
    print("  edits are written to the design YAML; positions to .dv-spec/layout.json. Ctrl-C stops.", flush=True)
    if not args.no_browser:
        import webbrowser

        try:
            webbrowser.open(server.url)
        except Exception:  # no browser here: the printed address is enough
            print("  (could not open a browser; open the address above)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("dv-spec studio: stopped", flush=True)
    finally:
        server.server_close()
    return 0
