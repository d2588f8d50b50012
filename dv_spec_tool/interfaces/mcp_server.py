"""`dv-spec mcp`: a Model Context Protocol server (stdio) for coding agents.

It exposes the command line's workflow as tools, on the one project it was
started for, so Copilot agent mode, Claude Desktop or Claude Code can drive
it while the engineer approves each call:

* `validate`: the design's findings (`dv-spec validate`);
* `spec`, `prompts`: an entity's or subject area's spec and starter prompt
  (`dv-spec spec`, `dv-spec prompts`), returned as text, never written;
* `scaffold`: what `dv-spec scaffold` would write; it writes only when called
  with `dry_run: false`, and never overwrites a person's edit unless `force`;
* `check`: the compiled SQL against the design (`dv-spec check`);
* design writing, for an agent that drafts the design from an architect's
  words: `contract`, `conventions`, `sources` and `draft_prompt` read what a
  draft needs; `propose_entities` is a dry run (the YAML diff, the validate
  findings and the design's change set, under a proposal id), and only
  `apply_proposal` with that id writes, through the same writer as
  `dv-spec new --from` and the studio, refusing a proposal whose files
  changed since; `rename_entity` and `delete_entity` are dry runs naming the
  dependents and what a rename means for loaded tables, and write only with
  `dry_run: false` and the dry run's `version`.

The tool functions (`Tools`) are thin: each calls the same core functions as
its command and returns the same text. The MCP SDK, an optional dependency,
is imported only by the functions that serve, so `Tools` works without it.
No tool takes a path but `propose_entities`' `into`, a schema file relative
to the project and under its model paths (symbolic links resolved):
everything stays inside the project.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import os
import sys
import threading
from collections import Counter
from typing import Any

from dv_spec_tool import __version__
from dv_spec_tool.check import check_project, report as reports
from dv_spec_tool.core.design import build_design
from dv_spec_tool.edit import design_edit, design_writer
from dv_spec_tool.edit.design_edit import entity_version
from dv_spec_tool.generate import impact, scaffold
from dv_spec_tool.generate.changeset import change_set_between
from dv_spec_tool.interfaces import reporters
from dv_spec_tool.interfaces.commands import selected_names
from dv_spec_tool.generate.drafting import (
    RULES,
    contract_lines,
    conventions,
    design_lines,
    design_prompt,
    source_catalogue,
)
from dv_spec_tool.core.dv_schema import DV_SCHEMA_PATH
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.findings import did_you_mean
from dv_spec_tool.core.project import load_project
from dv_spec_tool.edit.new_entity import drafts_from, project_after, propose, read_entries
from dv_spec_tool.generate.prompts import prompt_documents
from dv_spec_tool.generate.spec import SpecBuilder, parse_selection, spec_documents
from dv_spec_tool.validate import exit_code, validate

INSTRUCTIONS = """\
dv-spec works on one dbt project's Data Vault design (config.meta.dv blocks in schema YAML).
A typical run: call `validate` and fix what it reports in the YAML; read `spec` and `prompts`
for the entities you implement; call `scaffold` (a dry run) and show the person the files it
would write; only after they agree, call `scaffold` with dry_run=false; after `dbt compile`,
call `check` and show the person its failures and review flags.
Entity names and subject areas are selected as in the command line: `hub_customer`,
`subject_area:sales`.
To design from the person's description, never edit the design YAML yourself: read `draft_prompt`
(or `contract`, `conventions`, `sources`), draft the entries, call `propose_entities`, fix what it
reports, and show the person its diff and change set with your assumptions and questions; call
`apply_proposal` only after they agree. `rename_entity` and `delete_entity` are dry runs first:
show the person the dependents and implications, and pass `dry_run=false` with the `version` only
once they agree."""

PROPOSALS_KEPT = 20  # per server session; an older proposal is proposed again


class Tools:
    """The tools, bound to one project. Each returns text; bad input raises UsageError."""

    def __init__(self, project_dir: str):
        self.root = os.path.abspath(project_dir)
        load_project(self.root)  # a bad project fails at start, with one clear line
        self.lock = threading.Lock()
        self.proposals: dict = {}  # proposal id (its version) -> (drafts, into, replace)

    def names(self) -> list:
        """The tools, in workflow order."""
        return ["validate", "contract", "conventions", "sources", "draft_prompt", "propose_entities", "apply_proposal",
                "rename_entity", "delete_entity", "spec", "prompts", "scaffold", "check"]

    def _design(self):
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
        with self.lock:
            design = self._design()
            selected = selected_names(design, self._selection(select))
            findings = validate(design, selected)
            text = reporters.as_text(findings, len(selected or design.entities))
            return text + ("the design has errors: fix them before spec, scaffold or check\n" if exit_code(findings) else "")

    def spec(self, select, format="markdown") -> str:
        if format not in ("markdown", "json"):
            raise UsageError("format: markdown or json")
        with self.lock:
            builder = SpecBuilder(self._design())
            entities, areas = parse_selection(self._required(select, builder), builder)
            return _join(spec_documents(builder, entities, areas, format))

    def prompts(self, select, style="automate_dv") -> str:
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
        formats = {"text": reports.as_text, "json": reports.as_json, "markdown": reports.as_markdown}
        if format not in formats:
            raise UsageError(f"format: one of {', '.join(formats)}")
        with self.lock:
            design = self._design()
            selected = selected_names(design, self._selection(select))
            report, compiled = check_project(design, dialect=dialect, select=selected)
            return formats[format](report, compiled.files)

    # ------------------------------------------------------------ design writing

    def contract(self, format="brief") -> str:
        if format == "json_schema":
            with open(DV_SCHEMA_PATH, encoding="utf-8") as handle:
                return handle.read()
        if format != "brief":
            raise UsageError("format: brief or json_schema")
        return "\n".join(["Kinds and their keys (required first):", *contract_lines(), "", RULES]) + "\n"

    def conventions(self) -> str:
        with self.lock:
            design = self._design()
            return json.dumps({"settings": conventions(design), "design": design_lines(design)}, indent=2) + "\n"

    def sources(self, select=None) -> str:
        with self.lock:
            catalogue = source_catalogue(self._design())
        chosen = self._selection(select)
        if chosen:
            unknown = [n for n in chosen if n not in {item["name"] for item in catalogue}]
            if unknown:
                hint = did_you_mean(unknown[0], [item["name"] for item in catalogue])
                raise UsageError(f"no source named `{unknown[0]}`" + (f"; {hint}" if hint else ""))
            catalogue = [item for item in catalogue if item["name"] in chosen]
        # one source a line: valid JSON, and short enough for an agent's context
        return "[\n" + ",\n".join(json.dumps(item) for item in catalogue) + "\n]\n"

    def draft_prompt(self, description, sources=None) -> str:
        if not isinstance(description, str) or not description.strip():
            raise UsageError("description: the person's words for what to design")
        with self.lock:
            return design_prompt(self._design(), description, sources=self._selection(sources))

    def propose_entities(self, entries, into=None, replace=False) -> str:
        drafts = self._drafts(entries, into, replace)
        with self.lock:
            proposal = propose(self.root, drafts, into, replace)
            if proposal.errors:
                raise UsageError(self._refusal(proposal, "the design would not pass validate"))
            planned = proposal.planned
            change_set = self._change_set(planned, proposal.version)
            self.proposals[proposal.version] = (drafts, into, replace)
            while len(self.proposals) > PROPOSALS_KEPT:
                self.proposals.pop(next(iter(self.proposals)))
        lines = [f"proposal {proposal.version}: nothing was written."]
        lines += [f"would add  {name}  ({path})" for name, path in planned.added]
        lines += [f"would change  {name}  ({path})" for name, path in planned.replaced]
        lines += ["", "validate (positions in the files as they would be written):",
                  reporters.as_text(proposal.findings, len(drafts)).rstrip("\n"),
                  "", "The YAML that would be written:", "```diff", design_writer.diff(planned).rstrip("\n"), "```",
                  "", change_set.rstrip("\n"), "",
                  f"Show this to the person with your assumptions and questions; call apply_proposal with "
                  f"proposal_id={proposal.version} only once they agree."]
        return "\n".join(lines) + "\n"

    def apply_proposal(self, proposal_id) -> str:
        with self.lock:
            if not isinstance(proposal_id, str) or proposal_id not in self.proposals:
                raise UsageError(f"no proposal {proposal_id!r} in this session (the server keeps the last "
                                 f"{PROPOSALS_KEPT}); call propose_entities again")
            drafts, into, replace = self.proposals[proposal_id]
            proposal = propose(self.root, drafts, into, replace)
            if proposal.errors:
                raise UsageError(self._refusal(proposal, "the design changed and would no longer pass validate"))
            if proposal.version != proposal_id:
                raise UsageError(f"proposal {proposal_id} is stale: the files it changes were edited since it was "
                                 "made; nothing written. Call propose_entities again and show the person the new diff")
            done = design_writer.apply(load_project(self.root), proposal.planned)
            del self.proposals[proposal_id]
        lines = [f"{action}  {path}" for path, action in done]
        lines += [f"added  {name}  ({path})" for name, path in proposal.planned.added]
        lines += [f"changed  {name}  ({path})" for name, path in proposal.planned.replaced]
        return "\n".join(lines) + "\n"

    def rename_entity(self, name, to, keep_physical=True, dry_run=True, version=None) -> str:
        self._flags(keep_physical=keep_physical, dry_run=dry_run)
        design_edit.check_name(to)
        with self.lock:
            design = self._design()
            self._existing(design, name)
            if to in design.entities or (to in design.project.nodes and to != name):
                raise UsageError(f"`{to}` is already taken; choose another name")
            users = impact.dependents(design, name)
            plan = impact.rename_implications(design, name, to, keep_physical=keep_physical)
            token = self._version(design, [name] + [u.name for u in users], to, keep_physical)
            lines = [f"rename `{name}` to `{to}`" + (" (keeping its physical names)" if keep_physical else ""),
                     "depends on it: " + (impact.describe_dependents(users) or "nothing"), "what it implies:"]
            lines += [f"- {text}" for text in plan.implications]
            if plan.design_changes:
                lines.append("written with the rename: " + ", ".join(f"{k}: {v}" for k, v in plan.design_changes.items()))
            if dry_run:
                return self._dry(lines, "rename_entity", token)
            self._check_version(version, token, name)
            entry = design.entities[name]
            written = design_edit.rename_entity(self.root, name, to, design_edit.entity_version(entry.description, entry.dv))
            if plan.design_changes:
                renamed = self._design().entities[to]
                design_edit.save_entity(self.root, to, {**renamed.dv, **plan.design_changes}, None,
                                        design_edit.entity_version(renamed.description, renamed.dv), create=False)
            return "\n".join(lines + [f"renamed `{name}` to `{to}` in {', '.join(written)}", self._after()]) + "\n"

    def delete_entity(self, name, dry_run=True, version=None, confirmed=False) -> str:
        self._flags(dry_run=dry_run, confirmed=confirmed)
        with self.lock:
            design = self._design()
            entry = self._existing(design, name)
            users = impact.dependents(design, name)
            token = self._version(design, [name] + [u.name for u in users])
            lines = [f"delete `{name}` from {entry.file.path}",
                     "depends on it: " + (impact.describe_dependents(users) or "nothing")
                     + (" (they would point at nothing: validate reports them)" if users else ""),
                     f"the table or view `{name}` already built, and its model file, are not dropped: do that by hand "
                     "once nothing reads them"]
            if dry_run:
                return self._dry(lines, "delete_entity", token)
            self._check_version(version, token, name)
            if users and not confirmed:
                raise UsageError(f"`{name}` has {len(users)} dependent(s): {impact.describe_dependents(users)}; nothing "
                                 "written. Change or delete them first, or pass confirmed=true once the person agrees")
            written = design_edit.delete_entity(self.root, name, design_edit.entity_version(entry.description, entry.dv))
            return "\n".join(lines + [f"deleted `{name}` from {written}", self._after()]) + "\n"

    @staticmethod
    def _drafts(entries, into, replace) -> list:
        if not isinstance(replace, bool):
            raise UsageError("replace is true or false")
        if into is not None and (not isinstance(into, str) or os.path.isabs(into) or into.startswith(("/", "\\"))):
            raise UsageError("into: a schema file path relative to the project, under its model paths")
        if isinstance(entries, str):
            return read_entries(entries, "entries")
        if isinstance(entries, (list, dict)):
            return drafts_from(entries, "entries")
        raise UsageError("entries: a list of model entries (name, description, config.meta.dv), or their YAML text")

    def _change_set(self, planned, version: str) -> str:
        """The design's change set from the files on disk to the proposal (`dv-spec diff`'s Markdown)."""
        try:
            _, markdown = change_set_between(self._design(), build_design(project_after(self.root, planned)),
                                             {"ref": "the files on disk", "commit": version}, "proposal")
        except UsageError as exc:
            return f"The design's change set: not available ({exc})"
        return markdown

    @staticmethod
    def _refusal(proposal, why: str) -> str:
        return (f"refused: {why}; nothing written. Fix the entries these findings name and propose again "
                "(positions are in the files as they would be written):\n"
                + reporters.as_text(proposal.findings, len(proposal.drafts)))

    @staticmethod
    def _flags(**flags) -> None:
        for key, value in flags.items():
            if not isinstance(value, bool):
                raise UsageError(f"{key} is true or false")

    @staticmethod
    def _existing(design, name):
        if not isinstance(name, str) or name not in design.entities:
            hint = did_you_mean(name, design.entities)
            raise UsageError(f"no design entity named `{name}`" + (f"; {hint}" if hint else ""))
        return design.entities[name]

    @staticmethod
    def _version(design, names: list, *extra) -> str:
        """A token naming the entities an edit reads, as they are on disk (and the edit's own arguments)."""
        parts = [[n, entity_version(design.entities[n].description, design.entities[n].dv)] for n in names]
        return hashlib.sha256(json.dumps([parts, list(extra)]).encode("utf-8")).hexdigest()[:16]

    @staticmethod
    def _dry(lines: list, tool: str, token: str) -> str:
        return "\n".join(lines + [f"dry run: nothing was written. version: {token}. Show this to the person; call "
                                   f"{tool} with dry_run=false and version={token} once they agree."]) + "\n"

    @staticmethod
    def _check_version(version, token: str, name: str) -> None:
        if version is None:
            raise UsageError("pass the version the dry run returned (dry_run=true first, then show it to the person)")
        if version != token:
            raise UsageError(f"stale: `{name}` or an entity depending on it changed since the dry run; nothing "
                             "written. Do the dry run again and show the person the result")

    def _after(self) -> str:
        errors = [f for f in validate(self._design()) if f.severity == "error"]
        return (f"the design now has {len(errors)} error(s): call validate" if errors
                else "the design validates without errors")


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
    "contract": "The design contract (config.meta.dv): each kind's keys and the mapping rules in brief "
                "(format=brief), or its JSON Schema (format=json_schema). Read-only.",
    "conventions": "The project's conventions (vars.dv_spec with defaults: hash algorithm, vault columns, naming) "
                   "and the design so far, one line per entity. Read-only.",
    "sources": "The seeds, models, snapshots and dbt source tables a design can read, with their columns and "
               "declared types, who reads them and their record sources (JSON). Read-only.",
    "draft_prompt": "A prompt for drafting config.meta.dv entries from the person's description: contract, "
                    "conventions, design and sources in one text. Read-only.",
    "propose_entities": "A dry run: what writing these model entries (name, description, config.meta.dv) would do: "
                        "the YAML diff, the validate findings and the design's change set, under a proposal id. "
                        "Nothing is written; an entry that would not validate is refused with the findings.",
    "apply_proposal": "Write a proposal from propose_entities, after the person agreed: only its entries change, "
                      "every other byte stays. Refused when the files changed since the proposal.",
    "rename_entity": "Rename a design entity and the references to it. A dry run by default: names the dependents "
                     "and what the rename means for loaded tables; writes only with dry_run=false and its version.",
    "delete_entity": "Delete a design entity. A dry run by default: names what depends on it; writes only with "
                     "dry_run=false and its version (and confirmed=true when something depends on it).",
    "check": "Evaluate the compiled SQL (target/compiled, after dbt compile) against the design: acceptance "
             "criteria that fail, and review flags for a person. Read-only.",
}


