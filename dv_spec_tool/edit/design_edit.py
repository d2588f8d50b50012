"""Edit the design in its schema YAML: add, change, rename and remove entities.

Every change is written so that nothing a person wrote is lost:

* files are changed through the shared writer, `yamledit`: only the edited
  model entry's lines change and every other byte of the file stays as
  written (the entry is re-emitted by ruamel's round trip, which keeps its
  comments, key order and quoting);
* inside the entry, a value is replaced only when it changed, and lists and
  mappings are edited in place, so untouched keys keep their comments and
  flow or block style;
* an edit names the version of the entity it started from
  (`entity_version`); when the file changed meanwhile (a person
  editing it in an editor) the edit is refused, never merged blindly;
* the new text is parsed again before it is written, and must hold exactly
  the intended design; files are written atomically (`files.write_atomic`);
* a file is only ever written under one of the project's model paths.

The functions on text (`update_entry`, `rename_in_entry`, `remove_entry`)
are pure; new entities are planned by `plan_new` with the writer of
`dv-spec new` and the importers (`design_writer`); `save_entity`, `delete_entity` and `rename_entity` read and write the
project's files. `connect` is pure too: it says how joining two shapes
changes one entity's design.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import re

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString, ScalarString

from dv_spec_tool.core.design import Design, build_design
from dv_spec_tool.core.dv_schema import kind_fields
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.files import read_if_exists, write_atomic
from dv_spec_tool.core.kinds import KINDS
from dv_spec_tool.core.project import DESIGN_KEY, SCHEMA_SUFFIXES, Project, is_identifier, load_project
from dv_spec_tool.core.yamlpos import YamlError, load_yaml
from dv_spec_tool.edit import design_writer
from dv_spec_tool.edit.yamledit import plain, remove_entries, splice_entries
from dv_spec_tool.importers.diagrams.to_design import Imported


def entity_version(description: str, dv) -> str:
    """A short fingerprint of an entity as written: edits name the version they
    started from, so a change made meanwhile in an editor is never overwritten."""
    text = json.dumps([description or "", jsonable(dv)], sort_keys=True, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def jsonable(value):
    """`value` with only JSON types: string keys, finite numbers."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class EditConflict(UsageError):
    """The entity changed on disk since the edit started (HTTP 409 in the studio)."""


# ------------------------------------------------------------------ on text
# Files are changed through the shared writer (yamledit): only the touched
# entries' lines change. What is decided here is what changes inside an entry.

def update_entry(text: str, index: int, design_path: tuple, description, dv: dict) -> str:
    """`text` with the entry at `models[index]` given this description and dv block.

    `design_path` is where the dv block lives inside the entry (from the
    loader: `("config", "meta", "dv")` or the older `("meta", "dv")`).
    `description=None` leaves the description as it is; `""` removes it.
    Values are replaced only where they changed, so untouched keys keep
    their comments, quoting and flow or block style.
    """
    def change(entry):
        before = plain(entry)
        if description is not None:
            _set_description(entry, description)
        parent = entry
        for key in design_path[:-1]:
            if key not in parent or not hasattr(parent[key], "keys"):
                parent[key] = _fresh({})
            parent = parent[key]
        key = design_path[-1]
        if key in parent and hasattr(parent[key], "keys"):
            _update_mapping(parent[key], dv)
        else:
            parent[key] = _fresh(dv)
        return [] if plain(entry) != before else None

    return _splice(text, index, change)


def rename_in_entry(text: str, index: int, new_name: str) -> str:
    def change(entry):
        if entry.get("name") == new_name:
            return None
        entry["name"] = _like(entry.get("name"), new_name)
        return []

    return _splice(text, index, change)


def remove_entry(text: str, index: int) -> str:
    return remove_entries(text, [index])


def _splice(text: str, index: int, change) -> str:
    try:
        return splice_entries(text, [(index, change)])
    except (IndexError, KeyError, TypeError):
        raise UsageError("the model entry is no longer where it was; reload") from None


# ------------------------------------------------------------ value updates

def _like(old, new):
    """`new` in the quoting style of `old` when both are strings."""
    if isinstance(old, ScalarString) and isinstance(new, str):
        return type(old)(new)
    return _fresh(new)


