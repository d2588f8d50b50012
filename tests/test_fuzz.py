"""Property-based tests: random and mutated YAML, designs and SQL never crash
the loader, the validator, the scaffolder or the checker; nested aliases,
deep nesting and very long lines stay bounded. Every failure must be a
finding or a one-line usage error. No database needed.

The budget is fixed and the runs are derandomised, so CI is repeatable;
raise DV_SPEC_FUZZ_EXAMPLES to search longer.
"""

import copy
import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_inputs import billion_laughs, nested

from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.dv_schema import dv_schema
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.findings import MAX_TEXT
from dv_spec_tool.core.project import load_project
from dv_spec_tool.core.yamlpos import MAX_ALIAS_VALUES, MAX_DEPTH, YamlError, YamlLimitError, load_yaml
from dv_spec_tool.interfaces.cli import main
from dv_spec_tool.validate import validate

BASE = Path(__file__).parent / "fixtures" / "validate_base"
EXAMPLES = int(os.environ.get("DV_SPEC_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Words a design is made of, so random blocks hit the validator's real paths.
KEYS = sorted({key for definition in dv_schema()["$defs"].values() if isinstance(definition, dict)
               for key in definition.get("properties", {})} | {"model", "source", "hub", "role"})
NAMES = ["hub_provider", "hub_network", "link_provider_network", "sat_provider_details", "raw_providers",
         "crm.networks", "npi", "provider_hk", "x; drop table y", "", "select", "hub_provider"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(NAMES + KEYS), st.text(max_size=8))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)), max_leaves=12)
dv_blocks = st.one_of(values, st.dictionaries(st.sampled_from(KEYS), values, max_size=8).map(
    lambda d: {"kind": d.pop("kind", "hub"), **d}))


def _base_design() -> dict:
    return yaml.safe_load((BASE / "models" / "design.yml").read_text())


@FUZZ
@given(st.text(max_size=300))
def test_yaml_loader_returns_data_or_a_positioned_error(text):
    try:
        doc = load_yaml(text)
    except YamlError as error:
        assert error.line >= 1 and error.col >= 1 and error.message
    else:
        assert doc.position(("anything", 0)) >= (1, 1)


@FUZZ
@given(st.text(alphabet="&*<ab: []{},-\n", max_size=200))
def test_yaml_made_of_anchors_aliases_and_brackets_returns_data_or_a_positioned_error(text):
    try:
        doc = load_yaml(text)
    except YamlError as error:
        assert error.line >= 1 and error.col >= 1 and error.message
    else:
        assert _values(doc.data) <= MAX_ALIAS_VALUES + len(text)


def _values(data) -> int:
    stack, count = [data], 0
    while stack:
        item = stack.pop()
        count += 1
        stack.extend(item.values() if isinstance(item, dict) else item if isinstance(item, list) else ())
    return count


@FUZZ
@given(st.integers(1, 12), st.integers(1, 12), st.booleans())
def test_nested_aliases_load_within_the_bound_or_give_one_positioned_error(anchors, fanout, merge):
    text = billion_laughs(anchors, fanout, merge)
    try:
        doc = load_yaml(text)
    except YamlLimitError as error:
        assert "aliases are expanded" in error.message
        assert "&lol" in text.splitlines()[error.line - 1]  # the anchor whose aliases grew too far
        assert fanout ** anchors > MAX_ALIAS_VALUES // (2 * fanout)
    else:
        assert _values(doc.data) <= MAX_ALIAS_VALUES + len(text)


@FUZZ
@given(st.integers(1, 3000), st.sampled_from(["[", "{", "block"]))
def test_deep_nesting_loads_or_gives_one_positioned_error(depth, shape):
    depth = min(depth, 1200) if shape == "block" else depth  # block indentation grows quadratically
    try:
        doc = load_yaml(nested(depth, shape))
    except YamlLimitError as error:
        assert depth >= MAX_DEPTH - 1 and error.message == f"is nested deeper than {MAX_DEPTH} levels"
        assert error.line >= 1 and error.col >= 1
    else:
        assert depth < MAX_DEPTH and doc.position(("x",) + (0,) * depth) >= (1, 1)


def test_the_deepest_readable_design_validates():
    """Data as deep as the loader reads never exhausts the stack in the rules after it."""
    text = (BASE / "models" / "design.yml").read_text()
    room = MAX_DEPTH - 7  # the file, models, the entry, config, meta, dv hold the payload list
    payload = "payload: [referral_id, referral_date]"
    deep = text.replace(payload, "payload: " + "[" * room + "[referral_id]" + "]" * room)
    assert deep != text
    assert load_yaml(deep)
    project = _project_with_text(deep)
    findings = validate(build_design(load_project(str(project))))
    assert any(f.rule.startswith("DV1") for f in findings)


@FUZZ
@given(st.sampled_from([1_000, 100_000, 2_000_000]),
       st.sampled_from(["kind: hub", "name: hub_provider", "parent: hub_provider", "hash_key: provider_hk"]))
def test_very_long_values_give_short_findings(size, where):
    key, value = where.split(": ")
    text = (BASE / "models" / "design.yml").read_text().replace(where, f"{key}: {value}{'x' * size}", 1)
    findings = validate(build_design(load_project(str(_project_with_text(text)))))
    assert findings and all(len(f.message) <= MAX_TEXT and len(f.hint) <= MAX_TEXT for f in findings)


