"""The typed boundary to the macros (dv_spec_tool/core/macro_api.py): it is the only
caller of the macro runner, and what resolve_design returns has exactly the
shape dv_spec_tool/core/resolved_design.py declares, whose JSON Schema is committed
(dv_spec_tool/core/schemas/resolved_design.schema.json). A key renamed, removed or
added in macros/design/resolve_design.sql fails
test_resolved_designs_match_the_schema. No database needed.
"""

from __future__ import annotations

import ast
import json
import typing
from pathlib import Path

from jsonschema import Draft202012Validator

from dv_spec_tool.core import kinds, macro_api, resolved_design
from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.dv_schema import schema_errors
from dv_spec_tool.core.project import load_project

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "dv_spec_tool"
BOUNDARY = {PACKAGE / "core" / "macro_api.py", PACKAGE / "core" / "jinja.py"}
RUNNER_NAMES = {"macro_runner", "MacroRunner"}

# A design the sample does not show: broken references (the validator resolves
# before it reports them), naming settings, record sources and load datetimes
# as columns and expressions, and two consumers that define one stage column
# differently.
EDGE_ENTITIES = {
    "hub_a": {"kind": "hub", "hash_key": "a_hk", "business_keys": ["a_id"],
              "sources": [{"source": "raw.a", "record_source": {"column": "src_system"},
                           "load_datetime": {"expression": "current_timestamp"}}]},
    "hub_b": {"kind": "hub", "hash_key": "b_hk", "business_keys": ["b_id"],
              "sources": [{"source": "raw.a", "business_keys": ["a_id"], "record_source": {"expression": "'A' || 'B'"}}]},
    "link_ab": {"kind": "link", "hash_key": "ab_hk", "hubs": ["hub_a", {"hub": "hub_missing", "role": "other"}],
                "sources": [{"source": "raw.a"}]},
    "sat_orphan": {"kind": "sat", "parent": "hub_missing", "hashdiff": "orphan_hd", "payload": ["x"],
                   "sources": [{"source": "raw.a"}]},
    "pit_orphan": {"kind": "pit", "hub": "hub_missing", "satellites": ["sat_orphan", "sat_missing"], "as_of_dates": "as_of"},
    "bridge_orphan": {"kind": "bridge", "hub": "hub_missing", "links": ["link_missing"], "as_of_dates": "as_of"},
}
EDGE_SETTINGS = {"naming": {"hub": {"prefix": "h_", "suffix": "_x"}, "hashdiff": {"suffix": "_hd"}, "sat": None},
                 "stage_prefix": "s_", "hash_algorithm": "sha256"}


def _project_design(path: Path):
    design = build_design(load_project(str(path)))
    return design.resolve()


def _edge_design():
    assert not [e for dv in EDGE_ENTITIES.values() for e in schema_errors(dv)], "the edge design must be structurally valid"
    return macro_api.resolve_design([{"name": n, "dv": dv, "description": "", "file": ""} for n, dv in EDGE_ENTITIES.items()],
                                    EDGE_SETTINGS)


def _schema() -> dict:
    return json.loads(Path(resolved_design.SCHEMA_FILE).read_text(encoding="utf-8"))


def test_resolved_designs_match_the_schema():
    """The sample, fixture designs of every kind and the edge design resolve to exactly the committed shape."""
    designs = {
        "integration_tests": _project_design(REPO / "integration_tests"),
        "validate_base": _project_design(REPO / "tests" / "fixtures" / "validate_base"),
        "effectivity_project": _project_design(REPO / "tests" / "fixtures" / "effectivity_project"),
        "xts_project": _project_design(REPO / "tests" / "fixtures" / "xts_project"),
        "edge design": _edge_design(),
    }
    validator = Draft202012Validator(_schema())
    problems = [f"{case}: {'/'.join(map(str, error.absolute_path)) or 'top'}: {error.message}"
                for case, resolved in designs.items() for error in validator.iter_errors(resolved)]
    shown = problems[:12] + ([f"... and {len(problems) - 12} more"] if len(problems) > 12 else [])
    assert not problems, ("resolve_design's output no longer matches dv_spec_tool/core/resolved_design.py "
                          "(change the classes, run `python -m dv_spec_tool.core.resolved_design`):\n" + "\n".join(shown))
    covered = {entity["kind"] for resolved in designs.values() for entity in resolved["entities"].values()}
    assert covered == set(kinds.KINDS), f"no fixture design shows {sorted(set(kinds.KINDS) - covered)}"
    edge = designs["edge design"]
    assert edge["stages"]["s_raw__a"]["conflicts"], "the edge design shows a stage conflict"
    assert edge["entities"]["sat_orphan"]["parent_kind"] is None


def test_the_schema_file_is_generated_from_the_classes():
    assert Path(resolved_design.SCHEMA_FILE).read_text(encoding="utf-8") == resolved_design.schema_text(), \
        "run `python -m dv_spec_tool.core.resolved_design` after editing dv_spec_tool/core/resolved_design.py"


def test_the_schema_is_strict():
    """Every object with properties allows no others (ResolvedEntity: through the definition of its kind)."""
    loose = []

    def walk(node, where):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node and "allOf" not in node \
                    and node.get("additionalProperties") is not False:
                loose.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(_schema(), "")
    assert not loose


def test_every_kind_has_one_resolved_shape():
    shapes = resolved_design.entity_classes()
    assert set(shapes) == set(kinds.KINDS), "add a TypedDict for the kind to dv_spec_tool/core/resolved_design.py"
    for kind, cls in shapes.items():
        assert typing.is_typeddict(cls), kind


def _runner_uses(path: Path, root: Path = REPO) -> list:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("jinja"):
            found += [f"{path.relative_to(root)}:{node.lineno}: imports {a.name}" for a in node.names if a.name in RUNNER_NAMES]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "call" \
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            found.append(f"{path.relative_to(root)}:{node.lineno}: calls macro {node.args[0].value!r}")
    return found


def test_only_macro_api_calls_the_macro_runner():
    uses = [use for path in sorted(PACKAGE.rglob("*.py")) if path not in BOUNDARY for use in _runner_uses(path)]
    assert not uses, "call macros through dv_spec_tool/core/macro_api.py:\n" + "\n".join(uses)


def test_the_boundary_check_sees_a_call(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from .jinja import macro_runner\n\ndef f(design):\n    return design.runner.call('entity_spec', 1)\n")
    assert [use.split(": ", 1)[1] for use in _runner_uses(module, tmp_path)] == \
        ["imports macro_runner", "calls macro 'entity_spec'"]

