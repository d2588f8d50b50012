"""`dv-spec check` as a user runs it: a dbt project with target/manifest.json
(here written by the test from the corpus' AutomateDV-like implementation),
exit codes, the compiled file and line in every finding, the five report
formats, and one clear line for bad input. No dbt run needed.
"""

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from dv_spec_tool.interfaces.cli import main

BASE = Path(__file__).parent / "fixtures" / "validate_base"
CORPUS = Path(__file__).parent / "fixtures" / "check"
COMPILED = "target/compiled/validate_base/models"


def run(capsys, *argv):
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def corpus(style="automate_dv_like") -> dict:
    return {path.stem: path.read_text() for path in sorted((CORPUS / style).glob("*.sql"))}


def write_manifest(project: Path, sql: dict, adapter="snowflake", depends_on=None, inline_code=True, sources=None,
                   path="target/manifest.json") -> Path:
    """A manifest as `dbt compile` writes it, reduced to what dv-spec check reads (and the design, for --manifest)."""
    design = yaml.safe_load((project / "models" / "design.yml").read_text())
    blocks = {m["name"]: m["config"]["meta"]["dv"] for m in design["models"]}
    nodes = {}
    for name, code in sql.items():
        node = {"resource_type": "model", "name": name, "alias": name, "package_name": "validate_base",
                "original_file_path": f"models/{name}.sql", "compiled_path": f"{COMPILED}/{name}.sql",
                "patch_path": "validate_base://models/design.yml", "raw_code": code,
                "config": {"meta": {"dv": blocks[name]}} if name in blocks else {"meta": {}},
                "depends_on": {"nodes": (depends_on or {}).get(name, [])}}
        if inline_code:
            node["compiled_code"] = code
        else:
            target = project / COMPILED / f"{name}.sql"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(code)
        nodes[f"model.validate_base.{name}"] = node
    for seed in sorted((project / "seeds").glob("*.csv")):
        nodes[f"seed.validate_base.{seed.stem}"] = {"resource_type": "seed", "name": seed.stem, "alias": seed.stem,
                                                   "original_file_path": f"seeds/{seed.name}"}
    sources = sources or {"source.validate_base.crm.networks": {"source_name": "crm", "name": "networks", "identifier": "networks",
                                                                "columns": {"network_code": {}, "network_name": {}, "load_datetime": {}}}}
    manifest = {"metadata": {"adapter_type": adapter, "project_name": "validate_base"}, "nodes": nodes, "sources": sources}
    target = project / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(manifest))
    return target


@pytest.fixture
def project(tmp_path):
    target = tmp_path / "project"
    shutil.copytree(BASE, target)
    return target


def mutate(sql: dict, model: str, old: str, new: str) -> dict:
    assert sql[model].count(old) == 1
    return {**sql, model: sql[model].replace(old, new)}


SWAPPED_LINK_KEY = ("stg_raw_network_memberships",
                    "IFNULL(NULLIF(UPPER(TRIM(CAST(d.npi AS VARCHAR))), ''), '^^'),\n"
                    "            IFNULL(NULLIF(UPPER(TRIM(CAST(d.network_code AS VARCHAR))), ''), '^^')\n",
                    "IFNULL(NULLIF(UPPER(TRIM(CAST(d.network_code AS VARCHAR))), ''), '^^'),\n"
                    "            IFNULL(NULLIF(UPPER(TRIM(CAST(d.npi AS VARCHAR))), ''), '^^')\n")
PAYLOAD_FILTER = ("stg_providers", "FROM DV_DB.RAW.RAW_PROVIDERS\n",
                  "FROM DV_DB.RAW.RAW_PROVIDERS\n    WHERE specialty_code <> 'UNKNOWN'\n")


def test_correct_implementation_exits_0(capsys, project):
    write_manifest(project, corpus())
    code, out, err = run(capsys, "--project-dir", str(project))
    assert (code, err) == (0, "")
    assert out == "35 passed, 0 failed, 0 not verified; 0 items for review in 11 design entities\n"


