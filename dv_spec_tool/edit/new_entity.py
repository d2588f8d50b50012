"""`dv-spec new`: design entities from command-line values or from a file of
entries (what an assistant drafted), checked before anything is written.

`build_block(kind, values)` turns plain values into a `dv` block (keys in the
contract's order); `design_edit.plan_new` plans writing it with the importers' writer
(design_writer), and `check_new` validates the project as it would be after
the write, so a block that `dv-spec validate` would reject is never written.

`read_entries` reads a YAML or JSON list of model entries, `plan_entries`
plans writing them all (new ones through design_writer, changed ones through
the studio's in-place `design_edit.update_entry`), and `check_planned`
validates them together with the rest of the design: all or nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass

from dv_spec_tool.core.design import build_design
from dv_spec_tool.edit import design_writer
from dv_spec_tool.edit.design_edit import (
    _check_written,
    check_name,
    jsonable,
    new_entity_file,
    resolve_schema_file,
    update_entry,
)
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.files import read_if_exists
from dv_spec_tool.core.kinds import KINDS
from dv_spec_tool.core.project import Project, SchemaFile, _collect, load_project
from dv_spec_tool.core.yamlpos import YamlError, load_yaml
from dv_spec_tool.importers.diagrams.to_design import Imported, ordered
from dv_spec_tool.validate import validate

LIST_KEYS = ("business_keys", "payload", "multi_active_keys", "dependent_keys", "driving_keys", "satellites", "links",
             "effectivity_satellites", "reference_keys")
TEXT_KEYS = ("hash_key", "parent", "hashdiff", "effective_from", "start_date", "end_date", "hub", "as_of_dates",
             "subject_area", "owner")


def split(text) -> list:
    """`a,b` or `a b` as a list; None stays None."""
    if text is None:
        return None
    return [part for part in str(text).replace(",", " ").split() if part]


def hub_item(text: str):
    """`hub` or `hub:role` or `hub:role:foreign_key` as a link's hubs item."""
    parts = text.split(":")
    if len(parts) == 1:
        return parts[0]
    if len(parts) > 3 or not all(parts):
        raise UsageError(f"--hubs item {text!r}: write hub, hub:role or hub:role:foreign_key")
    item = {"hub": parts[0], "role": parts[1]}
    if len(parts) == 3:
        item["foreign_key"] = parts[2]
    return item


def source_item(text: str) -> dict:
    """`model` or `source_name.table`, optionally with the source's business-key columns:
    `=col,col` (a hub, or a satellite of a hub) or `=ref:col,col;ref:col` (per hub reference of a link)."""
    ref, _, keys = text.partition("=")
    ref = ref.strip()
    if not ref:
        raise UsageError(f"--source {text!r}: name a model, or a dbt source as source_name.table_name")
    item = {"source": ref} if "." in ref else {"model": ref}
    if ":" in keys:
        mapping = {}
        for part in keys.split(";"):
            name, _, columns = part.partition(":")
            if not name.strip() or not split(columns):
                raise UsageError(f"--source {text!r}: write REF=ref:col,col;ref:col for a link's per-hub columns")
            mapping[name.strip()] = split(columns)
        item["business_keys"] = mapping
    elif keys:
        item["business_keys"] = split(keys)
    return item


def build_block(kind: str, values: dict) -> dict:
    """A dv block from values named like its keys (lists as lists; None means not given)."""
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    dv = {"kind": kind}
    for key in TEXT_KEYS:
        if values.get(key) is not None:
            dv[key] = values[key]
    for key in LIST_KEYS:
        if values.get(key) is not None:
            dv[key] = list(values[key])
    if values.get("hubs") is not None:
        dv["hubs"] = [hub_item(item) for item in values["hubs"]]
    if values.get("ghost_record"):
        dv["ghost_record"] = True
    sources = [source_item(text) for text in values.get("sources") or []]
    if values.get("record_source") is not None:
        if len(sources) != 1:
            raise UsageError("--record-source needs exactly one --source")
        sources[0]["record_source"] = values["record_source"]
    if sources:
        dv["sources"] = sources
    return ordered(dv)


def check_new(project_dir: str, planned, name: str) -> list:
    """The error findings `dv-spec validate` would report once `planned` is written and does not report now:
    those about `name`, and those the new entity causes elsewhere (a stage column defined two ways, ...)."""
    return [f for f in check_planned(project_dir, planned, [name]) if f.severity == "error"]


