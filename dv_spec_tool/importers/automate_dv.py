"""Reverse-engineer an AutomateDV project into the design contract.

`import_project(project)` reads every model's `automate_dv.*` call
(automate_dv_reader), then rebuilds the design entity each vault model
stands for: hubs from `src_pk`/`src_nk`, links from `src_fk` (matched to
hubs by hash key, `<role>_<hash key>` for role-playing references),
satellites from the hub or link whose hash key is their `src_pk`, and so on.
Each table's `source_model` stages are followed back to their own
`source_model` to recover the sources, business-key mappings (the columns
the stage hashes into each key), record sources (`!literal` derived
columns) and load datetime columns.

A stage named as dv-spec would derive it (`stg_<source>`) that computes
nothing beyond what the design implies becomes implicit; any other stage is
kept as a declared `kind: stage` entity, so the project's models keep their
names. Optional keys that only repeat a default (a mapping onto the same
names, a record source equal to the source's name) are dropped, decided by
the design's one resolver (`resolve_design`), not by a second copy of its
rules. What cannot be represented or read becomes a TODO (on the entity) or
a problem (on the model file).
"""

from __future__ import annotations

import copy
import itertools
import os
import re
from dataclasses import dataclass, field

from dv_spec_tool.core import macro_api
from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.dv_schema import schema_errors
from dv_spec_tool.core.files import read_text
from dv_spec_tool.core.kinds import HASH_KEY_KINDS, KIND_OF_MACRO, MODEL_KINDS, PARENT_KINDS, SAT_KINDS
from dv_spec_tool.core.project import Project, is_identifier
from dv_spec_tool.core.resolved_design import ResolvedEntity
from dv_spec_tool.core.yamlpos import YamlError
from dv_spec_tool.importers.automate_dv_reader import PASS_THROUGH, ModelCall, read_model
from dv_spec_tool.importers.diagrams.to_design import Imported, Reading, ordered

ORDER = ("stage", *MODEL_KINDS)  # stages first, then the models in the table's order


@dataclass
class ProjectReading(Reading):
    """The imported entities, problems, and the vars.dv_spec settings the models imply (to add to dbt_project.yml)."""

    settings: dict = field(default_factory=dict)


def import_project(project: Project) -> ProjectReading:
    """The design entities of a dbt project's AutomateDV models, with TODOs and problems."""
    calls = read_models(project)
    return reverse(calls, build_design(project))


def project_vars(project: Project) -> dict:
    """The vars `var()` sees in the project's own models: top-level ones, and those scoped to the project."""
    doc = project.project_doc
    variables = doc.data.get("vars") if doc is not None and isinstance(doc.data, dict) else None
    if not isinstance(variables, dict):
        return {}
    found = {k: v for k, v in variables.items() if not isinstance(v, dict) or k == "dv_spec"}
    scoped = variables.get(project.name)
    if isinstance(scoped, dict):
        found.update(scoped)
    return found


def read_models(project: Project) -> list:
    """The AutomateDV call (or why it cannot be read) of every .sql model under the model paths."""
    variables = project_vars(project)
    calls = []
    for folder in project.model_paths:
        base = os.path.join(project.root, folder)
        for directory, subdirs, files in os.walk(base):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for file_name in sorted(files):
                if not file_name.endswith(".sql"):
                    continue
                full = os.path.join(directory, file_name)
                rel = os.path.relpath(full, project.root).replace(os.sep, "/")
                name = file_name[:-4]
                try:
                    text = read_text(full)
                except (OSError, YamlError) as exc:
                    calls.append(ModelCall(name, rel, error=f"cannot be read: {exc}"))
                    continue
                calls.append(read_model(name, rel, text, variables))
    return calls


def _lower(mapping) -> dict:
    return {str(k).lower(): (k, v) for k, v in (mapping or {}).items()} if isinstance(mapping, dict) else {}


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


@dataclass
class _Stage:
    call: ModelCall
    ref: str = ""
    ref_type: str = "model"
    derived: dict = field(default_factory=dict)  # lower name -> (name, value)
    hashed: dict = field(default_factory=dict)
    declared_because: list = field(default_factory=list)
    explained_derived: set = field(default_factory=set)
    explained_hashed: set = field(default_factory=set)
    consumers: list = field(default_factory=list)

    def trace(self, column: str) -> str:
        """The source column a stage input column comes from (through a plain derived rename)."""
        found = self.derived.get(str(column).lower())
        value = found[1] if found else None
        if isinstance(value, dict):  # {source_column: POSITION, escape: true}
            value = value.get("source_column")
        if is_identifier(value):
            return value
        return column

    def hash_inputs(self, column: str):
        """The columns hashed into `column` (None when the stage does not compute it)."""
        found = self.hashed.get(str(column).lower())
        if found is None:
            return None
        self.explained_hashed.add(str(column).lower())
        value = found[1]
        if isinstance(value, dict):
            return None
        return [self.trace(c) for c in _as_list(value)]

    def hashdiff_columns(self, column: str):
        found = self.hashed.get(str(column).lower())
        if found is None or not isinstance(found[1], dict):
            return None
        self.explained_hashed.add(str(column).lower())
        return found[1]


