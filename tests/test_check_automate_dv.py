"""`dv-spec check` over what AutomateDV really compiles: the sample vault
(integration_tests, its committed scaffolded models), built on DuckDB with
AutomateDV, then checked twice: the SQL of the first run (full loads, ghost
records) and the SQL `dbt compile` gives once the tables exist (AutomateDV's
incremental filters and anti-joins). Both must pass every check with nothing
to review. Skips, saying why, when AutomateDV and dbt_utils checkouts are not
available (tests/packages.py).

The built project is conftest.py's session fixture `built_sample` (stages are
built before they are compiled against: on an empty database AutomateDV
compiles an empty ghost CTE, which dv-spec check reports as RV07).
"""

import json

import harness

from dv_spec_tool.interfaces.cli import main

CLEAN = "58 passed, 0 failed, 0 not verified; 0 items for review in 16 design entities\n"


def check(capsys, *argv):
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_first_run_sql_of_the_scaffolded_vault_passes(capsys, built_sample):
    project, first_run = built_sample
    code, out, err = check(capsys, "--project-dir", str(project), "--manifest", str(first_run))
    assert (code, err) == (0, ""), out
    assert out == CLEAN


def test_incremental_sql_of_the_scaffolded_vault_passes(capsys, built_sample):
    project, _ = built_sample
    compiled = (project / "target" / "compiled" / "dv_spec_integration_tests" / "models" / "raw_vault" / "provider"
                / "hub_provider.sql").read_text()
    assert "LEFT JOIN" in compiled and "IS NULL" in compiled  # AutomateDV's incremental anti-join is there
    code, out, err = check(capsys, "--project-dir", str(project))
    assert (code, err) == (0, ""), out
    assert out == CLEAN


def test_a_hand_edit_to_the_compiled_stage_is_caught(capsys, built_sample, tmp_path):
    """The same project with one stage's compiled SQL edited: the key loses its trim in one of two stages."""
    project, _ = built_sample
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    node = manifest["nodes"]["model.dv_spec_integration_tests.stg_raw_network_memberships"]
    original = "UNHEX(MD5(NULLIF(UPPER(TRIM(CAST(npi AS VARCHAR))), ''))) AS provider_hk"
    assert node["compiled_code"].count(original) == 1
    node["compiled_code"] = node["compiled_code"].replace(original, "UNHEX(MD5(NULLIF(UPPER(CAST(npi AS VARCHAR)), ''))) AS provider_hk")
    edited = tmp_path / "manifest.json"
    edited.write_text(json.dumps(manifest))
    code, out, _ = check(capsys, "--project-dir", str(project), "--manifest", str(edited))
    assert code == 1
    assert "fail AC-hub_provider-12 hash_key_lineage: `provider_hk` (from raw_network_memberships) is computed as " \
           "`UNHEX(MD5(NULLIF(UPPER(CAST(? AS TEXT)), '')))`" in out