def _fresh(value):
    """A new YAML value in the house style: block mappings, flow lists of scalars."""
    if isinstance(value, dict):
        result = CommentedMap()
        for key, item in value.items():
            result[key] = _fresh(item)
        return result
    if isinstance(value, list):
        result = CommentedSeq(_fresh(v) for v in value)
        if all(not isinstance(v, (dict, list)) for v in value):
            result.fa.set_flow_style()
        return result
    if isinstance(value, str) and "\n" in value.rstrip("\n"):
        return LiteralScalarString(value)
    return value


def _update_mapping(target, new: dict) -> None:
    for key in [k for k in target.keys() if k not in new]:
        del target[key]
    for key, value in new.items():
        target[key] = _update_value(target[key], value) if key in target else _fresh(value)


def _update_value(old, new):
    if plain(old) == new and isinstance(old, bool) == isinstance(new, bool):
        return old
    if hasattr(old, "keys") and isinstance(new, dict):
        _update_mapping(old, new)
        return old
    if isinstance(old, list) and hasattr(old, "fa") and isinstance(new, list):
        for position in range(min(len(old), len(new))):
            old[position] = _update_value(old[position], new[position])
        while len(old) > len(new):
            del old[len(old) - 1]
        for value in new[len(old):]:
            old.append(_fresh(value))
        return old
    return _like(old, new) if isinstance(new, str) else _fresh(new)


def _set_description(entry, description: str) -> None:
    if not description:
        if "description" in entry:
            del entry["description"]
        return
    if "description" in entry:
        entry["description"] = _update_value(entry["description"], description)
        return
    # a new description goes right after the name, where dbt users expect it
    position = list(entry.keys()).index("name") + 1 if "name" in entry else 0
    entry.insert(position, "description", _fresh(description))


# ------------------------------------------------------------ on the project

def canonical_design(dv: dict) -> dict:
    """A design block with its keys in the contract's order (kind first), for new entities."""
    kind = dv.get("kind")
    order = ["kind"] + [f["key"] for f in kind_fields().get(kind, {}).get("fields", [])]
    ranked = sorted(dv, key=lambda k: (order.index(k) if k in order else len(order), str(k)))
    return {key: dv[key] for key in ranked}


def check_design_block(dv) -> dict:
    """The dv block an edit asks for: a mapping with a known kind (the rest is validate's job)."""
    if not isinstance(dv, dict):
        raise UsageError("the design must be a mapping (the `config.meta.dv` block)")
    kind = dv.get("kind")
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    return dv


def check_name(name) -> str:
    if not is_identifier(name):
        raise UsageError(f"entity name {name!r} is not a plain SQL identifier (letters, digits, _)")
    return name


def resolve_schema_file(project, relative: str) -> str:
    """The absolute path of a schema file a new entity may be written to.

    It must be a relative `.yml`/`.yaml` path under one of the project's model
    paths, and stay inside the project once symbolic links are resolved.
    """
    if not isinstance(relative, str) or not relative.strip():
        raise UsageError("choose a schema file for the new entity")
    relative = relative.strip().replace("\\", "/")
    if os.path.isabs(relative) or relative.startswith("/") or re.match(r"^[A-Za-z]:", relative):
        raise UsageError(f"{relative}: give a path relative to the project")
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise UsageError(f"{relative}: a plain relative path without `.` or `..`, please")
    if not relative.endswith(SCHEMA_SUFFIXES):
        raise UsageError(f"{relative}: a schema file ends with .yml or .yaml")
    if not any(relative.startswith(p.strip("/") + "/") for p in project.model_paths):
        raise UsageError(f"{relative}: the design lives under the model paths ({', '.join(project.model_paths)})")
    root = os.path.realpath(project.root)
    target = os.path.realpath(os.path.join(root, *parts))
    if os.path.commonpath([root, target]) != root:
        raise UsageError(f"{relative}: resolves outside the project; refused")
    return target


def default_schema_file(design: Design, subject_area: str) -> str:
    """Where a new entity goes: the file holding most of its subject area, else a new one."""
    counts: dict = {}
    for entry in design.entities.values():
        if isinstance(entry.dv, dict) and entry.dv.get("subject_area") == subject_area and subject_area:
            counts[entry.file.path] = counts.get(entry.file.path, 0) + 1
    if counts:
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]
    area = subject_area if subject_area and is_identifier(subject_area) else "vault"
    return f"{design.project.model_paths[0].strip('/')}/{area}/_{area}__design.yml"



