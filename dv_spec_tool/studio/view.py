"""The design as a diagram model: plain, JSON-ready data for the studio page.

`diagram(design, findings, positions)` is pure: it reads the loaded design
(entities as written, with their file and line), the findings of
`validate.validate`, and saved positions, and returns entities with their
findings and positions, the connections between them, the subject areas, the
project's known nodes (what a source can read from), the schema files that
hold the design, and each kind's keys from the JSON Schema (so the page's
forms follow the design contract).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from functools import lru_cache

from ..design import KINDS, Design
from ..design_edit import entity_version, jsonable
from .layout import auto_layout, references


def diagram(design: Design, findings: list, positions: dict) -> dict:
    entries = list(design.entities.values())
    shapes = []
    for entry in entries:
        dv = entry.dv if isinstance(entry.dv, dict) else {}
        kind = dv.get("kind") if isinstance(dv.get("kind"), str) and dv.get("kind") in KINDS else "unknown"
        area = dv.get("subject_area") if isinstance(dv.get("subject_area"), str) else ""
        shapes.append({"name": entry.name, "kind": kind, "subject_area": area, "dv": dv})
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
    }


def _design_files(design: Design) -> set:
    """Schema files under the model paths that a new entity could go into."""
    prefixes = tuple(p.rstrip("/") + "/" for p in design.project.model_paths)
    return {f.path for f in design.project.files if f.doc is not None and f.path.startswith(prefixes)
            and (f.doc.data is None or isinstance(f.doc.data, dict))}


def _finding(f) -> dict:
    return {"file": f.file, "line": f.line, "col": f.col, "rule": f.rule, "severity": f.severity,
            "message": f.message, "hint": f.hint, "entity": f.entity}


@lru_cache(maxsize=1)
def kind_fields() -> dict:
    """Per kind: its keys in contract order, which are required, each key's shape and description.

    Read from the JSON Schema of the dv block, so the studio's forms never
    drift from the contract.
    """
    from ..structure import SCHEMA_DIR

    with open(os.path.join(SCHEMA_DIR, "dv.schema.json"), encoding="utf-8") as handle:
        schema = json.load(handle)
    defs = schema["$defs"]
    result = {}
    for kind in KINDS:
        spec = defs[kind]
        fields = []
        for key, prop in spec.get("properties", {}).items():
            if key == "kind":
                continue
            field = {"key": key, "type": _shape(prop, defs), "description": prop.get("description", "")}
            if field["type"] == "sources":
                # how a source maps the keys: a list (hub), per hub reference (link),
                # like the parent (satellites), or not at all (plain)
                item = prop["items"]["$ref"].rsplit("/", 1)[-1]
                field["keys"] = {"hub_source": "list", "link_source": "mapping", "sat_source": "parent"}.get(item, "")
                field["max"] = prop.get("maxItems")
            fields.append(field)
        result[kind] = {"description": spec.get("description", ""), "required": spec.get("required", []),
                        "fields": fields}
    return result


def _shape(prop: dict, defs: dict) -> str:
    if "$ref" in prop:
        return _shape(defs[prop["$ref"].rsplit("/", 1)[-1]], defs)
    kind = prop.get("type")
    if kind == "array":
        items = prop.get("items", {})
        if "$ref" in items and items["$ref"].endswith("_source"):
            return "sources"
        return "list"
    if kind == "boolean":
        return "bool"
    return "text"
