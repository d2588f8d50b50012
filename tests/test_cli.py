"""`dv-spec validate`, `rules` and `schema` as a user runs them: exit codes,
output formats, and one clear line for bad input. No database needed.
"""

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hostile_inputs import billion_laughs, long_line, nested, nested_json

from dv_spec_tool.interfaces.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASE = Path(__file__).parent / "fixtures" / "validate_base"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path):
    target = tmp_path / "project"
    shutil.copytree(BASE, target)
    return target


def break_design(project, old, new):
    design = project / "models" / "design.yml"
    design.write_text(design.read_text().replace(old, new))


def test_clean_design_exits_0(capsys):
    code, out, _ = run(capsys, "validate", "--project-dir", str(BASE))
    assert code == 0
    assert out.strip().endswith("3 warnings in 11 design entities")  # DV230 only: no errors


def test_sample_integration_project_is_clean(capsys):
    code, out, _ = run(capsys, "validate", "--project-dir", str(ROOT / "integration_tests"))
    assert code == 0, out
    assert "error" not in out


def test_error_finding_exits_1_with_file_line_col_and_hint(capsys, project):
    break_design(project, "hashdiff: provider_details_hashdiff", "hashdif: provider_details_hashdiff")
    code, out, _ = run(capsys, "validate", "--project-dir", str(project))
    assert code == 1
    assert "DV102" not in out  # the typo is reported once, not also as a missing key
    assert "models/design.yml:75:11: error DV101 unknown key `hashdif` in a sat design (hint: did you mean `hashdiff`?)" in out


def test_warnings_alone_exit_0(capsys, project):
    break_design(project, "hash_key: network_hk", "hash_key: network_key")
    code, out, _ = run(capsys, "validate", "--project-dir", str(project))
    assert code == 0
    assert "warning DV301" in out and "4 warnings in 11 design entities" in out  # with the base's three DV230


@pytest.mark.parametrize("setup, message", [
    pytest.param(lambda p: (p / "dbt_project.yml").unlink(), "no dbt_project.yml here", id="no-dbt-project"),
    pytest.param(lambda p: (p / "dbt_project.yml").write_text("name: [unclosed\n"), "dbt_project.yml:2:1: invalid YAML",
                 id="malformed-dbt-project"),
    pytest.param(lambda p: (p / "dbt_project.yml").write_bytes(b"\x00\x01\x02"), "dbt_project.yml:1:1: is a binary file",
                 id="binary-dbt-project"),
    pytest.param(lambda p: (p / "dbt_project.yml").write_text("- a\n- b\n"), "expected a mapping", id="list-dbt-project"),
    pytest.param(lambda p: shutil.rmtree(p), "no such directory", id="missing-dir"),
])
def test_unusable_project_is_one_line_and_exit_2(capsys, project, setup, message):
    setup(project)
    code, out, err = run(capsys, "validate", "--project-dir", str(project))
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("content, rule, message", [
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", "DV001", "is a binary file", id="binary-schema-file"),
    pytest.param(b"\xff\xfe models", "DV001", "is not UTF-8 text", id="latin1-schema-file"),
    pytest.param(b"models:\n  - name: x\n   bad: indent\n", "DV001", "invalid YAML", id="bad-indent"),
    pytest.param(b"", "DV003", "is empty", id="empty-schema-file"),
    pytest.param(b"a: 1\n---\nb: 2\n", "DV001", "invalid YAML", id="two-documents"),
    pytest.param(b"a: &a {b: [1, {c: *a}]}\n", "DV001", "an alias refers to the value it is part of", id="recursive-alias"),
])
def test_unreadable_schema_files_are_findings(capsys, project, content, rule, message):
    (project / "models" / "extra.yml").write_bytes(content)
    code, out, err = run(capsys, "validate", "--project-dir", str(project))
    assert f"models/extra.yml:" in out and rule in out and message in out
    assert code == (1 if rule == "DV001" else 0)
    assert err == ""


