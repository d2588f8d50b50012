"""`dv-spec new`: one design entity from command-line values, checked before it is written.

`build_block(kind, values)` turns plain values into a `dv` block (keys in the
contract's order); `plan_new` plans writing it with the importers' writer
(design_writer), and `check_new` validates the project as it would be after
the write, so a block that `dv-spec validate` would reject is never written.
"""

from __future__ import annotations

import os

from . import design_writer
from .design import KINDS, build_design
from .diagrams.to_design import Imported, ordered
from .errors import UsageError
from .project import Project, SchemaFile, _collect
from .yamlpos import YamlError, load_yaml

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


def default_file(project: Project, name: str, dv: dict) -> str:
    """Beside the entity it references (parent, hub, first hub), else the subject area's file."""
    from .design_edit import default_schema_file

    design = build_design(project)
    first_hub = (dv.get("hubs") or [None])[0]
    for other in (dv.get("parent"), dv.get("hub"), first_hub if isinstance(first_hub, str) else
                  (first_hub or {}).get("hub")):
        if isinstance(other, str) and other in design.entities:
            return design.entities[other].file.path
    return default_schema_file(design, dv.get("subject_area") or "")


def plan_new(project: Project, name: str, dv: dict, description: str = "", into: str | None = None):
    """The planned write of one new entity (refused when the name is taken)."""
    from .design_edit import check_name

    check_name(name)
    taken = design_writer.existing_entry(project, name)
    if taken is not None:
        raise UsageError(f"`{name}` exists already ({taken}); choose another name")
    if name in project.nodes and project.nodes[name].resource_type != "model":
        raise UsageError(f"`{name}` is already a {project.nodes[name].resource_type}; choose another name")
    entity = Imported(name, dv, description=description or "")
    target = into or default_file(project, name, dv)
    return design_writer.plan(project, [entity], into=target)


def check_new(project_dir: str, planned, name: str) -> list:
    """The error findings `dv-spec validate` would report once `planned` is written and does not report now:
    those about `name`, and those the new entity causes elsewhere (a stage column defined two ways, ...)."""
    from .project import load_project
    from .validate import validate

    def key(finding):
        return (finding.rule, finding.entity, finding.message)

    before = {key(f) for f in validate(build_design(load_project(project_dir))) if f.severity == "error"}
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
    design = build_design(project)
    return [f for f in validate(design) if f.severity == "error" and (f.entity == name or key(f) not in before)]


def relative_into(project: Project, into: str | None) -> str | None:
    if into is None:
        return None
    return design_writer.check_target(project, into if os.path.isabs(into) else into)