def _check_written(text: str, name: str, description, dv: dict, path: str) -> None:
    """Parse the new text and make sure it holds exactly the intended entity."""
    try:
        doc = load_yaml(text)
    except YamlError as exc:
        raise UsageError(f"{path}: the edit would not give valid YAML ({exc.message}); nothing written") from None
    models = doc.data.get("models") if isinstance(doc.data, dict) else None
    found = [m for m in models or [] if isinstance(m, dict) and m.get("name") == name]
    if len(found) != 1:
        raise UsageError(f"{path}: the edit would not leave exactly one `{name}`; nothing written")
    entry = found[0]
    meta = (entry.get("config") or {}).get("meta") or {}
    written = meta.get(DESIGN_KEY, (entry.get("meta") or {}).get(DESIGN_KEY))
    if written != dv or (description is not None and (entry.get("description") or "") != description):
        raise UsageError(f"{path}: the edit did not come out as intended; nothing written (please report it)")


def _entry(design: Design, name: str):
    entry = design.entities.get(name)
    if entry is None:
        raise UsageError(f"no design entity named `{name}`")
    if entry.file.doc is None or len(entry.model_path) != 2 or entry.model_path[0] != "models":
        raise UsageError(f"{entry.file.path}: `{name}` cannot be edited here (its file could not be read)")
    return entry


def _check_version(entry, base_version) -> None:
    if base_version is not None and entity_version(entry.description, entry.dv) != base_version:
        raise EditConflict(f"{entry.file.path}: `{entry.name}` was changed since it was loaded (by an editor?); "
                           "reload and edit again")


def save_entity(root: str, name: str, dv, description=None, base_version=None, file=None, create=None) -> str:
    """Write one entity's design (create it when it does not exist); returns the file written.

    `base_version` is the version the edit started from (None: no check).
    `file` is where a new entity goes (default: beside the entity it references,
    else its subject area's file, else a new file for the subject area).
    `create=True` refuses to touch an entity that exists already,
    `create=False` refuses to add one that does not.
    """
    check_name(name)
    dv = check_design_block(dv)
    if description is not None and not isinstance(description, str):
        raise UsageError("description must be text")
    design = _fresh_design(root)
    if create and name in design.entities:
        raise UsageError(f"`{name}` exists already ({design.entities[name].file.path}); choose another name")
    if create is False and name not in design.entities:
        raise UsageError(f"no design entity named `{name}`")
    if name not in design.entities:
        return _create(design, name, dv, description or "", file)
    entry = _entry(design, name)
    _check_version(entry, base_version)
    path = os.path.join(design.project.root, entry.file.path)
    text = read_if_exists(path)
    design_path = entry.path[len(entry.model_path):]
    new = update_entry(text, entry.model_path[1], design_path, description, dv)
    if new == text:
        return entry.file.path
    _check_written(new, name, description, dv, entry.file.path)
    write_atomic(path, new)
    return entry.file.path


def _create(design: Design, name: str, dv: dict, description: str, file) -> str:
    """A new entity, written by the writer `dv-spec new` and the importers use (design_writer):
    beside the entity it references or in its subject area's file, unless `file` is given.
    Unlike `dv-spec new`, an incomplete design is written: the studio shows its findings."""
    dv = canonical_design(dv)
    if file:
        resolve_schema_file(design.project, file)
    planned = plan_new(design.project, name, dv, description, into=file or None)
    for path, (_, new) in planned.files.items():
        resolve_schema_file(design.project, path)  # a default path is held to the same rule
        _check_written(new, name, description, dv, path)
    design_writer.apply(design.project, planned)
    return planned.added[0][1]


def default_file(project: Project, name: str, dv: dict) -> str:
    """Beside the entity it references (parent, hub, first hub), else the subject area's file."""
    return new_entity_file(build_design(project), dv, {})


def plan_new(project: Project, name: str, dv: dict, description: str = "", into: str | None = None):
    """The planned write of one new entity (refused when the name is taken)."""
    check_name(name)
    taken = design_writer.existing_entry(project, name)
    if taken is not None:
        raise UsageError(f"`{name}` exists already ({taken}); choose another name")
    if name in project.nodes and project.nodes[name].resource_type != "model":
        raise UsageError(f"`{name}` is already a {project.nodes[name].resource_type}; choose another name")
    entity = Imported(name, dv, description=description or "")
    target = into or default_file(project, name, dv)
    return design_writer.plan(project, [entity], into=target)