class _Reverse:
    def __init__(self, calls: list, design):
        self.design = design
        self.reading = ProjectReading()
        self.entities = {}  # name -> Imported
        self.stage_uses = []  # (entity, source index, stage)
        self.calls = {}
        for call in calls:
            if call.error:
                self.reading.problems.append((f"{call.path}:{call.line or 1}",
                                              f"model `{call.name}`: cannot read its "
                                              f"{'automate_dv.' + call.macro if call.macro else 'AutomateDV'} "
                                              f"call: {call.error}; left out"))
            elif call.macro:
                self.calls[call.name] = call
            for note in call.notes:
                self.reading.problems.append((f"{call.path}:{call.line or 1}", f"model `{call.name}`: {note}; check it"))
        self.new_settings = self._project_settings()
        self.settings_input = dict(design.settings_input, **self.new_settings)
        self.settings = macro_api.design_settings(self.settings_input)
        self.ldts = self.settings["load_datetime_column"]
        self.rsrc = self.settings["record_source_column"]
        self.stages = {name: self._stage(call) for name, call in self.calls.items() if call.macro == "stage"}
        self.hash_owner = {}  # lower hash key -> (entity name, kind), from the existing design too
        for entry in design.entities.values():
            if isinstance(entry.dv, dict) and entry.dv.get("kind") in HASH_KEY_KINDS \
                    and isinstance(entry.dv.get("hash_key"), str):
                self.hash_owner.setdefault(entry.dv["hash_key"].lower(), (entry.name, entry.dv["kind"]))
        self.known = {name: entry.dv for name, entry in design.entities.items() if isinstance(entry.dv, dict)}
        self.shared_keys = {}  # lower hash key -> [(entity, kind)] when a link's key is also another entity's

    # ------------------------------------------------------------ driver
    def run(self) -> ProjectReading:
        for macro, call in self.calls.items():
            if call.macro not in KIND_OF_MACRO and call.macro != "stage" and call.macro not in PASS_THROUGH:
                self.reading.problems.append((f"{call.path}:{call.line}", f"model `{call.name}`: automate_dv.{call.macro} "
                                              "is not a table macro dv-spec designs; left out"))
        for kind in ORDER[1:]:
            for name, call in self.calls.items():
                if KIND_OF_MACRO.get(call.macro) == kind:
                    entity = Imported(name, {"kind": kind}, target=_beside(call.path),
                                      where=f"{call.path}:{call.line}")
                    getattr(self, f"_{kind}")(entity, call)
                    if _same_metadata(call):
                        entity.todos.append(("sources", f"sources: `{name}` passes `{call.args['src_ldts']}` as both "
                                             "src_ldts and src_source: its record source would be its load datetime "
                                             "(and AutomateDV selects the column twice); pass the record-source column "
                                             "as src_source"))
                    if kind != "ref_table" and call.args.get("src_extra_columns"):
                        entity.todos.append(("kind", f"`{name}` also loads src_extra_columns "
                                             f"{call.args['src_extra_columns']!r}, which the design does not hold: "
                                             "keep them in the model by hand, or model them as a satellite"))
                    if kind in HASH_KEY_KINDS and isinstance(entity.dv.get("hash_key"), str):
                        key = entity.dv["hash_key"].lower()
                        owner = self.hash_owner.get(key)
                        if owner and owner[0] != name and owner[0] in self.entities:
                            self.shared_keys.setdefault(key, [owner]).append((name, kind))
                            entity.todos.append(("hash_key", f"hash_key: `{entity.dv['hash_key']}` is also the hash key "
                                                 f"of {owner[1]} `{owner[0]}`: a {kind}'s key must be its own (hash "
                                                 "the keys of all its hubs); which is right?"))
                        else:
                            self.hash_owner[key] = (name, kind)
                    self.entities[name] = entity
                    self.known[name] = entity.dv
        self._settle_stages()
        self._check_settings()
        self._naming()
        _simplify(self.design, list(self.entities.values()), self.settings_input)
        self.reading.settings = self.new_settings
        for entity in self.entities.values():
            entity.dv = ordered(entity.dv)
        self.reading.entities = sorted(self.entities.values(),
                                       key=lambda e: (ORDER.index(e.dv["kind"]), e.target, e.name))
        return self.reading

    # ------------------------------------------------------------ stages
    def _stage(self, call: ModelCall) -> _Stage:
        stage = _Stage(call)
        source = call.args.get("source_model")
        if isinstance(source, dict) and len(source) == 1:
            (source_name, table), = source.items()
            stage.ref, stage.ref_type = f"{source_name}.{table}", "source"
        elif isinstance(source, str):
            stage.ref = source
        stage.derived = _lower(call.args.get("derived_columns"))
        stage.derived.update(_lower(call.wrapper_columns))  # `SELECT *, expr AS column FROM (stage)` around the call
        stage.hashed = _lower(call.args.get("hashed_columns"))
        for extra in ("ranked_columns", "null_columns"):
            if call.args.get(extra):
                stage.declared_because.append(f"it sets {extra}")
        return stage

    def _source_item(self, entity: Imported, model: str) -> tuple:
        """The design source for one `source_model` of a vault model, and its stage (None for a non-stage model)."""
        for _ in range(10):  # through dv-spec's pass-through models (unloaded_rows) to the stage they read
            call = self.calls.get(model)
            if call is None or call.macro not in PASS_THROUGH or not isinstance(call.args.get("source_model"), str):
                break
            model = call.args["source_model"]
        stage = self.stages.get(model)
        index = len(entity.dv.setdefault("sources", []))
        if stage is None and model not in self.design.project.nodes:
            entity.dv["sources"].append({"model": model})
            entity.todos.append(("sources", f"sources: `{model}` is no model or seed of this project (dbt stops on the "
                                 f"missing ref): which model does `{entity.name}` load from?"))
            return index, None
        if stage is None:
            entity.dv["sources"].append({"model": model})
            entity.todos.append(("sources", f"sources: `{model}` is not an automate_dv.stage model, so the business-key "
                                 f"mapping, record source and load datetime of `{entity.name}` could not be read from "
                                 "it; check them (dv-spec scaffold puts a stage in front of it)"))
            return index, None
        if not stage.ref:
            entity.dv["sources"].append({"model": model})
            entity.todos.append(("sources", f"sources: the stage `{model}` has no readable source_model: name the "
                                 "model or dbt source it stages"))
            return index, None
        entity.dv["sources"].append({})
        stage.consumers.append(entity.name)
        self.stage_uses.append((entity, index, stage))
        return index, stage

    def _record_and_load(self, stage: _Stage, item: dict, todos: list, who: str) -> None:
        if not self._derived_metadata(stage, self.rsrc, "record_source", _record_source, item, todos, who):
            item["record_source"] = {"column": self.rsrc}  # AutomateDV then reads it from the source rows
        self._derived_metadata(stage, self.ldts, "load_datetime", _load_datetime, item, todos, who)

    @staticmethod
    def _derived_metadata(stage: _Stage, column: str, key: str, read, item: dict, todos: list, who: str) -> bool:
        """Set item[key] from the stage's derived `column` (a TODO when the design cannot hold it); False when the stage does not derive it."""
        found = stage.derived.get(column.lower())
        if found is None:
            return False
        stage.explained_derived.add(column.lower())
        value = read(found[1])
        if value is None:
            todos.append(("sources", f"sources: stage `{stage.call.name}` computes `{column}` as {found[1]!r}, "
                          f"which the design cannot hold: set `{key}:` for {who}"))
        else:
            item[key] = value
        return True

    def _settle_stages(self) -> None:
        """Decide for every used stage whether it is derived (implicit) or declared, and fill the sources."""
        prefix = self.settings.get("stage_prefix", "stg_")
        for stage in {id(s): s for _, _, s in self.stage_uses}.values():
            derived_name = prefix + stage.ref.replace(".", "__")
            if stage.call.name != derived_name:
                stage.declared_because.append(f"its name is not `{derived_name}`")
            found = stage.derived.get(self.rsrc.lower())
            if found and _record_source(found[1]) is not None:
                stage.explained_derived.add(self.rsrc.lower())
            found = stage.derived.get(self.ldts.lower())
            if found and _load_datetime(found[1]) is not None:
                stage.explained_derived.add(self.ldts.lower())
            extra = sorted(name for key, (name, _) in stage.derived.items() if key not in stage.explained_derived)
            if extra:
                stage.declared_because.append(f"it derives {', '.join(extra)}")
            unused = sorted(name for key, (name, _) in stage.hashed.items() if key not in stage.explained_hashed)
            if unused:
                stage.declared_because.append(f"it hashes {', '.join(unused)}, which no imported entity uses")
            if stage.declared_because and stage.call.name not in self.entities:
                item = {("source" if stage.ref_type == "source" else "model"): stage.ref}
                entity = Imported(stage.call.name, {"kind": "stage", "sources": [item]}, target=_beside(stage.call.path),
                                  where=f"{stage.call.path}:{stage.call.line}")
                self._record_and_load(stage, item, entity.todos, f"stage `{stage.call.name}`")
                self.entities[stage.call.name] = entity
        for entity, index, stage in self.stage_uses:
            item = entity.dv["sources"][index]
            keys = item.pop("business_keys", None) if isinstance(item, dict) else None
            if stage.declared_because:
                new = {"model": stage.call.name}
            else:
                new = {("source" if stage.ref_type == "source" else "model"): stage.ref}
            if keys is not None:
                new["business_keys"] = keys
            if not stage.declared_because:
                self._record_and_load(stage, new, entity.todos, f"`{entity.name}`")
            entity.dv["sources"][index] = new

    # ------------------------------------------------------------ kinds
    def _hub(self, entity: Imported, call: ModelCall) -> None:
        dv = entity.dv
        dv["hash_key"] = call.args.get("src_pk")
        keys = [str(k) for k in _as_list(call.args.get("src_nk"))]
        dv["business_keys"] = keys
        if not isinstance(dv["hash_key"], str) or not keys:
            entity.todos.append(("kind", f"`{entity.name}`: src_pk or src_nk is missing or not a column name"))
            return
        orders = []
        for model in _as_list(call.args.get("source_model")):
            index, stage = self._source_item(entity, str(model))
            if stage is None:
                continue
            inputs = stage.hash_inputs(dv["hash_key"])
            if inputs is None:
                entity.todos.append(("sources", f"sources: stage `{stage.call.name}` does not hash `{dv['hash_key']}`: "
                                     f"which of its columns are the business keys of `{entity.name}`?"))
                continue
            if len(inputs) != len(keys):
                entity.todos.append(("business_keys", f"business_keys: stage `{stage.call.name}` hashes {len(inputs)} "
                                     f"column(s) into `{dv['hash_key']}` but src_nk lists {len(keys)}"))
                continue
            order = []
            for column in inputs:
                match = [k for k in keys if stage.trace(k).lower() == column.lower() or k.lower() == column.lower()]
                order.append(match[0] if match else None)
                for key in match[:1]:
                    if stage.derived.get(key.lower()):
                        stage.explained_derived.add(key.lower())
            if None not in order and len(set(order)) == len(order):
                orders.append(order)
            entity.dv["sources"][index]["business_keys"] = inputs
        if orders:
            if any(order != orders[0] for order in orders):
                entity.todos.append(("business_keys", f"business_keys: the stages of `{entity.name}` hash its keys in "
                                     "different orders; choose one order"))
            dv["business_keys"] = orders[0]

    def _hub_ref(self, entity: Imported, foreign_key: str):
        owner = self.hash_owner.get(foreign_key.lower())
        if owner and owner[1] == "hub":
            return owner[0]
        for hash_key, (name, kind) in sorted(self.hash_owner.items()):
            if kind == "hub" and foreign_key.lower().endswith("_" + hash_key):
                return {"hub": name, "role": foreign_key[: -len(hash_key) - 1]}
        entity.todos.append(("hubs", f"hubs: foreign key `{foreign_key}` of `{entity.name}` is no hub's hash key "
                             "(nor `<role>_<hash key>`): which hub does it reference?"))
        return None

    def _refs(self, link_dv: dict) -> list:
        """(reference name, foreign key) of a link design, as resolve_design names them."""
        out = []
        for item in link_dv.get("hubs", []):
            hub = item if isinstance(item, str) else item.get("hub")
            role = None if isinstance(item, str) else item.get("role")
            hash_key = (self.known.get(hub) or {}).get("hash_key") or ""
            foreign_key = (None if isinstance(item, str) else item.get("foreign_key")) or \
                (f"{role}_{hash_key}" if role else hash_key)
            out.append((role or hub, foreign_key))
        return out

    def _link(self, entity: Imported, call: ModelCall) -> None:
        dv = entity.dv
        dv["hash_key"] = call.args.get("src_pk")
        foreign_keys = [str(k) for k in _as_list(call.args.get("src_fk"))]
        hubs = [self._hub_ref(entity, fk) for fk in foreign_keys]
        dv["hubs"] = [h for h in hubs if h is not None]
        refs = self._refs(dv)
        dependents = []
        for model in _as_list(call.args.get("source_model")):
            index, stage = self._source_item(entity, str(model))
            if stage is None:
                continue
            if not dependents:  # the hubs in the order the stage hashes them into the link's key
                order = self._hash_order(stage, dv, refs)
                if order is not None and order != list(range(len(refs))):
                    dv["hubs"] = [dv["hubs"][i] for i in order]
                    refs = self._refs(dv)
            mapping, hashed = self._link_mapping(entity, stage, refs)
            if mapping is None:
                continue
            entity.dv["sources"][index]["business_keys"] = mapping
            whole = stage.hash_inputs(dv["hash_key"]) if isinstance(dv["hash_key"], str) else None
            if whole is None:
                entity.todos.append(("hash_key", f"hash_key: stage `{stage.call.name}` does not hash `{dv['hash_key']}`"))
                continue
            raw = [c for c in _as_list(stage.hashed[str(dv["hash_key"]).lower()][1])]
            if [c.lower() for c in whole[:len(hashed)]] != [c.lower() for c in hashed]:
                entity.todos.append(("hubs", f"hubs: stage `{stage.call.name}` hashes `{dv['hash_key']}` from "
                                     f"{', '.join(whole)}, not from the hubs' keys ({', '.join(hashed)}) first"))
                continue
            dependents.append(raw[len(hashed):])
        if dependents:
            if any(d != dependents[0] for d in dependents):
                entity.todos.append(("dependent_keys", f"dependent_keys: the stages of `{entity.name}` hash different "
                                     "extra columns into its hash key"))
            if dependents[0]:
                dv["dependent_keys"] = dependents[0]
        if entity.dv["kind"] == "nh_link":
            payload = [str(c) for c in _as_list(call.args.get("src_payload"))]
            dependent = [d.lower() for d in dv.get("dependent_keys", [])]
            dv["payload"] = [c for c in payload if c.lower() not in dependent]
            if not dv["payload"]:
                entity.todos.append(("payload", f"payload: every src_payload column of `{entity.name}` is hashed into its "
                                     "key (a dependent key); a non-historised link carries a payload: which columns?"))
            self._effective(entity, call, default_is_ldts=True)

    _nh_link = _link

    @staticmethod
    def _hash_order(stage: _Stage, dv: dict, refs: list):
        """The order of a link's hub references whose keys, one after the other, start its hash key in the stage."""
        whole = [c.lower() for c in _as_list((stage.hashed.get(str(dv.get("hash_key")).lower()) or (None, None))[1])]
        parts = []
        for _, foreign_key in refs:
            found = stage.hashed.get(foreign_key.lower())
            if found is None or isinstance(found[1], dict):
                return None
            parts.append([c.lower() for c in _as_list(found[1])])
        if not whole or len(refs) > 5:
            return None
        for order in itertools.permutations(range(len(refs))):
            columns = [c for i in order for c in parts[i]]
            if whole[:len(columns)] == columns:
                return list(order)
        return None

    def _link_mapping(self, entity: Imported, stage: _Stage, refs: list) -> tuple:
        mapping, hashed = {}, []
        for name, foreign_key in refs:
            inputs = stage.hash_inputs(foreign_key)
            if inputs is None:
                entity.todos.append(("sources", f"sources: stage `{stage.call.name}` does not hash `{foreign_key}`: "
                                     f"which of its columns are the keys of `{name}` for `{entity.name}`?"))
                return None, []
            if not self._hashes_the_hub_keys(entity, stage, foreign_key, name, inputs):
                return None, []
            mapping[name] = inputs
            hashed += [c for c in _as_list(stage.hashed[foreign_key.lower()][1])]
        return mapping, [stage.trace(c) for c in hashed]

    def _hashes_the_hub_keys(self, entity: Imported, stage: _Stage, hash_key: str, hub: str, inputs: list) -> bool:
        """Whether a stage hashes as many columns into a hub's key as the hub has business keys (else a TODO).

        A mapping of more or fewer columns would be a different key from the hub's own (DV217 then), while
        the project hashes one key for both: the hub's business keys are the question (a TODO on the hub).
        """
        keys = (self.known.get(hub) or {}).get("business_keys") if (self.known.get(hub) or {}).get("kind") == "hub" else None
        if keys is None or len(keys) == len(inputs):
            return True
        entity.todos.append(("sources", f"sources: stage `{stage.call.name}` hashes {len(inputs)} column(s) into "
                             f"`{hash_key}`, the key of hub `{hub}`, which has {len(keys)} business key(s): once "
                             f"`{hub}`'s business keys are settled, `{entity.name}` reads them as the hub does"))
        return False

    def _effective(self, entity: Imported, call: ModelCall, default_is_ldts: bool) -> None:
        effective = call.args.get("src_eff")
        ldts = call.args.get("src_ldts") or self.ldts
        if isinstance(effective, str) and not (default_is_ldts and effective.lower() == str(ldts).lower()):
            entity.dv["effective_from"] = effective
            if effective.lower() in [str(c).lower() for c in entity.dv.get("payload", [])]:
                entity.todos.append(("payload", f"payload: `{effective}` is also `{entity.name}`'s src_eff; the design "
                                     "loads the effective-from column once: remove it from the payload (this changes "
                                     "the hashdiff) or choose another effective_from"))

    def _parent(self, entity: Imported, call: ModelCall, kinds: tuple):
        key = call.args.get("src_pk")
        owner = self.hash_owner.get(str(key).lower()) if isinstance(key, str) else None
        if owner and owner[1] in kinds:
            entity.dv["parent"] = owner[0]
            shared = [o for o in self.shared_keys.get(str(key).lower(), []) if o[1] in kinds]
            if len(shared) > 1:
                entity.todos.append(("parent", f"parent: `{entity.name}`'s src_pk `{key}` is the hash key of "
                                     f"{' and '.join(f'{k} `{n}`' for n, k in shared)}: which is its parent?"))
            return owner
        entity.todos.append(("kind", f"parent: `{entity.name}`'s src_pk `{key}` is the hash key of no "
                             f"{' or '.join(kinds)}: which is its parent?"))
        return None

    def _parent_mapping(self, entity: Imported, stage: _Stage, parent) -> object:
        name, kind = parent
        if kind == "hub":
            hash_key = self.known[name].get("hash_key")
            inputs = stage.hash_inputs(hash_key)
            if inputs is None:
                entity.todos.append(("sources", f"sources: stage `{stage.call.name}` does not hash `{hash_key}` "
                                     f"for `{entity.name}`"))
            return inputs if inputs is None or self._hashes_the_hub_keys(entity, stage, hash_key, name, inputs) else None
        mapping, _ = self._link_mapping(entity, stage, self._refs(self.known[name]))
        return mapping

    def _sat(self, entity: Imported, call: ModelCall) -> None:
        dv = entity.dv
        parent = self._parent(entity, call, PARENT_KINDS[entity.dv["kind"]])
        hashdiff = call.args.get("src_hashdiff")
        if isinstance(hashdiff, dict):  # {source_column: <the stage's name>, alias: <the table's name>}
            column, alias = hashdiff.get("source_column"), hashdiff.get("alias")
            stage_hashdiff = column or alias
            hashdiff = alias or column
        else:
            stage_hashdiff = hashdiff
        dv["hashdiff"] = hashdiff
        if isinstance(stage_hashdiff, str) and isinstance(hashdiff, str) and stage_hashdiff.lower() != hashdiff.lower():
            dv["stage_hashdiff"] = stage_hashdiff
        if entity.dv["kind"] == "ma_sat":
            dv["multi_active_keys"] = [str(c) for c in _as_list(call.args.get("src_cdk"))]
        payload = call.args.get("src_payload")
        if isinstance(payload, dict):
            entity.todos.append(("payload", f"payload: `{entity.name}` lists its payload with exclude_columns; "
                                 "list the payload columns"))
            payload = payload.get("columns")
        dv["payload"] = [str(c) for c in _as_list(payload)]
        self._effective(entity, call, default_is_ldts=False)
        self._sat_sources(entity, call, parent)
        hashed = []
        for _, index, stage in [u for u in self.stage_uses if u[0] is entity]:
            spec = stage.hashdiff_columns(stage_hashdiff) if isinstance(stage_hashdiff, str) else None
            if spec is None:
                entity.todos.append(("hashdiff", f"hashdiff: stage `{stage.call.name}` computes no hashdiff "
                                     f"`{stage_hashdiff}` (is_hashdiff: true)"))
            elif spec.get("exclude_columns"):
                entity.todos.append(("hashdiff", f"hashdiff: stage `{stage.call.name}` hashes every column but "
                                     f"{', '.join(map(str, _as_list(spec.get('columns'))))} (exclude_columns) into "
                                     f"`{stage_hashdiff}`: list the columns it hashes in `hashdiff_columns`"))
            else:
                hashed.append([stage.trace(str(c)) for c in _as_list(spec.get("columns"))])
        # AutomateDV sorts a hashdiff's columns, so only the set matters; one that is not the payload is written out.
        expected = sorted(c.lower() for c in dv.get("multi_active_keys", []) + dv["payload"])
        if hashed and any(sorted(c.lower() for c in h) != sorted(c.lower() for c in hashed[0]) for h in hashed):
            entity.todos.append(("hashdiff", f"hashdiff: the stages of `{entity.name}` hash different columns into "
                                 f"`{stage_hashdiff}`: which are its hashdiff columns?"))
        elif hashed and sorted(c.lower() for c in hashed[0]) != expected:
            dv["hashdiff_columns"] = hashed[0]

    _ma_sat = _sat

    def _sat_sources(self, entity: Imported, call: ModelCall, parent) -> None:
        for model in _as_list(call.args.get("source_model")):
            index, stage = self._source_item(entity, str(model))
            if stage is not None and parent is not None:
                mapping = self._parent_mapping(entity, stage, parent)
                if mapping is not None:
                    entity.dv["sources"][index]["business_keys"] = mapping
                    self._payload_keys(entity, parent, mapping)

    def _payload_keys(self, entity: Imported, parent, mapping) -> None:
        """A payload column that is also a key of the parent: AutomateDV loads it, the design keeps keys out of payloads."""
        columns = mapping if isinstance(mapping, list) else [c for cs in mapping.values() for c in cs]
        parent_dv = self.known.get(parent[0]) or {}
        keys = set(columns) | set(parent_dv.get("business_keys") or [])
        for ref in (parent_dv.get("hubs") or []):
            hub = ref if isinstance(ref, str) else ref.get("hub")
            keys |= set((self.known.get(hub) or {}).get("business_keys") or [])
        for column in entity.dv.get("payload", []):
            if column in keys and not any(column in message for _, message in entity.todos):
                entity.todos.append(("payload", f"payload: `{column}` is also a business key of `{parent[0]}`'s; the "
                                     "design keeps keys out of a payload (DV207): remove it from the payload, or keep "
                                     "the model as it is and accept the finding"))

    def _eff_sat(self, entity: Imported, call: ModelCall) -> None:
        dv = entity.dv
        parent = self._parent(entity, call, PARENT_KINDS["eff_sat"])
        refs = self._refs(self.known[parent[0]]) if parent else []
        by_key = {fk.lower(): name for name, fk in refs}
        driving = []
        for key in _as_list(call.args.get("src_dfk")):
            if str(key).lower() in by_key:
                driving.append(by_key[str(key).lower()])
            else:
                entity.todos.append(("driving_keys", f"driving_keys: src_dfk `{key}` is no foreign key of "
                                     f"{parent[0] if parent else 'the parent link'}"))
        dv["driving_keys"] = driving
        secondary = [str(k).lower() for k in _as_list(call.args.get("src_sfk"))]
        expected = [fk.lower() for name, fk in refs if name not in driving]
        if parent and sorted(secondary) != sorted(expected):
            entity.todos.append(("driving_keys", f"driving_keys: src_sfk ({', '.join(secondary)}) is not the rest of "
                                 f"{parent[0]}'s foreign keys ({', '.join(expected)})"))
        dv["end_dating"] = "auto" if call.auto_end_dating else "source"
        for key, arg in (("start_date", "src_start_date"), ("end_date", "src_end_date")):
            if isinstance(call.args.get(arg), str):
                dv[key] = call.args[arg]
        self._effective(entity, call, default_is_ldts=True)
        self._sat_sources(entity, call, parent)

    def _xts(self, entity: Imported, call: ModelCall) -> None:
        """src_satellite: {<satellite>: {sat_name: {SATELLITE_NAME: <stage column>}, hashdiff: {HASHDIFF: <stage column>}}}."""
        dv = entity.dv
        parent = self._parent(entity, call, PARENT_KINDS["xts"])
        tracked = call.args.get("src_satellite")
        dv["satellites"] = []
        if not isinstance(tracked, dict) or not tracked:
            entity.todos.append(("satellites", f"satellites: `{entity.name}`'s src_satellite is not a mapping of the "
                                 "satellites it tracks: list them"))
            tracked = {}
        satellites = {name.lower(): name for name, known in self.known.items() if known.get("kind") in SAT_KINDS}
        stages = [self.stages[m] for m in map(str, _as_list(call.args.get("source_model"))) if m in self.stages]
        name_columns = {}
        for key, spec in tracked.items():
            spec = spec if isinstance(spec, dict) else {}
            name_column = _single_value(spec.get("sat_name"))
            stage_hashdiff = _single_value(spec.get("hashdiff"))
            name = satellites.get(str(key).lower())
            if name is None:  # named otherwise: the satellite whose name the stage's column holds ...
                literals = {str(s.derived.get(str(name_column).lower(), (None, ""))[1]).lstrip("!") for s in stages} - {""}
                found = [satellites[n.lower()] for n in literals if n.lower() in satellites]
                name = found[0] if len(found) == 1 else None
            if name is None:  # ... else the satellite of this parent whose stage hashdiff it reads
                found = [n for n in satellites.values() if parent and self.known[n].get("parent") == parent[0]
                         and str(self.known[n].get("stage_hashdiff") or self.known[n].get("hashdiff")).lower()
                         == str(stage_hashdiff).lower()]
                name = found[0] if len(found) == 1 else None
            if name is None:
                named = f", named {', '.join(f'`{n}`' for n in sorted(literals))} in the stage" if literals else ""
                entity.todos.append(("satellites", f"satellites: `{entity.name}` tracks `{key}` (hashdiff "
                                     f"`{stage_hashdiff}`{named}), which is no satellite imported from this project: "
                                     "which one is it?"))
                continue
            dv["satellites"].append(name)
            known_hashdiff = self.known[name].get("stage_hashdiff") or self.known[name].get("hashdiff")
            if str(stage_hashdiff).lower() != str(known_hashdiff).lower():
                entity.todos.append(("satellites", f"satellites: `{entity.name}` reads `{stage_hashdiff}` as the hashdiff "
                                     f"of `{name}`, which loads `{known_hashdiff}`: which is right?"))
            if isinstance(name_column, str) and name_column.lower() != f"{name}_name".lower():
                name_columns[name] = name_column
        if name_columns:
            dv["satellite_name_columns"] = name_columns
        self._sat_sources(entity, call, parent)
        for _, _, stage in [u for u in self.stage_uses if u[0] is entity]:
            for name in dv["satellites"]:
                column = name_columns.get(name, f"{name}_name")
                found = stage.derived.get(column.lower())
                if found is None:
                    entity.todos.append(("satellites", f"satellites: stage `{stage.call.name}` derives no `{column}`, "
                                         f"the column `{entity.name}` reads `{name}`'s name from"))
                elif found[1] == f"!{name}":  # the literal the design derives; any other keeps the stage as it is
                    stage.explained_derived.add(column.lower())
                known = self.known[name]
                stage.hashdiff_columns(known.get("stage_hashdiff") or known.get("hashdiff") or "")

    def _ref_table(self, entity: Imported, call: ModelCall) -> None:
        entity.dv["reference_keys"] = [str(c) for c in _as_list(call.args.get("src_pk"))]
        entity.dv["payload"] = [str(c) for c in _as_list(call.args.get("src_extra_columns"))]
        for model in _as_list(call.args.get("source_model")):
            self._source_item(entity, str(model))

    def _as_of(self, entity: Imported, call: ModelCall) -> None:
        hub = call.args.get("source_model")
        if isinstance(hub, str):
            entity.dv["hub"] = hub
            if (self.known.get(hub) or {}).get("kind") != "hub":
                entity.todos.append(("hub", f"hub: `{entity.name}` is built from `{hub}`, which is no hub imported from "
                                     f"this project (AutomateDV's {call.macro} reads a hub): which hub is it?"))
        else:
            entity.todos.append(("kind", f"hub: `{entity.name}`'s source_model is not one hub model"))
        if isinstance(call.args.get("as_of_dates_table"), str):
            entity.dv["as_of_dates"] = call.args["as_of_dates_table"]
        else:
            entity.todos.append(("kind", f"as_of_dates: `{entity.name}` names no as_of_dates_table"))

    def _pit(self, entity: Imported, call: ModelCall) -> None:
        self._as_of(entity, call)
        satellites = call.args.get("satellites")
        entity.dv["satellites"] = list(satellites) if isinstance(satellites, dict) else []
        for part, key, default in (("pk", "satellite_key", "pk"), ("ldts", "satellite_load_datetime", "ldts")):
            names = {str(next(iter(spec[part]))) for spec in (satellites or {}).values()
                     if isinstance(spec, dict) and isinstance(spec.get(part), dict) and len(spec[part]) == 1}
            if len({n.lower() for n in names}) > 1:
                entity.todos.append(("satellites", f"satellites: `{entity.name}` names its satellites' {part} columns "
                                     f"differently ({', '.join(sorted(names))}); the design uses one name"))
            elif names and next(iter(names)).lower() != default:
                entity.dv[key] = next(iter(names))

    def _bridge(self, entity: Imported, call: ModelCall) -> None:
        self._as_of(entity, call)
        walk = call.args.get("bridge_walk")
        steps = [s for s in walk.values() if isinstance(s, dict)] if isinstance(walk, dict) else []
        entity.dv["links"] = [s.get("link_table") for s in steps if s.get("link_table")]
        effectivity = [s.get("eff_sat_table") for s in steps if s.get("eff_sat_table")]
        if effectivity:
            entity.dv["effectivity_satellites"] = effectivity
        # The bridge's own column names per link (bridge_walk's aliases), where they are not the contract's defaults.
        named = {}
        for step in steps:
            link, eff_sat = step.get("link_table"), step.get("eff_sat_table")
            if not isinstance(link, str):
                continue
            defaults = {"key": f"{link}_pk", "end_date": f"{eff_sat}_end_date", "load_date": f"{eff_sat}_load_datetime"}
            columns = {key: step[arg] for key, arg in (("key", "bridge_link_pk"), ("end_date", "bridge_end_date"),
                                                       ("load_date", "bridge_load_date"))
                       if isinstance(step.get(arg), str) and step[arg].lower() != defaults[key].lower()}
            if columns:
                named[link] = columns
        if named:
            entity.dv["link_columns"] = named

    # ------------------------------------------------------------ settings
    def _project_settings(self) -> dict:
        """vars.dv_spec the models imply and the project does not set yet: the load-datetime and record-source
        column names every table model uses, and AutomateDV's `hash` var as hash_algorithm."""
        given = self.design.project.settings if isinstance(self.design.project.settings, dict) else {}
        found = {}
        for arg, setting in (("src_ldts", "load_datetime_column"), ("src_source", "record_source_column")):
            values = sorted({str(c.args[arg]) for c in self.calls.values()
                             if c.macro != "stage" and isinstance(c.args.get(arg), str)
                             and not (arg == "src_source" and _same_metadata(c))})
            if setting not in given and len({v.lower() for v in values}) == 1 \
                    and values[0].lower() != self.design.settings[setting].lower() and is_identifier(values[0]):
                found[setting] = values[0]
        doc = self.design.project.project_doc
        variables = doc.data.get("vars") if doc is not None and isinstance(doc.data, dict) else None
        algorithm = {"md5": "md5", "sha": "sha256", "sha256": "sha256", "sha1": "sha1"}.get(
            str(variables.get("hash", "")).lower()) if isinstance(variables, dict) else None
        if "hash_algorithm" not in given and algorithm and algorithm != self.design.settings["hash_algorithm"]:
            found["hash_algorithm"] = algorithm
        return found

    def _naming(self) -> None:
        """The project's naming (`_PK` keys, `t_link_` names) into vars.dv_spec.naming where it differs from the
        defaults: the one prefix or suffix all names of a kind share, else the convention switched off."""
        given = self.design.project.settings if isinstance(self.design.project.settings, dict) else {}
        conventions = self.settings.get("naming") or {}
        names = {}
        for entity in self.entities.values():
            kind = entity.dv.get("kind")
            names.setdefault(kind, []).append(entity.name.lower())
            if kind in HASH_KEY_KINDS and isinstance(entity.dv.get("hash_key"), str):
                names.setdefault("hash_key", []).append(entity.dv["hash_key"].lower())
        naming = dict(given.get("naming") or {})
        for key, found in sorted(names.items()):
            convention = conventions.get(key) or {}
            if key in naming or key == "stage" or not convention or all(_follows(n, convention) for n in found):
                continue
            naming[key] = _shared_affix(found, "suffix" if convention.get("suffix") else "prefix")
        if naming != (given.get("naming") or {}):
            self.new_settings["naming"] = naming
            self.settings_input["naming"] = naming

    def _check_settings(self) -> None:
        for name, call in sorted(self.calls.items()):
            if _same_metadata(call):  # a TODO on its entity (run)
                continue
            for arg, setting, value in (("src_ldts", "load_datetime_column", self.ldts),
                                        ("src_source", "record_source_column", self.rsrc)):
                given = call.args.get(arg)
                if isinstance(given, str) and given.lower() != value.lower():
                    self.reading.problems.append((f"{call.path}:{call.line}", f"model `{name}` uses {arg} `{given}` but "
                                                  f"the design's {setting} is `{value}`: set vars.dv_spec.{setting}: "
                                                  f"{given} in dbt_project.yml"))
        project_doc = self.design.project.project_doc
        variables = (project_doc.data.get("vars") if project_doc is not None and isinstance(project_doc.data, dict) else None)
        automate_hash = variables.get("hash") if isinstance(variables, dict) else None
        known = {"md5": "md5", "sha": "sha256", "sha256": "sha256", "sha1": "sha1"}.get(str(automate_hash).lower())
        if isinstance(automate_hash, str) and known != self.settings["hash_algorithm"].lower():
            self.reading.problems.append(("dbt_project.yml:1", f"AutomateDV's var `hash: {automate_hash}` differs from "
                                          f"the design's hash_algorithm `{self.settings['hash_algorithm']}`: set "
                                          f"vars.dv_spec.hash_algorithm: {automate_hash.lower()}"))