WRITING_TOOLS = ("scaffold", "apply_proposal", "rename_entity", "delete_entity")
DESTRUCTIVE_TOOLS = ("rename_entity", "delete_entity")  # they remove or rename what a person wrote


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

    def contract(format: str = "brief") -> str:
        """format: brief (keys per kind and the mapping rules) or json_schema."""
        return _call(tools.contract, format)

    def conventions() -> str:
        """The project's settings and naming, and the design so far."""
        return _call(tools.conventions)

    def sources(select: list[str] | None = None) -> str:
        """select: source names (model names or source_name.table_name; default: all)."""
        return _call(tools.sources, select)

    def draft_prompt(description: str, sources: list[str] | None = None) -> str:
        """description: the person's words for the subject area to design or change; sources: shell patterns
        of the sources to list (default: all, up to 40)."""
        return _call(tools.draft_prompt, description, sources)

    def propose_entities(entries: list[dict[str, Any]] | str, into: str | None = None, replace: bool = False) -> str:
        """entries: model entries (name, description, config.meta.dv), or their YAML text; into: schema file for new
        entries (default: beside what they reference); replace: entries naming existing entities change them."""
        return _call(tools.propose_entities, entries, into, replace)

    def apply_proposal(proposal_id: str) -> str:
        """proposal_id: the id propose_entities returned, once the person agreed."""
        return _call(tools.apply_proposal, proposal_id)

    def rename_entity(name: str, to: str, keep_physical: bool = True, dry_run: bool = True,
                      version: str | None = None) -> str:
        """keep_physical: keep the hash key / hashdiff column names; version: from the dry run."""
        return _call(tools.rename_entity, name, to, keep_physical, dry_run, version)

    def delete_entity(name: str, dry_run: bool = True, version: str | None = None, confirmed: bool = False) -> str:
        """version: from the dry run; confirmed: delete although other entities depend on it."""
        return _call(tools.delete_entity, name, dry_run, version, confirmed)

    found = {"validate": validate, "spec": spec, "prompts": prompts, "scaffold": scaffold, "check": check,
             "contract": contract, "conventions": conventions, "sources": sources, "draft_prompt": draft_prompt,
             "propose_entities": propose_entities, "apply_proposal": apply_proposal,
             "rename_entity": rename_entity, "delete_entity": delete_entity}
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

    tools = Tools(project_dir)
    server = Server("dv-spec", instructions=INSTRUCTIONS)
    accepted = inspect.signature(server.add_tool).parameters
    for name, function in _tool_functions(tools).items():
        writes = name in WRITING_TOOLS
        options = {
            "name": name,
            "description": DESCRIPTIONS[name],
            "annotations": ToolAnnotations(title=f"dv-spec {name}", readOnlyHint=not writes,
                                           destructiveHint=name in DESTRUCTIVE_TOOLS,
                                           idempotentHint=name not in DESTRUCTIVE_TOOLS, openWorldHint=False),
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
