"""`dv-spec mcp`: a Model Context Protocol server (stdio) for coding agents.

It exposes the command line's workflow as tools, on the one project it was
started for, so Copilot agent mode, Claude Desktop or Claude Code can drive
it while the engineer approves each call:

* `validate`: the design's findings (`dv-spec validate`);
* `spec`, `prompts`: an entity's or subject area's spec and starter prompt
  (`dv-spec spec`, `dv-spec prompts`), returned as text, never written;
* `scaffold`: what `dv-spec scaffold` would write; it writes only when called
  with `dry_run: false`, and never overwrites a person's edit unless `force`;
* `check`: the compiled SQL against the design (`dv-spec check`).

The tool functions (`Tools`) are thin: each calls the same core functions as
its command and returns the same text. Tools whose core is not installed
are not offered. No tool takes a path: everything stays inside the project.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import json
import os
import threading

from .errors import UsageError

INSTRUCTIONS = """\
dv-spec works on one dbt project's Data Vault design (config.meta.dv blocks in schema YAML).
A typical run: call `validate` and fix what it reports in the YAML; read `spec` and `prompts`
for the entities you implement; call `scaffold` (a dry run) and show the person the files it
would write; only after they agree, call `scaffold` with dry_run=false; after `dbt compile`,
call `check` and show the person its failures and review flags.
Entity names and subject areas are selected as in the command line: `hub_customer`,
`subject_area:sales`."""


def _available(module: str) -> bool:
    return importlib.util.find_spec(f"{__package__}.{module}") is not None


class Tools:
    """The tools, bound to one project. Each returns text; bad input raises UsageError."""

    def __init__(self, project_dir: str):
        from .project import load_project

        self.root = os.path.abspath(project_dir)
        load_project(self.root)  # a bad project fails at start, with one clear line
        self.lock = threading.Lock()

    def names(self) -> list:
        """The tools this installation offers, in workflow order."""
        found = ["validate"]
        if _available("spec"):
            found.append("spec")
        if _available("prompts") and _available("spec"):
            found.append("prompts")
        found.append("scaffold")
        if _available("check"):
            found.append("check")
        return found

    def _design(self):
        from .design import build_design
        from .project import load_project

        return build_design(load_project(self.root))

    @staticmethod
    def _selection(select) -> list | None:
        if select is None:
            return None
        if isinstance(select, str):
            return [select]
        if not isinstance(select, list) or not all(isinstance(s, str) for s in select):
            raise UsageError("select: a list of entity names (or subject_area:NAME)")
        return select or None

    def validate(self, select=None) -> str:
        from . import reporters
        from .commands import selected_names
        from .validate import exit_code, validate

        with self.lock:
            design = self._design()
            selected = selected_names(design, self._selection(select))
            findings = validate(design, selected)
            text = reporters.as_text(findings, len(selected or design.entities))
            return text + ("the design has errors: fix them before spec, scaffold or check\n" if exit_code(findings) else "")

    def spec(self, select, format="markdown") -> str:
        from .spec import SpecBuilder, parse_selection, spec_documents

        if format not in ("markdown", "json"):
            raise UsageError("format: markdown or json")
        with self.lock:
            builder = SpecBuilder(self._design())
            entities, areas = parse_selection(self._required(select, builder), builder)
            return _join(spec_documents(builder, entities, areas, format))

    def prompts(self, select, style="automate_dv") -> str:
        from .prompts import prompt_documents
        from .spec import SpecBuilder, parse_selection

        with self.lock:
            builder = SpecBuilder(self._design())
            entities, areas = parse_selection(self._required(select, builder), builder)
            return _join(prompt_documents(builder, entities, areas, style))

    def _required(self, select, builder) -> list:
        chosen = self._selection(select)
        if not chosen:
            areas = ", ".join(f"subject_area:{a}" for a in builder.subject_areas())
            raise UsageError(f"select one or more entities ({', '.join(builder.entity_names)})"
                             + (f" or subject areas ({areas})" if areas else ""))
        return chosen

    def scaffold(self, select=None, dry_run=True, force=False) -> str:
        from collections import Counter

        from . import scaffold
        from .commands import selected_names

        if not isinstance(dry_run, bool) or not isinstance(force, bool):
            raise UsageError("dry_run and force are true or false")
        with self.lock:
            design = self._design()
            planned = scaffold.plan(design, selected_names(design, self._selection(select)))
            outcomes = scaffold.apply(design.project.root, planned, force=force, dry_run=dry_run)
        lines = [f"{outcome.action}  {outcome.path}" for outcome in outcomes]
        counts = Counter(outcome.action.split(" (")[0] for outcome in outcomes)
        lines.append(", ".join(f"{n} {a}" for a, n in sorted(counts.items())) or "nothing to scaffold")
        if dry_run:
            lines.append("dry run: nothing was written. Show this to the person; call scaffold with dry_run=false "
                         "to write the files once they agree.")
        return "\n".join(lines) + "\n"

    def check(self, select=None, format="text", dialect=None) -> str:
        from .check import check_project
        from .check import report as reports
        from .commands import selected_names

        formats = {"text": reports.as_text, "json": reports.as_json, "markdown": reports.as_markdown}
        if format not in formats:
            raise UsageError(f"format: one of {', '.join(formats)}")
        with self.lock:
            design = self._design()
            selected = selected_names(design, self._selection(select))
            report, compiled = check_project(design, dialect=dialect, select=selected)
            return formats[format](report, compiled.files)


def _join(documents) -> str:
    return "\n\n---\n\n".join(d.text.rstrip("\n") for d in documents) + "\n"


# ------------------------------------------------------------------ MCP

DESCRIPTIONS = {
    "validate": "Check the Data Vault design (config.meta.dv blocks). Returns one finding per line: "
                "file:line:col: severity rule message (hint). Read-only.",
    "spec": "The implementation spec of design entities or subject areas (Markdown or JSON): purpose, "
            "source-to-target mapping, hash keys, DDL, dbt config, acceptance criteria. Read-only; nothing is written.",
    "prompts": "Starter prompts for dbt Copilot / Copilot Chat / Claude for design entities or subject areas. "
               "Read-only; nothing is written.",
    "scaffold": "AutomateDV models, stages and acceptance tests from the design. A dry run by default: it lists "
                "what would be created or updated. Files are written only with dry_run=false, after the person "
                "agreed; files a person edited are kept unless force=true.",
    "check": "Evaluate the compiled SQL (target/compiled, after dbt compile) against the design: acceptance "
             "criteria that fail, and review flags for a person. Read-only.",
}


def _tool_functions(tools: Tools) -> dict:
    """Typed wrappers (the SDK builds each tool's JSON Schema from the signature)."""

    def validate(select: list[str] | None = None) -> str:
        """select: entity names to report on (default: all)."""
        return _call(tools.validate, select)

    def spec(select: list[str], format: str = "markdown") -> str:
        """select: entity names and/or subject_area:NAME; format: markdown or json."""
        return _call(tools.spec, select, format)

    def prompts(select: list[str], style: str = "automate_dv") -> str:
        """select: entity names and/or subject_area:NAME; style: automate_dv or plain_sql."""
        return _call(tools.prompts, select, style)

    def scaffold(select: list[str] | None = None, dry_run: bool = True, force: bool = False) -> str:
        """select: entity names (default: all); dry_run: false writes the files; force: also overwrite edited files."""
        return _call(tools.scaffold, select, dry_run, force)

    def check(select: list[str] | None = None, format: str = "text", dialect: str | None = None) -> str:
        """select: entity names (default: all); format: text, json or markdown; dialect: default from the manifest."""
        return _call(tools.check, select, format, dialect)

    found = {"validate": validate, "spec": spec, "prompts": prompts, "scaffold": scaffold, "check": check}
    return {name: found[name] for name in tools.names()}


def _tool_error():
    try:
        from mcp.server.mcpserver.exceptions import ToolError
    except ImportError:  # mcp 1.x
        from mcp.server.fastmcp.exceptions import ToolError
    return ToolError


def _call(function, *args) -> str:
    try:
        return function(*args)
    except UsageError as exc:
        raise _tool_error()(str(exc)) from None


def build_server(project_dir: str):
    """An MCP server (the SDK's MCPServer, FastMCP in mcp 1.x) with the tools for one project."""
    from mcp.types import ToolAnnotations

    try:
        from mcp.server.mcpserver import MCPServer as Server
    except ImportError:  # mcp 1.x
        from mcp.server.fastmcp import FastMCP as Server
    from . import __version__

    tools = Tools(project_dir)
    server = Server("dv-spec", instructions=INSTRUCTIONS)
    accepted = inspect.signature(server.add_tool).parameters
    for name, function in _tool_functions(tools).items():
        writes = name == "scaffold"
        options = {
            "name": name,
            "description": DESCRIPTIONS[name],
            "annotations": ToolAnnotations(title=f"dv-spec {name}", readOnlyHint=not writes, destructiveHint=False,
                                           idempotentHint=True, openWorldHint=False),
        }
        if "structured_output" in accepted:
            options["structured_output"] = False
        server.add_tool(function, **{k: v for k, v in options.items() if k in accepted})
    server.dv_spec_version = __version__
    return server


# How long, after the client closed standard input, the server still waits for answers in progress.
DRAIN_SECONDS = 120


class _Exchange:
    """Which requests read from the client are still unanswered.

    The SDK's serving loop cancels every handler still running when its read
    stream ends (modelcontextprotocol/python-sdk#2678), so a client that writes
    its requests and closes standard input loses the answers not yet written.
    The standard input given to the SDK therefore ends only once every request
    the SDK accepted from it has been answered (or cancelled by the client),
    or after DRAIN_SECONDS.
    """

    def __init__(self):
        import anyio
        from mcp import types

        self.types = types
        adapter = getattr(types, "jsonrpc_message_adapter", None)  # mcp 2; mcp 1 has a root model
        if adapter is not None:
            self.parse = lambda line: adapter.validate_json(line, by_name=False)
        else:
            self.parse = types.JSONRPCMessage.model_validate_json
        self.pending: set = set()
        self.answered = anyio.Event()
        self.answered.set()

    def read(self, line: str) -> None:
        """A line the client wrote: a request the SDK accepts now waits for its answer."""
        import anyio

        try:
            message = self.parse(line)
        except Exception:  # noqa: BLE001 - what the SDK cannot read it does not answer
            return
        message = getattr(message, "root", message)
        if isinstance(message, self.types.JSONRPCRequest):
            self.pending.add(message.id)
            self.answered = anyio.Event()
        elif isinstance(message, self.types.JSONRPCNotification) and message.method == "notifications/cancelled":
            self._settle((message.params or {}).get("requestId"))  # a cancelled request is never answered

    def written(self, text: str) -> None:
        """Text the server wrote: answers settle their requests."""
        for line in text.splitlines():
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict) and "method" not in message and ("result" in message or "error" in message):
                self._settle(message.get("id"))

    def _settle(self, request_id) -> None:
        self.pending.discard(request_id)
        if not self.pending:
            self.answered.set()