def project_after(project_dir: str, planned) -> Project:
    """The project as it would be once `planned` (a design_writer.Plan) is written; nothing is written."""
    project = load_project(project_dir)
    for path, (_, text) in planned.files.items():
        project.files = [f for f in project.files if f.path != path]
        project.entries = [e for e in project.entries if e.file.path != path]
        try:
            schema_file = SchemaFile(path, load_yaml(text))
        except YamlError as exc:  # pragma: no cover - the writer produces valid YAML
            raise UsageError(f"{path}: the new entry would not be valid YAML ({exc.message}); nothing written") from None
        project.files.append(schema_file)
        _collect(project, schema_file)
    return project


def check_planned(project_dir: str, planned, names) -> list:
    """The findings (every severity) `dv-spec validate` would report once `planned` is written and does not
    report now: those about the written `names`, and those the change causes elsewhere. Positions are in the
    files as they would be written."""
    def key(finding):
        return (finding.rule, finding.entity, finding.message)

    before = {key(f) for f in validate(build_design(load_project(project_dir)))}
    after = validate(build_design(project_after(project_dir, planned)))
    names = set(names)
    return [f for f in after if f.entity in names or key(f) not in before]


def relative_into(project: Project, into: str | None) -> str | None:
    if into is None:
        return None
    return design_writer.check_target(project, into if os.path.isabs(into) else into)


# ------------------------------------------------------------ entries from a file

ENTRY_KEYS = ("name", "description", "config", "meta", "dv")
_FENCE = re.compile(r"^```[ \t]*([A-Za-z]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)


@dataclass(frozen=True)
class Draft:
    """One entry of a file of entries: a name, its design block and (when given) its description."""

    name: str
    dv: dict
    description: str | None
    where: str  # file:line:col of the entry in the input


def read_entries(text: str, where: str = "-") -> list:
    """The entries of a YAML or JSON list of dbt model entries (`name`, `description`, `config.meta.dv`).

    Also read: a whole schema file (`models: [...]`), one entry on its own, the
    short form `{name, description, dv}`, and the ```yaml or ```json fenced blocks
    of an assistant's Markdown answer (every block, in order). Anything else is a
    UsageError naming the line.
    """
    blocks = [(m.group(2), _line_of(text, m.start(2))) for m in _FENCE.finditer(text)
              if m.group(1).lower() in ("", "yaml", "yml", "json")]
    drafts: list = []
    for body, first_line in blocks or [(text, 1)]:
        try:
            doc = load_yaml(body)
        except YamlError as exc:
            raise UsageError(f"{where}:{exc.line + first_line - 1}:{exc.col}: {exc.message}") from None

        def at(path, doc=doc, first_line=first_line):
            line, col = doc.position(path)
            return f"{where}:{line + first_line - 1}:{col}"

        drafts += _drafts_of(doc.data, at)
    return _checked(drafts, where)


def drafts_from(data, where: str = "entries") -> list:
    """The entries of already-parsed data (a list of model entries, as an MCP client sends them)."""
    def at(path):
        return where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)

    return _checked(_drafts_of(data, at), where)


def _checked(drafts: list, where: str) -> list:
    if not drafts:
        raise UsageError(f"{where}: no entries (expected a list of model entries with config.meta.dv)")
    seen: dict = {}
    for draft in drafts:
        if draft.name in seen:
            raise UsageError(f"{draft.where}: `{draft.name}` is given twice (also at {seen[draft.name]})")
        seen[draft.name] = draft.where
    return drafts


def _drafts_of(data, at) -> list:
    """`at(key path)` names a place in the input: a list of entries, a schema file, or one entry."""
    base = ()
    if isinstance(data, dict) and "models" in data:
        data, base = data["models"], ("models",)
    elif isinstance(data, dict):
        data, base = [data], None
    if not isinstance(data, list):
        raise UsageError(f"{at(())}: expected a list of model entries (name, description, config.meta.dv)")
    return [_draft(item, (lambda p, i=index: at(p if base is None else base + (i,) + p)))
            for index, item in enumerate(data)]


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _draft(item, at) -> Draft:
    if not isinstance(item, dict):
        raise UsageError(f"{at(())}: an entry is a mapping with name, description and config.meta.dv")

    name = item.get("name")
    try:
        check_name(name)
    except UsageError as exc:
        raise UsageError(f"{at(('name',))}: {exc}" if "name" in item else f"{at(())}: an entry needs a `name`") from None
    extra = [key for key in item if key not in ENTRY_KEYS]
    if extra:
        raise UsageError(f"{at((extra[0],))}: `{name}`: `{extra[0]}` is not written by dv-spec new (only name, "
                         "description and config.meta.dv); leave it out, or add it by hand afterwards")
    config = item.get("config") if isinstance(item.get("config"), dict) else {}
    meta = config.get("meta") if isinstance(config.get("meta"), dict) else {}
    places = [(path, value) for path, value in ((("config", "meta", "dv"), meta.get("dv")),
                                                 (("meta", "dv"), (item.get("meta") or {}).get("dv")
                                                  if isinstance(item.get("meta"), dict) else None),
                                                 (("dv",), item.get("dv"))) if value is not None]
    if not places:
        raise UsageError(f"{at(())}: `{name}` has no design block (config.meta.dv)")
    if len(places) > 1:
        raise UsageError(f"{at(places[1][0])}: `{name}` has two design blocks; keep config.meta.dv only")
    path, dv = places[0]
    if not isinstance(dv, dict):
        raise UsageError(f"{at(path)}: `{name}`: the design block is a mapping (kind, ...)")
    description = item.get("description")
    if description is not None and not isinstance(description, str):
        raise UsageError(f"{at(('description',))}: `{name}`: description is text")
    return Draft(name, dv, description.strip() if isinstance(description, str) else None, at(()))