def dv_spec(*argv, cwd=None):
    """`dv-spec` as a subprocess; the timeout only guards against a hang."""
    result = subprocess.run([sys.executable, "-m", "dv_spec_tool", *map(str, argv)], capture_output=True, text=True,
                            cwd=cwd, timeout=120)
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize("content, message", [
    pytest.param(billion_laughs(9, 9), "too large once its aliases are expanded", id="billion-laughs"),
    pytest.param(billion_laughs(12, 12, merge=True), "too large once its aliases are expanded", id="merge-key-laughs"),
    pytest.param(nested(100_000, "["), "nested deeper than 100 levels", id="100k-nested-sequences"),
    pytest.param(nested(100_000, "{"), "nested deeper than 100 levels", id="100k-nested-mappings"),
    pytest.param(nested(500, "block"), "nested deeper than 100 levels", id="500-nested-block-mappings"),
])
def test_a_schema_file_beyond_the_limits_is_one_finding(project, content, message):
    (project / "models" / "extra.yml").write_text(content)
    code, out, err = dv_spec("validate", "--project-dir", project)
    assert code == 1 and err == ""
    *lines, summary = out.splitlines()
    [finding] = [line for line in lines if line.startswith("models/extra.yml:")]  # the base's own DV230 warnings aside
    assert " error DV004 " in finding and message in finding
    assert summary.startswith("1 error, ") and summary.endswith(" in 11 design entities")


def test_a_10_mb_line_is_read(project):
    (project / "models" / "extra.yml").write_text(long_line(10_000_000))
    code, out, err = dv_spec("validate", "--project-dir", project)
    assert (code, err) == (0, "") and "error" not in out and "models/extra.yml" not in out