def test_failed_criterion_exits_1_with_compiled_file_line_and_ac_id(capsys, project):
    write_manifest(project, mutate(corpus(), *SWAPPED_LINK_KEY))
    code, out, _ = run(capsys, "--project-dir", str(project))
    assert code == 1
    assert (f"{COMPILED}/stg_raw_network_memberships.sql:21: fail AC-link_provider_network-12 hash_key_lineage: "
            "`provider_network_hk` (hash key, from raw_network_memberships) hashes (network_code, npi); "
            "the design says (npi, network_code) (same columns, different order)\n") in out
    assert out.endswith("33 passed, 2 failed, 0 not verified; 0 items for review in 11 design entities\n")


def test_review_flag_alone_exits_0_and_names_the_review_criterion(capsys, project):
    write_manifest(project, mutate(corpus(), *PAYLOAD_FILTER))
    code, out, _ = run(capsys, "--project-dir", str(project))
    assert code == 0
    assert (f"{COMPILED}/stg_providers.sql:6: review RV01 filter: WHERE `specialty_code <> 'UNKNOWN'` filters rows "
            "against the literal 'UNKNOWN': rows it drops never reach the vault "
            "[AC-hub_provider-21, AC-sat_provider_details-21, AC-stg_providers-21]\n") in out


def test_json_report_has_every_outcome_and_flag(capsys, project):
    write_manifest(project, mutate(mutate(corpus(), *SWAPPED_LINK_KEY), *PAYLOAD_FILTER))
    code, out, _ = run(capsys, "--project-dir", str(project), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["summary"] == {"pass": 33, "fail": 2, "not_verified": 0, "review": 1, "entities": 11}
    failed = [o for o in report["outcomes"] if o["status"] == "fail"]
    assert {o["criterion"] for o in failed} == {"AC-link_provider_network-12", "AC-eff_sat_provider_network-12"}
    assert failed[0]["problems"][0]["file"] == f"{COMPILED}/stg_raw_network_memberships.sql"
    assert report["review"][0]["rule"] == "RV01" and report["review"][0]["line"] == 6


def test_markdown_report_for_a_pull_request_comment(capsys, project):
    write_manifest(project, mutate(mutate(corpus(), *SWAPPED_LINK_KEY), *PAYLOAD_FILTER))
    code, out, _ = run(capsys, "--project-dir", str(project), "--format", "markdown")
    assert code == 1
    assert out.startswith("### ❌ dv-spec check\n\n33 passed, 2 failed, 0 not verified; 1 item for review in 11 design entities\n")
    assert "| AC-link_provider_network-12 | hash_key_lineage | " in out
    assert "#### For review" in out and "| RV01 filter | `" in out
    assert "<details><summary>Passed (33)</summary>" in out


def test_junit_report_one_case_per_criterion_and_review_cases_skipped(capsys, project):
    write_manifest(project, mutate(mutate(corpus(), *SWAPPED_LINK_KEY), *PAYLOAD_FILTER))
    code, out, _ = run(capsys, "--project-dir", str(project), "--format", "junit")
    suite = ET.fromstring(out).find("testsuite")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert code == 1
    assert suite.get("failures") == "2"
    assert cases["AC-link_provider_network-12 hash_key_lineage"].find("failure") is not None
    assert cases["AC-hub_provider-12 hash_key_lineage"].find("failure") is None
    review = cases["AC-sat_provider_details-21 review"]
    assert review.find("skipped").get("message") == "1 item(s) for review"
    assert "RV01 filter" in review.find("system-out").text


def test_sarif_report_annotates_the_model_file(capsys, project):
    write_manifest(project, mutate(mutate(corpus(), *SWAPPED_LINK_KEY), *PAYLOAD_FILTER))
    code, out, _ = run(capsys, "--project-dir", str(project), "--format", "sarif")
    run_ = json.loads(out)["runs"][0]
    results = {(r["ruleId"], r["level"]) for r in run_["results"]}
    assert code == 1
    assert results == {("hash_key_lineage", "error"), ("RV01", "warning")}
    rule_ids = {rule["id"] for rule in run_["tool"]["driver"]["rules"]}
    assert {"declared_sources", "output_columns", "hash_key_lineage", "metadata_lineage", "hashdiff_lineage"} <= rule_ids
    assert {f"RV0{n}" for n in range(1, 8)} <= rule_ids
    failure = next(r for r in run_["results"] if r["ruleId"] == "hash_key_lineage")
    location = failure["locations"][0]["physicalLocation"]
    # The model file has no Jinja here, so its lines are the compiled SQL's.
    assert location == {"artifactLocation": {"uri": "models/stg_raw_network_memberships.sql"}, "region": {"startLine": 21}}
    assert failure["properties"]["acceptanceCriterion"].startswith("AC-")


def test_output_file(capsys, project, tmp_path):
    write_manifest(project, corpus())
    target = tmp_path / "reports" / "check.xml"
    code, out, _ = run(capsys, "--project-dir", str(project), "-f", "junit", "-o", str(target))
    assert code == 0 and out == ""
    assert ET.parse(target).getroot().get("tests") == "35"


def test_dialect_comes_from_the_manifest_adapter(capsys, project):
    write_manifest(project, corpus("terse"), adapter="duckdb")
    code, out, _ = run(capsys, "--project-dir", str(project), "--format", "json")
    assert code == 0, out
    assert json.loads(out)["dialect"] == "duckdb"
    code, out, _ = run(capsys, "--project-dir", str(project), "--format", "json", "--dialect", "snowflake")
    assert json.loads(out)["dialect"] == "snowflake"


def test_compiled_files_are_read_when_the_manifest_has_no_code(capsys, project):
    write_manifest(project, corpus(), inline_code=False)
    code, out, _ = run(capsys, "--project-dir", str(project))
    assert code == 0
    assert out.startswith("35 passed")


def test_design_read_from_the_manifest_with_manifest_flag(capsys, project, tmp_path):
    manifest = write_manifest(project, corpus(), path="elsewhere/manifest.json")
    code, out, _ = run(capsys, "--manifest", str(manifest), "--project-dir", str(project))
    assert code == 0
    assert out == "35 passed, 0 failed, 0 not verified; 0 items for review in 11 design entities\n"


def test_manifest_depends_on_an_undeclared_node_fails_declared_sources(capsys, project):
    write_manifest(project, corpus(), depends_on={"hub_network": ["model.validate_base.stg_raw_referrals"],
                                                  "stg_raw_referrals": []})
    code, out, _ = run(capsys, "--project-dir", str(project))
    assert code == 1
    assert ("fail AC-hub_network-10 declared_sources: depends on `stg_raw_referrals` (manifest depends_on), "
            "which is not one of its declared sources (crm.networks)") in out


def test_a_source_whose_table_is_named_differently_is_recognised(capsys, project):
    sql = mutate(corpus(), "stg_crm__networks", "FROM DV_DB.CRM.NETWORKS\n", "FROM DV_DB.CRM_LANDING.NETWORKS_V2\n")
    sources = {"source.validate_base.crm.networks": {"source_name": "crm", "name": "networks", "identifier": "networks_v2"}}
    write_manifest(project, sql, sources=sources)
    code, out, _ = run(capsys, "--project-dir", str(project))
    assert code == 0, out


def test_select_limits_the_entities(capsys, project):
    write_manifest(project, mutate(corpus(), *SWAPPED_LINK_KEY))
    code, out, _ = run(capsys, "--project-dir", str(project), "--select", "hub_provider,hub_network")
    assert code == 0
    assert out == "8 passed, 0 failed, 0 not verified; 0 items for review in 2 design entities\n"


def test_entity_without_compiled_sql_is_not_verified_and_exits_1(capsys, project):
    sql = corpus()
    del sql["hub_network"]
    write_manifest(project, sql)
    code, out, _ = run(capsys, "--project-dir", str(project))
    assert code == 1  # a criterion not verified is not a pass
    assert run(capsys, "--project-dir", str(project), "--allow-not-verified")[0] == 0
    assert "not verified AC-hub_network-12 hash_key_lineage: no compiled SQL for `hub_network` (run `dbt compile`)" in out
    assert out.endswith("31 passed, 0 failed, 4 not verified; 0 items for review in 11 design entities "
                        "(1 without compiled SQL: hub_network)\n")


def test_stage_without_compiled_sql_is_flagged_for_review(capsys, project):
    sql = corpus()
    del sql["stg_crm__networks"]
    write_manifest(project, sql)
    code, out, _ = run(capsys, "--project-dir", str(project))
    assert code == 1
    assert "not verified AC-hub_network-12 hash_key_lineage: `network_hk` (hash key, from crm.networks) is column `network_hk` of " \
           "`stg_crm__networks`, whose compiled SQL is missing; its hashing was not checked" in out
    assert "not verified AC-hub_network-13 metadata_lineage: `load_datetime` (from crm.networks) is column `load_datetime` of " \
           "`stg_crm__networks`, whose compiled SQL is missing; it was not checked" in out
    assert "review RV07 not_analysed: reads stage `stg_crm__networks`, whose compiled SQL is missing" in out


def test_an_entity_with_a_design_error_does_not_stop_the_others(capsys, project):
    write_manifest(project, corpus())
    design = project / "models" / "design.yml"
    design.write_text(design.read_text().replace("kind: hub\n          hash_key: network_hk", "kind: hubb\n          hash_key: network_hk"))
    code, out, err = run(capsys, "--project-dir", str(project))
    assert code == 1 and err == ""
    assert "not verified AC-hub_network sound_design: its design has an error: models/design.yml:32:11: DV100" in out
    # what refers to the broken hub is left out with it; everything else is checked
    assert "not verified AC-link_provider_network sound_design: " in out
    assert "not verified AC-hub_provider" not in out
    assert re.search(r"^\d+ passed, 0 failed, \d+ not verified; 0 items for review in 11 design entities$", out, re.M)


def test_list_names_every_check_and_flag(capsys):
    code, out, _ = run(capsys, "--list")
    assert code == 0
    for name in ("declared_sources", "output_columns", "hash_key_lineage", "metadata_lineage", "hashdiff_lineage",
                 "RV01 filter", "RV07 not_analysed"):
        assert name in out


@pytest.mark.parametrize("setup, argv, message", [
    pytest.param("none", [], "target/manifest.json: no such file; run `dbt compile` first (or pass --manifest)", id="no-manifest"),
    pytest.param("garbage", [], "not a dbt manifest (invalid JSON", id="manifest-not-json"),
    pytest.param("no-code", [], "no compiled SQL for any of its 0 models; run `dbt compile` first", id="nothing-compiled"),
    pytest.param("ok", ["--dialect", "cobol"], "--dialect: sqlglot has no dialect `cobol`", id="unknown-dialect"),
    pytest.param("odd-adapter", [], "the manifest's adapter `frobnicator` has no SQL dialect in sqlglot; pass --dialect",
                 id="unknown-adapter"),
    pytest.param("ok", ["--select", "hub_provder"], "--select: no design entity named `hub_provder`", id="unknown-entity"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, project, setup, argv, message):
    if setup == "garbage":
        (project / "target").mkdir()
        (project / "target" / "manifest.json").write_text("{not json")
    elif setup == "no-code":
        write_manifest(project, {})
    elif setup == "odd-adapter":
        write_manifest(project, corpus(), adapter="frobnicator")
    elif setup == "ok":
        write_manifest(project, corpus())
    code, out, err = run(capsys, "--project-dir", str(project), *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("dv-spec: error: ")
    assert message in err