@FUZZ
@given(st.binary(max_size=200))
def test_any_schema_file_bytes_give_a_finding_not_a_crash(tmp_path_factory, content):
    project = tmp_path_factory.mktemp("bytes")
    shutil.copytree(BASE, project, dirs_exist_ok=True)
    (project / "models" / "extra.yml").write_bytes(content)
    findings = validate(build_design(load_project(str(project))))
    assert all(f.file and f.line >= 1 for f in findings)


def _project_with_text(text: str) -> Path:
    import tempfile

    project = Path(tempfile.mkdtemp(prefix="dv-spec-fuzz-"))
    shutil.copytree(BASE, project, dirs_exist_ok=True)
    (project / "models" / "design.yml").write_text(text)
    return project


def _project_with(tmp_path_factory, design: dict) -> Path:
    project = tmp_path_factory.mktemp("design")
    shutil.copytree(BASE, project, dirs_exist_ok=True)
    (project / "models" / "design.yml").write_text(yaml.safe_dump(design, sort_keys=False))
    return project


@FUZZ
@given(st.lists(dv_blocks, min_size=1, max_size=4))
def test_random_dv_blocks_validate_without_crashing(tmp_path_factory, blocks):
    design = _base_design()
    for index, block in enumerate(blocks):
        design["models"].append({"name": f"fuzz_{index}", "config": {"meta": {"dv": block}}})
    project = _project_with(tmp_path_factory, design)
    findings = validate(build_design(load_project(str(project))))
    for finding in findings:
        assert finding.rule.startswith("DV") and finding.message and finding.line >= 1


mutations = st.lists(st.tuples(
    st.integers(0, 10),                                   # which entity
    st.sampled_from(["drop", "replace", "rename", "add"]),  # what to do
    st.sampled_from(KEYS),                                # which key
    values,                                               # with what
), min_size=1, max_size=3)


@FUZZ
@given(mutations)
def test_mutated_designs_validate_and_scaffold_or_refuse_cleanly(tmp_path_factory, changes):
    design = _base_design()
    for index, action, key, value in changes:
        dv = design["models"][index % len(design["models"])]["config"]["meta"]["dv"]
        if action == "drop":
            dv.pop(key, None)
        elif action == "replace" and key in dv:
            dv[key] = copy.deepcopy(value)
        elif action == "rename" and key in dv:
            dv[key + "x"] = dv.pop(key)
        else:
            dv[key] = copy.deepcopy(value)
    project = _project_with(tmp_path_factory, design)
    loaded = build_design(load_project(str(project)))
    findings = validate(loaded)
    from dv_spec_tool.generate import scaffold

    try:
        planned = scaffold.plan(loaded)
    except UsageError as error:  # refused: the design has errors, or AutomateDV cannot load it
        assert str(error) and "\n" not in str(error).strip()
    else:
        assert not any(f.severity == "error" for f in findings)
        assert all(p.path and p.content for p in planned)


@FUZZ
@given(st.lists(st.sampled_from(["validate", "scaffold", "--dry-run", "--select", "hub_provider", "--format",
                                 "json", "sarif", "--force", "-s", "nope", "rules", "DV101", "schema", "--file"]),
                max_size=5))
def test_cli_exits_with_a_documented_code(tmp_path_factory, capsys, words):
    project = tmp_path_factory.mktemp("cli")
    shutil.copytree(BASE, project, dirs_exist_ok=True)
    argv = words + (["--project-dir", str(project)] if words[:1] in (["validate"], ["scaffold"]) else [])
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse: usage errors exit 2, --help/--version exit 0
        code = exit_.code
    captured = capsys.readouterr()
    assert code in (0, 1, 2), captured.err
    assert "Traceback" not in captured.err and "internal error" not in captured.err


SQL_WORDS = ["SELECT", "FROM", "WHERE", "JOIN", "ON", "AS", "provider_hk", "MD5_BINARY(", "UPPER(", "TRIM(", ")",
             ",", "stg_providers", "raw_providers", "npi", "'x'", "CURRENT_TIMESTAMP()", "DISTINCT", "WITH", "(",
             "QUALIFY", "UNION", "*", "CAST(", "AS VARCHAR", "1", ";", "--", "/*"]


@FUZZ
@given(st.lists(st.sampled_from(SQL_WORDS), max_size=25).map(" ".join))
def test_checker_reports_unparseable_sql_instead_of_crashing(sql):
    from dv_spec_tool.check import check_design

    design = build_design(load_project(str(BASE)))
    compiled = {name: sql for name in ("hub_provider", "stg_providers", "sat_provider_details")}
    report = check_design(design, compiled, dialect="duckdb", select=["hub_provider", "sat_provider_details"])
    assert report is not None


@pytest.mark.parametrize("sql, reason", [
    pytest.param("SELECT " + "(" * 100_000 + "1" + ")" * 100_000 + " AS provider_hk FROM x", "sqlglot cannot parse it",
                 id="100k-nested-parentheses"),
    pytest.param("SELECT " + ", ".join(f"c{i}" for i in range(200_000)) + " FROM x", "more than dv-spec analyses",
                 id="a-1.5-MB-line"),
])
def test_sql_beyond_the_checker_s_reach_is_not_verified_with_the_reason(sql, reason):
    from dv_spec_tool.check import check_design

    design = build_design(load_project(str(BASE)))
    report = check_design(design, {"hub_provider": sql}, dialect="duckdb", select=["hub_provider"])
    skipped = [o for o in report.outcomes if o.status == "not_verified"]
    assert skipped and all(reason in p.message for o in skipped for p in o.problems)
