"""The design as a diagram model: plain, JSON-ready data for the studio page.

`diagram(design, findings, positions)` is pure: it reads the loaded design
(entities as written, with their file and line), the findings of
`validate.validate`, and saved positions, and returns entities with their
findings and positions, the connections between them, the subject areas, the
project's known nodes (what a source can read from), the schema files that
hold the design, and each kind's keys from the JSON Schema (so the page's
forms follow the design contract).

Each entity also carries its table's columns with their Data Vault role
(hash key, business key, foreign hash key, hashdiff, payload, metadata...),
in the order the contract's resolver gives them (`Design.resolve`, the one
`scaffold` builds tables from), and the size of its shape, which fits the
longest name; the automatic layout places shapes by those sizes.
"""

from __future__ import annotations

import math
from collections import Counter

from dv_spec_tool.core.design import Design
from dv_spec_tool.core.dv_schema import kind_fields
from dv_spec_tool.core.kinds import KINDS, PARENTED_KINDS, TABLE
from dv_spec_tool.edit.design_edit import entity_version, jsonable
from dv_spec_tool.interfaces.studio.layout import auto_layout, references

# Shape metrics (pixels), shared with the page: a header with the kind and the
# name, then one row per column; text is monospaced so widths can be worked out here.
SHAPE = {"header": 40, "row": 17, "pad": 10, "char": 7.3, "title_char": 8.1, "min_width": 170, "tag": 5}
# Column roles, in the order a shape lists them; the tag is what the shape shows beside the name.
ROLES = {"pk": "PK", "pk_fk": "PK FK", "fk": "FK", "bk": "BK", "dk": "DK", "rk": "RK", "ma": "MA", "hd": "HD",
         "payload": "", "eff": "EFF", "as_of": "AS OF", "md": "MD", "src": "FROM"}


def diagram(design: Design, findings: list, positions: dict) -> dict:
    entries = list(design.entities.values())
    resolved = _resolved(design, findings)
    shapes = []
    for entry in entries:
        dv = entry.dv if isinstance(entry.dv, dict) else {}
        kind = dv.get("kind") if isinstance(dv.get("kind"), str) and dv.get("kind") in KINDS else "unknown"
        area = dv.get("subject_area") if isinstance(dv.get("subject_area"), str) else ""
        found = resolved["entities"].get(entry.name)
        columns = (shape_columns(found, resolved["settings"]) if found else raw_columns(dv))
        width, height = shape_size(entry.name, columns)
        shapes.append({"name": entry.name, "kind": kind, "subject_area": area, "dv": dv, "columns": columns,
                       "w": width, "h": height})
    automatic = auto_layout(shapes)

    by_entity: dict = {}
    for finding in findings:
        by_entity.setdefault(finding.entity, []).append(finding)
    names = set(design.entities)
    result_entities, edges = [], []
    for entry, shape in zip(entries, shapes):
        own = by_entity.get(entry.name, [])
        line, _ = entry.file.doc.position(entry.model_path) if entry.file.doc is not None and entry.model_path else (1, 1)
        x, y = positions.get(entry.name) or automatic[entry.name]
        counts = Counter(f.severity for f in own)
        result_entities.append({
            "name": entry.name,
            "kind": shape["kind"],
            "subject_area": shape["subject_area"],
            "description": entry.description,
            "dv": jsonable(entry.dv),
            "file": entry.file.path,
            "line": line,
            "version": entity_version(entry.description, entry.dv),
            "x": x,
            "y": y,
            "w": shape["w"],
            "h": shape["h"],
            "columns": shape["columns"],
            "placed": entry.name in positions,
            "errors": counts["error"],
            "warnings": counts["warning"],
            "findings": [_finding(f) for f in own],
        })
        for target, relation in references(entry.dv):
            if target in names and target != entry.name:
                edges.append({"from": entry.name, "to": target, "relation": relation})
    areas = sorted({e["subject_area"] for e in result_entities}, key=lambda a: (a == "", a))
    nodes = [
        {"name": n.name, "type": n.resource_type, "columns": list(n.columns) if n.columns else []}
        for n in sorted(design.project.nodes.values(), key=lambda n: (n.resource_type, n.name))
        if n.name not in names or design.kind_of(n.name) == "stage"
    ]
    counts = Counter(f.severity for f in findings)
    return {
        "project": {"name": design.project.name, "model_paths": list(design.project.model_paths)},
        "entities": sorted(result_entities, key=lambda e: e["name"]),
        "edges": sorted(edges, key=lambda e: (e["from"], e["to"], e["relation"])),
        "areas": areas,
        "nodes": nodes,
        "files": sorted({e.file.path for e in entries} | _design_files(design)),
        "findings": [_finding(f) for f in findings],
        "counts": {s: counts[s] for s in ("error", "warning", "info")},
        "kinds": kind_fields(),
        "kind_table": [{"kind": kind, **row} for kind, row in TABLE.items()],  # a list: the page keeps its order
        "shape": SHAPE,
        "roles": ROLES,
    }