def _same_metadata(call: ModelCall) -> bool:
    """A table model that passes one column as both its load datetime and its record source (a slip)."""
    ldts, rsrc = call.args.get("src_ldts"), call.args.get("src_source")
    return call.macro != "stage" and isinstance(ldts, str) and isinstance(rsrc, str) and ldts.lower() == rsrc.lower()


_QUOTED = re.compile(r"^'([^'\"\\\r\n]*)'$")
_EXPRESSION = re.compile(r"^[^;\r\n]+$")


def _single_value(value):
    """The value of a one-entry mapping ({HASHDIFF: customer_hashdiff} -> customer_hashdiff), else the value itself."""
    if isinstance(value, dict) and len(value) == 1:
        return next(iter(value.values()))
    return value


def _record_source(value):
    """A stage's record-source derived column as the design holds it: a literal, {column} or {expression}; None if it cannot."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if "{{" in text:  # Jinja the reader kept as written: dbt renders it when the stage compiles
        return {"expression": text} if _EXPRESSION.match(text) and not text.startswith("!") else None
    if text.startswith("!"):
        return text[1:] if _QUOTED.match(f"'{text[1:]}'") and text[1:] else None
    quoted = _QUOTED.match(text)  # a quoted SQL string literal is a literal too
    if quoted and quoted.group(1):
        return quoted.group(1)
    if is_identifier(text):
        return {"column": text}
    return {"expression": text} if _EXPRESSION.match(text) else None


def _load_datetime(value):
    """A stage's load-datetime derived column as the design holds it: a column or {expression}; None if it cannot."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if "{{" in text:  # Jinja the reader kept as written: dbt renders it when the stage compiles
        return {"expression": text} if _EXPRESSION.match(text) and not text.startswith("!") else None
    if is_identifier(text) and text.lower() not in ("current_timestamp", "current_date", "sysdate", "getdate"):
        return text
    return {"expression": text} if _EXPRESSION.match(text) and not text.startswith("!") else None