def new_entity_file(design, dv: dict, batch: dict) -> str:
    """Beside the entity it references (in the design, else earlier in the batch), else its subject area's file."""
    first_hub = (dv.get("hubs") or [None])[0] if isinstance(dv.get("hubs"), list) else None
    for other in (dv.get("parent"), dv.get("hub"), first_hub if isinstance(first_hub, str) else
                  (first_hub or {}).get("hub") if isinstance(first_hub, dict) else None):
        if isinstance(other, str) and other in design.entities:
            return design.entities[other].file.path
        if isinstance(other, str) and other in batch:
            return batch[other]
    area = dv.get("subject_area")
    return default_schema_file(design, area if isinstance(area, str) else "")


def delete_entity(root: str, name: str, base_version=None) -> str:
    design = _fresh_design(root)
    entry = _entry(design, name)
    _check_version(entry, base_version)
    path = os.path.join(design.project.root, entry.file.path)
    new = remove_entry(read_if_exists(path), entry.model_path[1])
    try:
        doc = load_yaml(new)
    except YamlError as exc:
        raise UsageError(f"{entry.file.path}: removing `{name}` would not give valid YAML ({exc.message})") from None
    remaining = [m for m in (doc.data or {}).get("models") or [] if isinstance(m, dict) and m.get("name") == name]
    if len(remaining) >= sum(1 for e in design.project.entries if e.name == name and e.file is entry.file):
        raise UsageError(f"{entry.file.path}: could not remove `{name}`; nothing written")
    write_atomic(path, new)
    return entry.file.path


REFERENCE_KEYS = ("parent", "hub", "hubs", "satellites", "links", "effectivity_satellites", "driving_keys")
MEMBER_MAPPINGS = ("link_columns", "satellite_name_columns")  # keyed by the names of listed links or satellites


def renamed_references(dv, old: str, new: str):
    """A copy of a design block with references to entity `old` pointing at `new`
    (None when it does not mention `old`).

    >>> renamed_references({"kind": "link", "hubs": ["hub_a", {"hub": "hub_b"}],
    ...     "sources": [{"model": "m", "business_keys": {"hub_a": ["x"]}}]}, "hub_a", "hub_c")
    {'kind': 'link', 'hubs': ['hub_c', {'hub': 'hub_b'}], 'sources': [{'model': 'm', 'business_keys': {'hub_c': ['x']}}]}
    >>> renamed_references({"kind": "bridge", "links": ["l_a"], "link_columns": {"l_a": {"key": "L_PK"}}}, "l_a", "l_b")
    {'kind': 'bridge', 'links': ['l_b'], 'link_columns': {'l_b': {'key': 'L_PK'}}}
    """
    if not isinstance(dv, dict):
        return None
    result = copy.deepcopy(dv)
    changed = False
    for key in REFERENCE_KEYS:
        value = result.get(key)
        if value == old:
            result[key], changed = new, True
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if item == old:
                    value[index], changed = new, True
                elif isinstance(item, dict) and item.get("hub") == old:
                    item["hub"], changed = new, True
    for key in MEMBER_MAPPINGS:
        members = result.get(key)
        if isinstance(members, dict) and old in members and new not in members:
            result[key], changed = {(new if k == old else k): v for k, v in members.items()}, True
    for source in result.get("sources") if isinstance(result.get("sources"), list) else []:
        keys = source.get("business_keys") if isinstance(source, dict) else None
        if isinstance(keys, dict) and old in keys and new not in keys:
            source["business_keys"] = {(new if k == old else k): v for k, v in keys.items()}
            changed = True
    return result if changed else None


def rename_entity(root: str, old: str, new: str, base_version=None) -> list:
    """Rename an entity and every reference to it; returns the files written."""
    check_name(new)
    design = _fresh_design(root)
    entry = _entry(design, old)
    _check_version(entry, base_version)
    if new in design.entities or (new in design.project.nodes and new != old):
        raise UsageError(f"`{new}` is already taken; choose another name")
    texts: dict = {}

    def text_of(item):
        path = os.path.join(design.project.root, item.file.path)
        if path not in texts:
            texts[path] = read_if_exists(path)
        return path

    path = text_of(entry)
    texts[path] = rename_in_entry(texts[path], entry.model_path[1], new)
    for other in design.entities.values():
        changed = renamed_references(other.dv, old, new)
        if changed is None or other.name == old:
            continue
        if other.file.doc is None or len(other.model_path) != 2:
            raise UsageError(f"{other.file.path}: `{other.name}` refers to `{old}` but cannot be edited")
        other_path = text_of(other)
        texts[other_path] = update_entry(texts[other_path], other.model_path[1],
                                         other.path[len(other.model_path):], None, changed)
    for path, text in texts.items():
        try:
            load_yaml(text)
        except YamlError as exc:
            raise UsageError(f"{path}: the rename would not give valid YAML ({exc.message}); nothing written") from None
    for path, text in sorted(texts.items()):
        write_atomic(path, text)
    return sorted(os.path.relpath(p, design.project.root).replace(os.sep, "/") for p in texts)


