"""Write imported or new design entities into a project's schema YAML.

The one writer behind `dv-spec import ...` and `dv-spec new`. For each
entity:

* a model entry with that name and a design block already exists: it is
  kept as the person wrote it, unless `force`, which replaces only its `dv`
  block (in the file it lives in);
* a model entry with that name exists without a design (a documented model):
  its `config.meta.dv` block is added, nothing else in it changes;
* otherwise a new entry is appended to the entity's target file (`--into`,
  the reader's choice, or a default), created if needed.

Every file is changed through yamledit, so every byte outside the touched
entries stays as it was. Each TODO becomes a `# TODO(dv-spec): ...` comment
above the key it concerns, and a `Todo` with the file and line it was
written at, for the report.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field

from dv_spec_tool.core.dv_schema import dv_schema
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.files import read_if_exists, write_atomic
from dv_spec_tool.core.findings import clip
from dv_spec_tool.core.project import DESIGN_KEY, SCHEMA_SUFFIXES, Project, kept_for_dbt
from dv_spec_tool.edit.yamledit import TODO_MARK, append_entries, block, entry_lines, splice_entries, todo_lines


@dataclass(frozen=True)
class Todo:
    file: str
    line: int
    entity: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: TODO {self.entity}: {self.message}"


@dataclass
class Plan:
    files: dict = field(default_factory=dict)  # path -> (old text or None, new text)
    added: list = field(default_factory=list)  # (name, path)
    replaced: list = field(default_factory=list)  # (name, path)
    kept: list = field(default_factory=list)  # (name, path): already designed, not replaced
    todos: list = field(default_factory=list)  # Todo


def check_target(project: Project, path: str) -> str:
    """A schema file path relative to the project, under one of its model paths."""
    if os.path.isabs(path):
        relative = os.path.relpath(os.path.realpath(path), os.path.realpath(project.root))
    else:
        relative = os.path.normpath(path)
    relative = relative.replace(os.sep, "/")
    if relative.startswith("../") or relative == "..":
        raise UsageError(f"{path}: outside the project ({project.root})")
    if not relative.endswith(SCHEMA_SUFFIXES):
        raise UsageError(f"{path}: a schema file ends with .yml or .yaml")
    if not any(relative.startswith(folder.strip("/") + "/") for folder in project.model_paths):
        raise UsageError(f"{path}: design files live under the model paths ({', '.join(project.model_paths)})")
    return relative


def _refuse_overlong_values(entity) -> None:
    """A name or value longer than an identifier can be is a usage error, said once and briefly, before
    any YAML is written (a diagram or model can carry megabytes where a name goes)."""
    longest = dv_schema()["$defs"]["identifier"]["maxLength"]
    stack = [entity.name, entity.dv]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and len(value) > longest:
            raise UsageError(clip(f"{entity.where or entity.name}: a name of {len(value):,} characters "
                                  f"(at most {longest} make an identifier): {value}"))


def plan(project: Project, entities: list, into: str | None = None, default=None, force: bool = False) -> Plan:
    """What writing `entities` (to_design.Imported) would change, without writing.

    `into` is the file for new entries (relative to the project); else each
    entity's own `target`, else `default(entity)`.
    """
    for entity in entities:
        _refuse_overlong_values(entity)
    existing = _existing_entries(project)
    result = Plan()
    texts: dict = {}  # path -> current new text
    originals: dict = {}
    splices: dict = {}  # path -> [(index, change)]
    appends: dict = {}  # path -> [(entry, annotations)]
    written: list = []  # (name, path, todos)
    for entity in entities:
        found = existing.get(entity.name)
        if found is not None:
            path, index, location = found
            if location is not None and not force:
                result.kept.append((entity.name, path))
                continue
            splices.setdefault(path, []).append((index, _change(entity, location)))
            (result.replaced if location is not None else result.added).append((entity.name, path))
        else:
            path = check_target(project, into) if into else (entity.target or (default(entity) if default else None))
            if not path:
                raise UsageError(f"no schema file for `{entity.name}`: pass --into PATH")
            path = check_target(project, path)
            appends.setdefault(path, []).append((_new_entry(entity), _annotations(entity, ("config", "meta", DESIGN_KEY))))
            result.added.append((entity.name, path))
        written.append((entity.name, path, entity.todos))
    broken = {f.path: f.error for f in project.files if f.error is not None}
    for path in sorted(set(splices) | set(appends)):
        if path in broken:
            error = broken[path]
            raise UsageError(f"{path}:{error.line}:{error.col}: cannot add to this file: {error.message}; fix it first")
        if path not in originals:
            originals[path] = read_if_exists(os.path.join(project.root, path))
        text = originals[path]
        if path in splices:
            text = splice_entries(text, splices[path])
        if path in appends:
            text = append_entries(text, appends[path])
        texts[path] = text
        result.files[path] = (originals[path], text)
    for name, path, todos in written:
        start = entry_lines(texts[path]).get(name, 1)
        messages = [message for _, message in todos]
        for line, message in zip(todo_lines(texts[path], start, messages), messages):
            result.todos.append(Todo(path, line, name, message))
    return result


def apply(project: Project, result: Plan) -> list:
    """Write the planned files atomically; returns (path, created|updated) pairs."""
    done = []
    for path, (old, new) in sorted(result.files.items()):
        if old == new:
            continue
        write_atomic(os.path.join(project.root, path), new)
        done.append((path, "created" if old is None else "updated"))
    return done


def diff(result: Plan) -> str:
    """A unified diff of every planned change (what --dry-run shows)."""
    chunks = []
    for path, (old, new) in sorted(result.files.items()):
        chunks += difflib.unified_diff((old or "").splitlines(True), new.splitlines(True),
                                       fromfile=f"a/{path}" if old is not None else "/dev/null", tofile=f"b/{path}")
    return "".join(chunks)


def existing_entry(project: Project, name: str) -> str | None:
    """The schema file holding a model entry named `name`, or None."""
    found = _existing_entries(project).get(name)
    return found[0] if found else None


# ------------------------------------------------------------------ helpers

def _existing_entries(project: Project) -> dict:
    """{model name: (file, index in its models list, dv location or None)} of every schema file."""
    found = {}
    for schema_file in project.files:
        data = schema_file.doc.data if schema_file.doc is not None else None
        models = data.get("models") if isinstance(data, dict) else None
        for index, entry in enumerate(models if isinstance(models, list) else []):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or entry["name"] in found:
                continue
            config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
            meta = config.get("meta") if isinstance(config.get("meta"), dict) else {}
            top = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
            location = ("config", "meta") if DESIGN_KEY in meta else (("meta",) if DESIGN_KEY in top else None)
            found[entry["name"]] = (schema_file.path, index, location)
    return found


def _new_entry(entity):
    entry = {"name": entity.name}
    if entity.description:
        entry["description"] = entity.description
    entry["config"] = {"meta": {DESIGN_KEY: kept_for_dbt(entity.dv)}}
    return block(entry)


def _annotations(entity, base: tuple) -> list:
    annotations = []
    for key, message in entity.todos:
        where = key if key in entity.dv else "kind"
        annotations.append((base + (where,), message))
    return annotations


def _change(entity, location):
    """Replace (location given) or add (None) an existing entry's design block."""

    def change(entry):
        if location is None:
            config = entry.setdefault("config", block({}))
            if not isinstance(config, dict):
                raise UsageError(f"`{entity.name}`: its `config` is not a mapping; add the design by hand")
            meta = config.setdefault("meta", block({}))
            if not isinstance(meta, dict):
                raise UsageError(f"`{entity.name}`: its `config.meta` is not a mapping; add the design by hand")
            meta[DESIGN_KEY] = block(kept_for_dbt(entity.dv))
            if entity.description and not entry.get("description"):
                entry.insert(1, "description", entity.description)
            base = ("config", "meta", DESIGN_KEY)
        else:
            holder = entry
            for key in location:
                holder = holder[key]
            holder[DESIGN_KEY] = block(kept_for_dbt(entity.dv))
            base = location + (DESIGN_KEY,)
        return _annotations(entity, base)

    return change



__all__ = ["Plan", "Todo", "TODO_MARK", "apply", "check_target", "diff", "existing_entry", "plan"]