def plan_entries(project: Project, drafts: list, into: str | None = None, replace: bool = False):
    """The planned write of every draft, as one design_writer.Plan.

    A new name is appended (to `into`, else beside the entity it references,
    in the file or in this batch, else its subject area's file). A name that
    is a design entity already is refused unless `replace`; then only its
    design block (and its description, when the draft gives one) changes, in
    place, keeping comments and formatting (the studio's `update_entry`).
    """
    design = build_design(project)
    targets: dict = {}
    new, changed = [], []
    for draft in drafts:
        check_name(draft.name)
        node = project.nodes.get(draft.name)
        if node is not None and node.resource_type != "model":
            raise UsageError(f"{draft.where}: `{draft.name}` is already a {node.resource_type}; choose another name")
        if draft.name in design.entities:
            if not replace:
                raise UsageError(f"{draft.where}: `{draft.name}` exists already ({design.entities[draft.name].file.path}); "
                                 "pass --replace to change its design")
            changed.append(draft)
            continue
        dv = ordered(dict(draft.dv))
        target = into or new_entity_file(design, dv, targets)
        targets[draft.name] = target
        new.append(Imported(draft.name, dv, description=draft.description or "", target=target))
    planned = design_writer.plan(project, new)
    for draft in changed:
        entry = design.entities[draft.name]
        if entry.file.doc is None or len(entry.model_path) != 2:
            raise UsageError(f"{entry.file.path}: `{draft.name}` cannot be changed here (its file could not be read)")
        old, text = planned.files.get(entry.file.path) or (None, None)
        if text is None:
            old = text = read_if_exists(os.path.join(project.root, entry.file.path))
        text = update_entry(text, entry.model_path[1], entry.path[len(entry.model_path):], draft.description, draft.dv)
        planned.files[entry.file.path] = (old, text)
        planned.replaced.append((draft.name, entry.file.path))
    return planned


def plan_version(planned) -> str:
    """A fingerprint of the files a plan starts from: a change on disk since the plan was made changes it."""
    digest = hashlib.sha256()
    for path, (old, _) in sorted(planned.files.items()):
        digest.update(path.encode("utf-8") + b"\0" + (old if old is not None else "\0missing").encode("utf-8") + b"\0")
    return digest.hexdigest()[:16]


def check_written_plan(planned, drafts: list) -> None:
    """Every planned file parses and holds exactly each draft's design (before anything is written)."""
    paths = {name: path for name, path in planned.added + planned.replaced}
    for draft in drafts:
        path = paths[draft.name]
        _check_written(planned.files[path][1], draft.name, draft.description, draft.dv, path)


@dataclass
class Proposal:
    """What writing some drafts would do: the plan, the findings, and a version naming both the drafts and
    the files they would change (a file changed on disk since gives another version)."""

    drafts: list
    planned: object  # design_writer.Plan
    findings: list  # Finding: new, or about the drafted entities
    version: str

    @property
    def errors(self) -> list:
        return [f for f in self.findings if f.severity == "error"]


def propose(project_dir: str, drafts: list, into: str | None = None, replace: bool = False) -> Proposal:
    """Plan and validate writing `drafts`; nothing is written."""
    project = load_project(project_dir)
    planned = plan_entries(project, drafts, relative_into(project, into), replace=replace)
    for path in planned.files:
        resolve_schema_file(project, path)  # under the model paths, symbolic links resolved
    findings = check_planned(project_dir, planned, [d.name for d in drafts])
    if not any(f.severity == "error" for f in findings):
        check_written_plan(planned, drafts)
    content = json.dumps([[d.name, d.description, jsonable(d.dv)] for d in drafts] + [into, replace], sort_keys=True)
    version = hashlib.sha256((plan_version(planned) + content).encode("utf-8")).hexdigest()[:16]
    return Proposal(drafts, planned, findings, version)