def _fresh_design(root: str) -> Design:
    return build_design(load_project(root))


# ------------------------------------------------------------------- connect

# (kind of the first shape, kind of the second) -> how the second joins the first.
_CONNECT = {
    ("link", "hub"): ("from", "hubs"),
    ("nh_link", "hub"): ("from", "hubs"),
    ("sat", "hub"): ("from", "parent"),
    ("sat", "link"): ("from", "parent"),
    ("sat", "nh_link"): ("from", "parent"),
    ("ma_sat", "hub"): ("from", "parent"),
    ("ma_sat", "link"): ("from", "parent"),
    ("eff_sat", "link"): ("from", "parent"),
    ("pit", "hub"): ("from", "hub"),
    ("pit", "sat"): ("from", "satellites"),
    ("pit", "ma_sat"): ("from", "satellites"),
    ("bridge", "hub"): ("from", "hub"),
    ("bridge", "link"): ("from", "links"),
    ("bridge", "eff_sat"): ("from", "effectivity_satellites"),
}


def connect(design: Design, first: str, second: str) -> tuple[str, dict]:
    """Join two shapes: (the entity whose design changes, its new design block).

    The order of the two does not matter: a satellite and a hub give the
    satellite that hub as parent; a link and a hub add the hub to the link.

    >>> from dv_spec_tool.core.project import Project, EntityEntry
    >>> from dv_spec_tool.core.design import build_design
    >>> p = Project("/", "p", {}); f = None
    >>> p.entries = [EntityEntry("hub_a", {"kind": "hub"}, f, (), ()),
    ...              EntityEntry("link_x", {"kind": "link", "hubs": ["hub_b"]}, f, (), ())]
    >>> connect(build_design(p), "hub_a", "link_x")
    ('link_x', {'kind': 'link', 'hubs': ['hub_b', 'hub_a']})
    """
    if not isinstance(first, str) or not isinstance(second, str):
        raise UsageError("connect names two shapes (`from` and `to`, entity names)")
    if first == second:
        raise UsageError("connect two different shapes")
    kinds = {}
    for name in (first, second):
        kinds[name] = design.kind_of(name)
        if design.get(name) is None:
            raise UsageError(f"no design entity named `{name}`")
        if kinds[name] is None:
            raise UsageError(f"`{name}` has no valid kind yet; fix its design first")
    for owner, target in ((first, second), (second, first)):
        rule = _CONNECT.get((kinds[owner], kinds[target]))
        if rule is None:
            continue
        key = rule[1]
        dv = copy.deepcopy(design.get(owner).dv)
        if key in ("hubs", "satellites", "links", "effectivity_satellites"):
            current = dv.get(key) if isinstance(dv.get(key), list) else []
            mentioned = [i if isinstance(i, str) else (i.get("hub") if isinstance(i, dict) else None) for i in current]
            if target in mentioned and key != "hubs":
                raise UsageError(f"`{owner}` already lists `{target}` in {key}")
            if target in mentioned:
                raise UsageError(f"`{owner}` already joins `{target}`; a hub that appears twice needs roles "
                                 "(edit `hubs` in the form)")
            dv[key] = current + [target]
        else:
            dv[key] = target
        return owner, dv
    raise UsageError(f"cannot connect a {kinds[first]} and a {kinds[second]} directly "
                     f"({_CONNECT_HINTS.get(frozenset((kinds[first], kinds[second])), 'see the design contract')})")


_CONNECT_HINTS = {
    frozenset(("hub",)): "hubs are joined by a link: add a link and connect it to both hubs",
    frozenset(("hub", "eff_sat")): "an effectivity satellite hangs off a link",
    frozenset(("sat",)): "a satellite hangs off a hub or a link",
    frozenset(("link",)): "links join hubs",
}