class _ClientInput:
    """Standard input as the SDK reads it (`async for line in stdin`), ending when every request is answered."""

    def __init__(self, exchange: _Exchange, descriptor: int):
        import anyio

        self.exchange = exchange
        # Never closed: a worker thread may still block reading it when serving ends.
        self.lines = anyio.wrap_file(os.fdopen(descriptor, "r", encoding="utf-8", errors="replace", closefd=False))

    async def __aiter__(self):
        import anyio

        async for line in self.lines:
            self.exchange.read(line)
            yield line
        with anyio.move_on_after(DRAIN_SECONDS):
            await self.exchange.answered.wait()


class _ClientOutput:
    """Standard output as the SDK writes it (`await stdout.write(text)`, `await stdout.flush()`)."""

    def __init__(self, exchange: _Exchange, descriptor: int):
        import anyio

        self.exchange = exchange
        self.wire = anyio.wrap_file(os.fdopen(descriptor, "w", encoding="utf-8", newline="\n", closefd=False))

    async def write(self, text: str) -> None:
        await self.wire.write(text)
        await self.wire.flush()
        self.exchange.written(text)

    async def flush(self) -> None:
        await self.wire.flush()


@contextlib.contextmanager
def _private_stdio():
    """The client's input and output on private descriptors, while descriptors 0 and 1 point at the
    null device and standard error: nothing else in the process reads the requests or writes between
    the messages (what the SDK's own stdio transport does, which ours replaces)."""
    import sys

    sys.stdout.flush()
    wire_in, wire_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    try:
        yield wire_in, wire_out
    finally:
        sys.stdout.flush()
        os.dup2(wire_out, 1)
        os.dup2(wire_in, 0)
        os.close(wire_out)


async def _serve_stdio(server) -> None:
    from mcp.server.stdio import stdio_server

    # MCPServer (FastMCP in mcp 1.x) runs stdio only on the SDK's own streams,
    # which end the session at end of input; its low-level server takes ours.
    lowlevel = getattr(server, "_lowlevel_server", None) or server._mcp_server
    exchange = _Exchange()
    with _private_stdio() as (wire_in, wire_out):
        async with stdio_server(_ClientInput(exchange, wire_in), _ClientOutput(exchange, wire_out)) as (read, write):
            await lowlevel.run(read, write, lowlevel.create_initialization_options())


def run(project_dir: str) -> None:
    """Serve MCP on standard input and output until the client closes input and every request is answered."""
    import anyio

    server = build_server(project_dir)
    anyio.run(_serve_stdio, server)