def _resolved(design: Design, findings: list) -> dict:
    """The resolved design of the entities without errors ({} entities when it cannot be resolved)."""
    broken = {f.entity for f in findings if f.severity == "error" and f.entity}
    try:
        return design.resolve(sorted(n for n in design.entities if n not in broken))
    except Exception:  # a shape then lists what its block names, unresolved
        return {"entities": {}, "settings": {}}


def shape_columns(entity: dict, settings: dict) -> list:
    """[[role, column]] of a resolved entity's table, in the table's order.

    >>> shape_columns({"kind": "sat", "parent_hash_key": "a_hk", "hashdiff": "a_hd", "payload": ["x"],
    ...                "columns": ["a_hk", "a_hd", "x", "load_datetime"]}, {"load_datetime_column": "load_datetime"})
    [['pk_fk', 'a_hk'], ['hd', 'a_hd'], ['payload', 'x'], ['md', 'load_datetime']]
    """
    roles = {}

    def mark(role, names):
        for name in names if isinstance(names, list) else [names]:
            if isinstance(name, str) and name and name not in roles:
                roles[name] = role

    mark("pk_fk" if entity.get("kind") in PARENTED_KINDS else "pk", entity.get("hash_key") or entity.get("parent_hash_key"))
    mark("fk", [r.get("foreign_key") for r in entity.get("refs") or []])
    mark("fk", (entity.get("driving_foreign_keys") or []) + (entity.get("secondary_foreign_keys") or []))
    mark("fk", entity.get("hub_hash_key"))
    for item in (entity.get("satellites") or []) + (entity.get("links") or []):
        mark("fk", [item.get("foreign_key"), item.get("foreign_load_datetime")])
    mark("bk", entity.get("business_keys") or [])
    mark("dk", entity.get("dependent_keys") or [])
    mark("rk", entity.get("reference_keys") or [])
    mark("ma", entity.get("multi_active_keys") or [])
    mark("hd", entity.get("hashdiff"))
    mark("eff", [entity.get("start_date"), entity.get("end_date"), entity.get("effective_from")])
    mark("as_of", "as_of_date")
    mark("md", [settings.get("load_datetime_column"), settings.get("record_source_column")])
    columns = [[roles.get(c, "payload"), c] for c in entity.get("columns") or [] if isinstance(c, str)]
    if not columns and entity.get("kind") == "stage":
        columns = [["src", s["ref"]] for s in entity.get("sources") or [] if s.get("ref")]
    return columns


def raw_columns(dv: dict) -> list:
    """[[role, column]] of a block that does not resolve yet: what it names, as written."""
    def names(value):
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    columns = []
    if isinstance(dv.get("hash_key"), str):
        columns.append(["pk", dv["hash_key"]])
    columns += [["bk", n] for n in names(dv.get("business_keys"))]
    if isinstance(dv.get("hashdiff"), str):
        columns.append(["hd", dv["hashdiff"]])
    columns += [["payload", n] for n in names(dv.get("payload"))]
    return columns


def shape_size(name: str, columns: list) -> tuple:
    """(width, height) of a shape: wide enough for its name and every `TAG column` row.

    >>> shape_size("hub_a", [["pk", "a_hk"]])
    (170, 67)
    """
    longest = max([len(column) for _, column in columns] + [0])
    width = max(SHAPE["min_width"], len(name) * SHAPE["title_char"] + 2 * SHAPE["pad"] + 40,  # 40: toggle, badges
                (SHAPE["tag"] + 1 + longest) * SHAPE["char"] + 2 * SHAPE["pad"])
    height = SHAPE["header"] + len(columns) * SHAPE["row"] + (SHAPE["pad"] if columns else 0)
    return int(math.ceil(width)), int(height)


def _design_files(design: Design) -> set:
    """Schema files under the model paths that a new entity could go into."""
    prefixes = tuple(p.rstrip("/") + "/" for p in design.project.model_paths)
    return {f.path for f in design.project.files if f.doc is not None and f.path.startswith(prefixes)
            and (f.doc.data is None or isinstance(f.doc.data, dict))}


def _finding(f) -> dict:
    return {"file": f.file, "line": f.line, "col": f.col, "rule": f.rule, "severity": f.severity,
            "message": f.message, "hint": f.hint, "entity": f.entity}