def reverse(calls: list, design) -> ProjectReading:
    """The design entities of AutomateDV model calls (read_model), for a project's design."""
    return _Reverse(calls, design).run()


def _beside(model_path: str) -> str:
    """The schema file beside a model: `<folder>/_<folder>__design.yml`."""
    folder = os.path.dirname(model_path)
    return f"{folder}/_{os.path.basename(folder)}__design.yml"


# ---------------------------------------------------------------- defaults

_OPTIONAL = ("business_keys", "record_source", "load_datetime")


def _signature(resolved_entity: ResolvedEntity) -> list:
    return [(s["ref"], s["stage"], s["record_source"], s["record_source_kind"], s["load_datetime"], s["load_datetime_kind"],
             [(c["ref"], c["target"], c["source_column"]) for c in s["key_columns"]])
            for s in resolved_entity["sources"]]


def _shared_affix(names: list, side: str):
    """{prefix|suffix: part} that two or more names all share (the convention's own side first), else None (off).

    One name shares its first and last parts with itself: that is no convention, so it switches the check off.
    """
    if len(set(names)) < 2:
        return None
    for each in (side, "prefix" if side == "suffix" else "suffix"):
        parts = {(n[n.rindex("_"):] if each == "suffix" else n[:n.index("_") + 1]) if "_" in n else None for n in names}
        if len(parts) == 1 and None not in parts:
            return {each: parts.pop()}
    return None