def _one_line_error(code, out, err, fragment):
    assert code == 2 and out == "" and fragment in err
    assert err.startswith("dv-spec: error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_a_dbt_project_file_beyond_the_limits_is_one_line(project):
    with open(project / "dbt_project.yml", "a") as handle:
        handle.write(billion_laughs(9, 9).replace("version: 2\n", ""))
    _one_line_error(*dv_spec("validate", "--project-dir", project), "dbt_project.yml:")


@pytest.mark.parametrize("manifest, fragment", [
    pytest.param(nested_json(100_000), "nested too deeply to read", id="100k-nested-json"),
    pytest.param(json.dumps({"nodes": {"model.x.hub_x": {"resource_type": "model", "name": "hub_x", "config": {
        "meta": {"dv": json.loads(nested_json(200))}}}}}), "nested deeper than 100 levels", id="deep-design"),
])
@pytest.mark.parametrize("command", ["validate", "check", "spec"])
def test_a_hostile_manifest_is_one_line(project, manifest, fragment, command):
    path = project / "target" / "manifest.json"
    path.parent.mkdir()
    path.write_text(manifest)
    if command == "spec":  # spec reads target/manifest.json for downstream models; an unreadable one is left out
        code, out, err = dv_spec("spec", "--project-dir", project, "--select", "hub_provider")
        assert code == 0 and "# hub_provider" in out and err == ""
        return
    _one_line_error(*dv_spec(command, "--project-dir", project, "--manifest", path), fragment)


def test_a_hostile_check_report_is_one_line(project, tmp_path):
    report = tmp_path / "report.json"
    report.write_text(nested_json(100_000))
    _one_line_error(*dv_spec("prompts", "--project-dir", project, "--review", "hub_provider", "--check-report", report),
                    "nested too deeply to read")


@pytest.mark.parametrize("text, fragment", [
    pytest.param(billion_laughs(9, 9), "too large once its aliases are expanded", id="billion-laughs"),
    pytest.param(nested(100_000, "["), "nested deeper than 100 levels", id="100k-nested"),
])
def test_a_hostile_conventions_file_is_one_line(project, tmp_path, text, fragment):
    conventions = tmp_path / "conventions.yml"
    conventions.write_text(text)
    diagram = tmp_path / "d.mmd"
    diagram.write_text("erDiagram\n  HUB_X {\n    string x_id PK\n  }\n")
    _one_line_error(*dv_spec("import", "mermaid", diagram, "--project-dir", project, "--conventions", conventions,
                             "--dry-run"), fragment)


def _drawio_table(name: str) -> str:
    return ('<mxfile><diagram name="x"><mxGraphModel><root><mxCell id="0"/><mxCell id="2" value="' + name
            + '" style="shape=table" vertex="1" parent="0"/></root></mxGraphModel></diagram></mxfile>')


@pytest.mark.parametrize("fmt, text, fragment", [
    pytest.param("mermaid", "erDiagram\n  HUB_" + "a" * 10_000_000 + " {\n  }\n", "characters (at most 255 make an identifier)",
                 id="mermaid-10MB-name"),
    pytest.param("drawio", _drawio_table("HUB_" + "a" * 10_000_000), "characters (at most 255 make an identifier)",
                 id="drawio-10MB-name"),
    pytest.param("drawio", '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol">'
                 + "".join(f'<!ENTITY a{i} "{("&a" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
                 + ']><mxfile><diagram name="x"><mxGraphModel><root><mxCell id="0" value="&a9;"/></root>'
                 "</mxGraphModel></diagram></mxfile>", "invalid XML", id="drawio-entity-laughs"),
    pytest.param("lucidchart", "Id,Name\n1," + "a" * 10_000_000 + "\n", "not valid CSV", id="lucidchart-10MB-field"),
])
def test_a_hostile_diagram_is_one_line(project, tmp_path, fmt, text, fragment):
    diagram = tmp_path / "diagram"
    diagram.write_text(text)
    code, out, err = dv_spec("import", fmt, diagram, "--project-dir", project, "--dry-run")
    _one_line_error(code, out, err, fragment)
    assert len(err) < 1000


def test_a_10_mb_value_in_a_todo_is_quoted_briefly(project, tmp_path):
    diagram = tmp_path / "diagram.drawio"
    diagram.write_text(_drawio_table("a" * 10_000_000))  # no kind to go by: a TODO quoting the name
    code, out, err = dv_spec("import", "drawio", diagram, "--project-dir", project, "--dry-run")
    assert code == 1 and err == "" and "TODO table `aaaa" in out and ",0" in out and "more characters)" in out
    assert max(len(line) for line in out.splitlines()) <= 500


def test_design_in_both_locations(capsys, project):
    break_design(project, "    config:\n      meta:\n        dv:\n          kind: ref_table",
                 "    meta:\n      dv: {kind: ref_table}\n    config:\n      meta:\n        dv:\n          kind: ref_table")
    code, out, _ = run(capsys, "validate", "--project-dir", str(project))
    assert code == 1 and "DV010" in out


def test_json_format(capsys, project):
    break_design(project, "hubs: [hub_provider, hub_network]", "hubs: [hub_provider]")
    code, out, _ = run(capsys, "validate", "--project-dir", str(project), "--format", "json")
    report = json.loads(out)
    assert code == 1
    finding = next(f for f in report["findings"] if f["rule"] == "DV202")
    assert finding["rule"] == "DV202" and finding["entity"] == "link_provider_network"
    assert (finding["file"], finding["line"]) == ("models/design.yml", 45)


def test_junit_format_one_case_per_entity(capsys, project):
    break_design(project, "hubs: [hub_provider, hub_network]", "hubs: [hub_provider]")
    code, out, _ = run(capsys, "validate", "--project-dir", str(project), "--format", "junit")
    suite = ET.fromstring(out)
    cases = suite.findall(".//testcase")
    assert len(cases) == 11
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert "link_provider_network" in failed and "hub_provider" not in failed


def test_sarif_format(capsys, project):
    break_design(project, "hubs: [hub_provider, hub_network]", "hubs: [hub_provider]")
    code, out, _ = run(capsys, "validate", "--project-dir", str(project), "--format", "sarif")
    sarif = json.loads(out)
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "DV202")
    assert sarif["version"] == "2.1.0"
    assert result["ruleId"] == "DV202"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 45
    assert any(r["id"] == "DV202" for r in sarif["runs"][0]["tool"]["driver"]["rules"])


def test_output_file(capsys, project, tmp_path):
    report = tmp_path / "reports" / "dv.json"
    code, out, _ = run(capsys, "validate", "--project-dir", str(project), "-f", "json", "-o", str(report))
    assert code == 0 and out == ""
    assert json.loads(report.read_text())["entities"] == 11


def test_select_limits_findings(capsys, project):
    break_design(project, "hubs: [hub_provider, hub_network]", "hubs: [hub_provider]")
    code, out, _ = run(capsys, "validate", "--project-dir", str(project), "--select", "hub_provider,hub_network")
    assert code == 0 and "in 2 design entities" in out


def test_select_unknown_entity_is_usage_error(capsys):
    code, _, err = run(capsys, "validate", "--project-dir", str(BASE), "--select", "hub_provder")
    assert code == 2
    assert "no design entity named `hub_provder`; did you mean `hub_provider`?" in err


def test_bad_flag_is_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--format", "yaml"])
    assert exit_info.value.code == 2


def test_rules_lists_every_rule_and_explains_one(capsys):
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "DV101" in out and "unknown-key" in out and "CS101" in out and "RV01" in out
    code, out, _ = run(capsys, "rules", "dv101")
    assert code == 0 and "Unknown keys are errors" in out
    code, _, err = run(capsys, "rules", "DV999")
    assert code == 2 and "no rule DV999" in err


def test_schema_command_prints_valid_json_schema(capsys):
    from jsonschema import Draft202012Validator

    code, out, _ = run(capsys, "schema")
    Draft202012Validator.check_schema(json.loads(out))
    code, out, _ = run(capsys, "schema", "--file", "--path")
    assert out.strip().endswith("dbt-schema-file.schema.json") and Path(out.strip()).is_file()


def test_manifest_input(capsys, project):
    """A manifest (as `dbt parse` writes it) gives the same design and positions."""
    nodes = {}
    import yaml

    design = yaml.safe_load((project / "models" / "design.yml").read_text())
    for model in design["models"]:
        nodes[f"model.validate_base.{model['name']}"] = {
            "resource_type": "model", "name": model["name"], "config": model.get("config", {}),
            "patch_path": "validate_base://models/design.yml", "original_file_path": f"models/{model['name']}.sql",
            "description": model.get("description", ""), "columns": {},
        }
    for seed in (project / "seeds").glob("*.csv"):
        nodes[f"seed.validate_base.{seed.stem}"] = {"resource_type": "seed", "name": seed.stem,
                                                    "original_file_path": f"seeds/{seed.name}", "columns": {}}
    manifest = {"nodes": nodes, "sources": {"source.validate_base.crm.networks": {
        "source_name": "crm", "name": "networks", "columns": {"network_code": {}, "network_name": {}, "load_datetime": {}}}}}
    (project / "target").mkdir()
    (project / "target" / "manifest.json").write_text(json.dumps(manifest))
    code, out, _ = run(capsys, "validate", "--manifest", str(project / "target" / "manifest.json"))
    assert code == 0, out
    break_design(project, "hubs: [hub_provider, hub_network]", "hubs: [hub_provider, hub_network]")
    manifest["nodes"]["model.validate_base.link_provider_network"]["config"]["meta"]["dv"]["hubs"] = ["hub_provider"]
    (project / "target" / "manifest.json").write_text(json.dumps(manifest))
    code, out, _ = run(capsys, "validate", "--manifest", str(project / "target" / "manifest.json"))
    assert code == 1 and "models/design.yml:45:" in out and "DV202" in out


def test_manifest_not_json_is_usage_error(capsys, tmp_path):
    bad = tmp_path / "manifest.json"
    bad.write_text("{not json")
    code, _, err = run(capsys, "validate", "--manifest", str(bad))
    assert code == 2 and "not a dbt manifest" in err


def test_console_script_runs_without_traceback(tmp_path):
    """The installed entry point, as a person types it."""
    result = subprocess.run([sys.executable, "-m", "dv_spec_tool", "validate", "--project-dir", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("dv-spec: error:") and "Traceback" not in result.stderr
