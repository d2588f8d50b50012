"""The extended tracking satellite (xts) end to end: design, scaffold, spec,
a DuckDB build through dv-spec's AutomateDV shims, the generated tests and
`dv-spec check`.

The fixture (tests/fixtures/xts_project) tracks two satellites of one hub;
one of them names its hashdiff differently from the stage (`stage_hashdiff`,
AutomateDV's `src_hashdiff: {source_column, alias}`). Customer C-1 changes
its name on the second load. Needs AutomateDV and dbt_utils checkouts
(DV_SPEC_AUTOMATE_DV_DIR, DV_SPEC_DBT_UTILS_DIR; skipped with the reason
otherwise) and DuckDB.
"""

import json
from pathlib import Path

import harness
import packages
from dv_spec_tool.interfaces.cli import main

XTS = Path(__file__).resolve().parent / "fixtures" / "xts_project"


def build(project, args=("build",)):
    result = harness.run_dbt(project, list(args), "duckdb")
    failed = {n: (s, result.by_name()[n].message) for n, s in result.statuses().items() if s not in ("success", "pass")}
    assert result.returncode == 0 and not failed, f"dbt {' '.join(args)}: {failed}\n{result.output[-3000:]}"
    return result


def test_the_xts_design_validates_and_scaffolds_the_automate_dv_call(tmp_path, capsys):
    project = harness.copy_project(XTS, tmp_path / "xts")
    assert main(["validate", "--project-dir", str(project)]) == 0, capsys.readouterr().out
    assert main(["scaffold", "--project-dir", str(project)]) == 0, capsys.readouterr().out
    model = (project / "models" / "xts_customer.sql").read_text()
    assert "automate_dv.xts(" in model
    # each tracked satellite: the stage's column with its name and the hashdiff the stage computes for it
    assert "  sat_customer_name:\n    sat_name:\n      SATELLITE_NAME: sat_customer_name_name\n" \
           "    hashdiff:\n      HASHDIFF: customer_name_hashdiff\n" in model
    stage = (project / "models" / "staging" / "stg_raw_customers.sql").read_text()
    assert 'sat_customer_email_name: "!sat_customer_email"' in stage and "customer_name_hashdiff:" in stage
    sat = (project / "models" / "sat_customer_name.sql").read_text()
    assert "src_hashdiff:\n  source_column: customer_name_hashdiff\n  alias: hashdiff\n" in sat


def test_the_xts_spec_names_its_columns_and_what_it_loads(tmp_path, capsys):
    project = harness.copy_project(XTS, tmp_path / "xts")
    capsys.readouterr()
    assert main(["spec", "--select", "xts_customer", "--project-dir", str(project), "--format", "json"]) == 0
    spec = json.loads(capsys.readouterr().out)
    spec = spec[0] if isinstance(spec, list) else spec
    assert [c["name"] for c in spec["columns"]] == ["customer_hk", "hashdiff", "satellite_name", "load_datetime", "record_source"]
    text = json.dumps(spec)
    assert "sat_customer_name_name" in text and "customer_name_hashdiff" in text
    assert [c["id"] for c in spec["acceptance_criteria"] if c["verified_by"] == "dbt test"] == [
        "AC-xts_customer-04", "AC-xts_customer-08", "AC-xts_customer-09"]


def test_the_scaffolded_xts_loads_each_hashdiff_once_and_passes_its_tests_and_check(tmp_path, capsys):
    checkouts = packages.require_automate_dv()
    project = harness.copy_project(XTS, tmp_path / "xts")
    assert main(["scaffold", "--project-dir", str(project)]) == 0, capsys.readouterr().out
    packages.install_packages(project, checkouts)
    seed = project / "seeds" / "raw_customers.csv"
    full = seed.read_text()
    seed.write_text("".join(line for line in full.splitlines(True) if "2024-02-01" not in line))
    build(project, ("seed",))
    build(project)
    seed.write_text(full)
    build(project, ("seed", "--full-refresh"))
    result = build(project)
    assert "ac_xts_customer_08_satellite_grain_unique" in result.statuses("test")
    build(project)  # nothing new: nothing inserted twice
    rows = harness.query(project, "SELECT satellite_name, COUNT(*) FROM xts_customer GROUP BY 1 ORDER BY 1", "duckdb")
    assert rows == [("sat_customer_email", 4), ("sat_customer_name", 4)]  # 2 customers x 2 loads each
    changed = harness.query(project, "SELECT COUNT(*) FROM sat_customer_name", "duckdb")
    assert changed == [(3,)]  # C-1's new name is a new row; the xts holds both loads
    capsys.readouterr()
    assert main(["check", "--project-dir", str(project)]) == 0, capsys.readouterr().out
    assert "0 failed, 0 not verified; 0 items for review" in capsys.readouterr().out


def test_diagrams_leave_the_xts_out_and_say_so(tmp_path, capsys):
    project = harness.copy_project(XTS, tmp_path / "xts")
    capsys.readouterr()
    assert main(["export", "mermaid", "--project-dir", str(project)]) == 0
    out, err = capsys.readouterr()
    assert "hub_customer {" in out and "xts_customer" not in out
    assert err == "dv-spec: not drawn: xts_customer (xts); diagrams do not draw that kind\n"