def _follows(name: str, convention: dict) -> bool:
    return name.startswith((convention.get("prefix") or "").lower()) and name.endswith((convention.get("suffix") or "").lower())


def _simplify(design, entities: list, settings_input: dict) -> None:
    """Drop each source's optional keys that only repeat what the resolver would derive anyway.

    Tries removing the keys one at a time (hubs before the entities that
    inherit their mappings) and keeps a removal when every entity's resolved
    sources (stage, record source, load datetime, key columns) stay exactly
    as with every key written out.
    """
    sound = [e for e in entities if not schema_errors(e.dv)]
    names = {e.name for e in entities}
    others = [{"name": n, "dv": entry.dv, "description": "", "file": ""} for n, entry in design.entities.items()
              if n not in names and isinstance(entry.dv, dict) and not schema_errors(entry.dv)]

    def resolve(blocks: dict) -> dict:
        listed = [{"name": e.name, "dv": blocks[e.name], "description": "", "file": ""} for e in sound]
        return macro_api.resolve_design(listed + others, settings_input)["entities"]

    current = {e.name: e.dv for e in sound}
    target = {name: _signature(entity) for name, entity in resolve(current).items() if name in current}

    def attempt(name, remove) -> None:
        nonlocal current
        trial = copy.deepcopy(current[name])
        remove(trial)
        blocks = dict(current, **{name: trial})
        resolved = resolve(blocks)
        if all(_signature(resolved[other]) == target[other] for other in target):
            current = blocks

    for entity in sound:
        for index, item in enumerate(entity.dv.get("sources", [])):
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("business_keys"), dict):  # a link mapping: one reference at a time
                for ref in list(item["business_keys"]):
                    attempt(entity.name, lambda dv, i=index, r=ref: _drop_reference(dv["sources"][i], r))
            for key in _OPTIONAL:
                if key in current[entity.name]["sources"][index]:
                    attempt(entity.name, lambda dv, i=index, k=key: dv["sources"][i].pop(k))
    for entity in sound:
        entity.dv = current[entity.name]


def _drop_reference(item: dict, ref: str) -> None:
    item["business_keys"].pop(ref, None)
    if not item["business_keys"]:
        del item["business_keys"]
