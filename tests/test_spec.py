"""`dv-spec spec` and `dv-spec prompts` on the sample design (integration_tests/):
golden files, determinism, acceptance criteria that match what the tools
verify, Markdown tables that render, and the command line's file handling.
No database needed.

Golden files live in tests/fixtures/spec/integration_tests/. After a change
to the sample design, the spec macros or the acceptance criteria, regenerate
them and review the diff:

    DV_SPEC_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_spec.py -q
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from dv_spec_tool.core import macro_api
from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.generated import state
from dv_spec_tool.core.jinja import macro_runner
from dv_spec_tool.core.project import load_project
from dv_spec_tool.generate.spec import SpecBuilder
from dv_spec_tool.interfaces.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "integration_tests"
GOLDEN = Path(__file__).parent / "fixtures" / "spec" / "integration_tests"
UPDATE = os.environ.get("DV_SPEC_UPDATE_GOLDEN") == "1"
JSON_SPECS = ("hub_provider", "sat_provider_details", "subject_area:referral")
PLAIN_SQL_PROMPTS = ("hub_provider", "link_provider_agreement", "pit_provider")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file()}


def generate(out: Path, project: Path = SAMPLE) -> None:
    """Everything the golden folder holds, through the command line."""
    assert main(["spec", "--project-dir", str(project), "--out", str(out / "specs")]) == 0
    assert main(["spec", "--project-dir", str(project), "--format", "json", "--out", str(out / "specs"),
                 "--select", " ".join(JSON_SPECS)]) == 0
    everything = [e.name for e in load_project(str(project)).entries] + ["subject_area:referral"]
    assert main(["prompts", "--project-dir", str(project), "--out", str(out / "prompts" / "automate_dv"),
                 "--select", " ".join(everything)]) == 0
    assert main(["prompts", "--project-dir", str(project), "--style", "plain_sql", "--out", str(out / "prompts" / "plain_sql"),
                 "--select", ",".join(PLAIN_SQL_PROMPTS)]) == 0
    assert main(["prompts", "--project-dir", str(project), "--instructions", "--out", str(out / "instructions")]) == 0


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("generated")
    generate(out)
    files = tree(out)
    if UPDATE:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for path, text in files.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_text(text, encoding="utf-8", newline="")
    return files


@pytest.fixture(scope="module")
def builder() -> SpecBuilder:
    return SpecBuilder(build_design(load_project(str(SAMPLE))))


# ---------------------------------------------------------------- golden files


def test_golden_folder_lists_exactly_the_generated_files(generated):
    assert sorted(generated) == sorted(tree(GOLDEN)), "run with DV_SPEC_UPDATE_GOLDEN=1 and review the diff"


@pytest.mark.parametrize("path", [pytest.param(p, id=p) for p in sorted(tree(GOLDEN))] if GOLDEN.is_dir() else [])
def test_generated_file_equals_golden(generated, path):
    if UPDATE:
        pytest.skip("regenerating the golden files")
    expected = (GOLDEN / path).read_text(encoding="utf-8")
    assert generated.get(path) == expected, f"{path} differs; run with DV_SPEC_UPDATE_GOLDEN=1 and review the diff"


def test_output_is_byte_identical_across_runs_and_locations(generated, tmp_path):
    moved = tmp_path / "elsewhere" / "sample"
    shutil.copytree(SAMPLE, moved, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs"))
    generate(tmp_path / "again", moved)
    assert tree(tmp_path / "again") == generated


# ---------------------------------------------------------------- acceptance criteria


def _sample_entities():
    design = build_design(load_project(str(SAMPLE)))
    return sorted(design.entities)


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in _sample_entities()])
def test_spec_lists_every_criterion_the_tools_verify_with_the_same_ids(builder, name):
    spec = builder.entity_spec(name)
    entity = builder.resolved["entities"][name]
    listed = {c["id"]: c for c in spec["acceptance_criteria"]}
    # The catalogue the dbt tests and dv-spec check use.
    catalogue = macro_api.acceptance_criteria(entity, builder.resolved)
    assert list(listed) == [c["id"] for c in catalogue]
    # Every generated dbt test is listed under its criterion id, with its test name.
    tests = macro_api.scaffold_tests(entity, builder.resolved) if entity["kind"] != "stage" else []
    for test in tests:
        (macro, body), = test.items()
        criterion = listed[body["config"]["meta"]["acceptance_criterion"]]
        assert criterion["verified_by"] == "dbt test"
        assert criterion["test"]["test_name"] == body["name"]
        assert macro == f"dv_spec.{criterion['test']['name']}"
    # Nothing is claimed as automated that no tool does.
    dbt_tested = {t[next(iter(t))]["config"]["meta"]["acceptance_criterion"] for t in tests}
    for criterion in spec["acceptance_criteria"]:
        if criterion["verified_by"] == "dbt test":
            assert criterion["id"] in dbt_tested, criterion["id"]
            assert (ROOT / "macros" / "generic_tests" / f"{criterion['test']['name']}.sql").is_file()
        elif criterion["verified_by"] == "dv-spec check":
            assert criterion["check"] in _check_names(), criterion
        else:
            assert criterion["verified_by"] == "review" and "test" not in criterion and "check" not in criterion


def test_specs_claim_exactly_the_criteria_dv_spec_check_reports(builder):
    """dv-spec check (without SQL every outcome is a skip) reports one outcome per criterion it verifies."""
    check = pytest.importorskip("dv_spec_tool.check")
    report = check.check_design(builder.design, {}, dialect="snowflake")
    reported = {(o.criterion, o.check) for o in report.outcomes}
    claimed = {(c["id"], c["check"]) for name in builder.entity_names
               for c in builder.entity_spec(name)["acceptance_criteria"] if c["verified_by"] == "dv-spec check"}
    assert reported == claimed


def _check_names() -> set:
    try:
        from dv_spec_tool.check.criteria import CHECKS
    except ImportError:  # dv-spec check not installed: the catalogue's names are the contract
        return {"declared_sources", "output_columns", "hash_key_lineage", "metadata_lineage", "hashdiff_lineage"}
    return set(CHECKS)


def test_markdown_shows_each_criterion_id_and_how_it_is_verified(generated):
    text = generated["specs/hub_provider.md"]
    assert "| `AC-hub_provider-01` | `provider_hk` is unique and never null. | dbt test `ac_hub_provider_01_hash_key_unique` (`dv_spec.hash_key_unique`) |" in text
    assert "| `AC-hub_provider-12` |" in text and "`dv-spec check` (`hash_key_lineage`) |" in text
    assert re.search(r"\| `AC-hub_provider-21` \| .* \| review by a person \|", text)


# ---------------------------------------------------------------- content


@pytest.mark.parametrize("name, expected", [
    pytest.param("hub_provider", "MD5_BINARY(NULLIF(UPPER(TRIM(CAST(npi AS VARCHAR))), '')) AS provider_hk", id="hub_one_column"),
    pytest.param("link_provider_agreement",
                 "MD5_BINARY(NULLIF(CONCAT_WS('||', IFNULL(NULLIF(UPPER(TRIM(CAST(npi AS VARCHAR))), ''), '^^'), "
                 "IFNULL(NULLIF(UPPER(TRIM(CAST(agreement_id AS VARCHAR))), ''), '^^')), '^^||^^')) AS provider_agreement_hk",
                 id="link_two_columns_all_null_rule"),
    pytest.param("sat_network_details",
                 "MD5_BINARY(CONCAT_WS('||', IFNULL(NULLIF(UPPER(TRIM(CAST(network_name AS VARCHAR))), ''), '^^'), "
                 "IFNULL(NULLIF(UPPER(TRIM(CAST(network_type AS VARCHAR))), ''), '^^'), "
                 "IFNULL(NULLIF(UPPER(TRIM(CAST(region AS VARCHAR))), ''), '^^'), "
                 "IFNULL(NULLIF(UPPER(TRIM(CAST(tier AS VARCHAR))), ''), '^^'))) AS network_details_hashdiff",
                 id="hashdiff_sorted_by_name"),
])
def test_hash_sql_is_automate_dv_recipe(builder, name, expected):
    spec = builder.entity_spec(name)
    sql = [d["sql"] for key in spec["hash_keys"] for d in key["derivations"]]
    sql += [d["sql"] for d in (spec["hashdiff"] or {}).get("derivations", [])]
    assert expected in sql


@pytest.mark.parametrize("name, column, expected", [
    pytest.param("hub_provider", "provider_hk", "BINARY(16)", id="hash_key_md5"),
    pytest.param("hub_provider", "provider_npi", "VARCHAR", id="business_key_from_seed_column_types"),
    pytest.param("sat_provider_agreement_terms", "accepting_new_patients", "BOOLEAN", id="payload_boolean"),
    pytest.param("sat_provider_details", "load_datetime", "TIMESTAMP_NTZ", id="load_datetime"),
    pytest.param("sat_provider_details", "record_source", "VARCHAR", id="record_source"),
    pytest.param("pit_provider", "as_of_date", "TIMESTAMP_NTZ", id="as_of_date_timestamp"),
    pytest.param("sat_agreement_details", "payer_name", None, id="dbt_source_without_data_type_is_unknown"),
])
def test_target_column_types(builder, name, column, expected):
    columns = {c["name"]: c for c in builder.entity_spec(name)["columns"]}
    assert columns[column]["type"] == expected
    assert columns[column]["type_known"] is (expected is not None)


def test_columns_are_resolve_designs_table_columns(builder):
    for name, entity in builder.resolved["entities"].items():
        if entity.get("columns"):
            assert [c["name"] for c in builder.entity_spec(name)["columns"]] == entity["columns"], name


@pytest.mark.parametrize("name, topic, fragment", [
    pytest.param("hub_agreement", "record source", "The record source of `credentialing.raw_agreements` is not declared", id="undeclared_record_source"),
    pytest.param("sat_agreement_details", "column types", "in `credentialing.raw_agreements` is not declared", id="unknown_source_types"),
    pytest.param("link_provider_network", "NULL foreign keys", "`network_hk` from `raw_network_memberships.network_code`", id="link_null_foreign_keys"),
    pytest.param("sat_provider_agreement_terms", "NULL foreign keys", "a row with one NULL foreign key loads here", id="link_sat_null_foreign_keys"),
    pytest.param("eff_sat_provider_network", "NULL foreign keys", "recorded nowhere", id="eff_sat_null_foreign_keys"),
])
def test_open_questions(builder, name, topic, fragment):
    questions = builder.entity_spec(name)["open_questions"]
    assert any(q["topic"] == topic and fragment in q["question"] for q in questions), questions


def test_open_questions_for_missing_description_and_owner(tmp_path):
    project = tmp_path / "sample"
    shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs"))
    design_file = project / "models" / "reference" / "_reference__design.yml"
    text = design_file.read_text()
    text = re.sub(r"    description: >\n(      .*\n)+", "", text, count=1).replace("          owner: provider-data-management\n", "")
    design_file.write_text(text)
    builder = SpecBuilder(build_design(load_project(str(project))))
    topics = [q["topic"] for q in builder.entity_spec("ref_specialty")["open_questions"]]
    assert "purpose" in topics and "owner" in topics


def test_a_shared_stage_is_specified_in_full(builder):
    """Every column of a stage three entities read: the source's, then the computed ones, each with
    its type and every entity whose table takes it."""
    stage = {s["name"]: s for s in builder.subject_area_spec("network")["stages"]}["stg_raw_network_memberships"]
    columns = {c["column"]: c for c in stage["columns"]}
    assert list(columns)[:5] == ["npi", "network_code", "start_date", "end_date", "load_datetime"]  # the seed's header
    assert columns["start_date"]["type"] == "DATE" and columns["start_date"]["needed_by"] == ["eff_sat_provider_network"]
    assert columns["provider_hk"]["type"] == "BINARY(16)"
    assert columns["provider_hk"]["needed_by"] == ["eff_sat_provider_network", "hub_provider", "link_provider_network"]
    assert columns["record_source"]["computed"] == "literal 'NETMGMT.MEMBERSHIPS'"


def test_subject_area_spec_holds_its_entities_in_build_order(builder):
    spec = builder.subject_area_spec("network")
    assert [e["name"] for e in spec["entities"]] == [
        "hub_network", "link_provider_network", "eff_sat_provider_network", "sat_network_details", "bridge_provider_network"]
    assert [s["name"] for s in spec["specs"]] == [e["name"] for e in spec["entities"]]
    assert spec["external_dependencies"][0]["name"] == "hub_provider"
    assert spec["build_order"][0] == {"step": "Stages", "models": ["stg_raw_network_memberships", "stg_raw_networks"]}


# ---------------------------------------------------------------- Markdown renders


def _tables(text: str):
    """Each GitHub table outside code fences, as a list of rows of cells (escaped pipes kept in cells)."""
    tables, current, fence = [], [], None
    for line in text.splitlines():
        marker = re.match(r"^(`{3,})", line)
        if marker and (fence is None or marker.group(1) == fence):
            fence = None if fence else marker.group(1)
            continue
        if fence is None and line.startswith("|"):
            current.append(re.split(r"(?<!\\)\|", line)[1:-1])
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables, fence


def test_markdown_tables_render_on_a_git_host(generated):
    checked = 0
    for path, text in generated.items():
        if not path.endswith(".md"):
            continue
        tables, open_fence = _tables(text)
        assert open_fence is None, f"{path}: unclosed code fence"
        for table in tables:
            width = len(table[0])
            assert all(set(cell.strip()) <= {"-"} and cell.strip() for cell in table[1]), f"{path}: bad delimiter row {table[1]}"
            for row in table:
                assert len(row) == width, f"{path}: a row has {len(row)} cells, the header {width}: {row}"
            checked += 1
    assert checked > 100


def test_cells_escape_pipes_and_line_breaks():
    runner = macro_runner()
    cell = runner.call("_md_cell", "a | b\nc <d>")
    assert cell == "a \\| b c &lt;d>"
    assert runner.call("_md_code", "x || y") == "`x \\|\\| y`"
    assert runner.call("_md_code", "a `b`") == "`` a `b` ``"


def test_generated_markdown_is_recognised_as_generated(generated):
    for path, text in generated.items():
        if path.endswith(("CLAUDE.md", "dbt-styleguide.md")):  # a managed block, merged into a person's file
            assert text.startswith("<!-- dv-spec:begin") and text.endswith("<!-- dv-spec:end -->\n"), path
        else:
            assert state(text) == "generated", path


# ---------------------------------------------------------------- the command line


def test_one_entity_prints_to_stdout(capsys):
    code, out, err = run(capsys, "spec", "--project-dir", SAMPLE, "--select", "hub_provider")
    assert code == 0 and err == ""
    assert out.splitlines()[1] == "# hub_provider (hub)"


def test_one_subject_area_prints_to_stdout(capsys):
    code, out, _ = run(capsys, "spec", "--project-dir", SAMPLE, "--select", "subject_area:referral")
    assert code == 0 and "# Subject area: referral" in out and "## nh_link_referral (nh_link)" in out


def test_json_carries_the_same_content(capsys, builder):
    code, out, _ = run(capsys, "spec", "--project-dir", SAMPLE, "--select", "hub_provider", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["generated_by"] == "dv-spec (dv-spec spec)"
    assert {k: v for k, v in data.items() if k not in ("generated_by", "dv_spec_checksum")} == builder.entity_spec("hub_provider")


@pytest.mark.parametrize("command, folder", [("spec", "specs"), ("prompts", "prompts")])
def test_a_first_run_without_select_or_out_prints_an_index(capsys, builder, command, folder):
    code, out, err = run(capsys, command, "--project-dir", SAMPLE)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"# dv-spec {command}: 16 entities, 5 subject areas"
    assert f"Print one: `dv-spec {command} --select NAME`" in lines[2]
    assert f"Write them all: `dv-spec {command} --out {folder}/`." in lines[2]
    rows = [line.split(" | ")[0].strip("| `") for line in lines[6:]]
    assert rows == [f"subject_area:{a}" for a in builder.subject_areas()] + builder.entity_names
    assert "| `hub_provider` | hub | provider | A healthcare provider (a clinician" in out
    assert "| `subject_area:referral` | subject area | referral | 1 entity |" in out
    # what the index offers works as it says
    code, one, _ = run(capsys, command, "--project-dir", SAMPLE, "--select", rows[-1])
    assert code == 0 and one.startswith(("<!--", "# "))


@pytest.mark.parametrize("argv, message", [
    pytest.param(["spec", "-s", "hub_provider,hub_network"], "2 specs selected; pass --out DIR", id="several_without_out"),
    pytest.param(["spec", "--select", "hub_provdier"], "no design entity named `hub_provdier`; did you mean `hub_provider`?", id="unknown_entity"),
    pytest.param(["spec", "--select", "subject_area:nope"], "no entity has subject_area `nope`", id="unknown_subject_area"),
    pytest.param(["spec", "--select", "provider"], "a subject area is selected as `subject_area:provider`", id="bare_subject_area"),
    pytest.param(["prompts", "-s", "subject_area:network", "-s", "hub_provider"], "2 prompts selected; pass --out DIR",
                 id="prompts_without_out"),
    pytest.param(["prompts", "--check-report", "x.json"], "--check-report, --run-results and --sql go with --review ENTITY", id="report_without_review"),
    pytest.param(["prompts", "--review", "hub_nope"], "--review: no design entity named `hub_nope`", id="review_unknown_entity"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv, "--project-dir", SAMPLE)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err


def test_an_entity_with_a_design_error_gets_no_spec_and_the_others_do(capsys, tmp_path):
    project = tmp_path / "sample"
    shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs"))
    design_file = project / "models" / "raw_vault" / "network" / "_network__design.yml"
    design_file.write_text(design_file.read_text().replace("hashdiff: network_details_hashdiff", "hashdif: network_details_hashdiff"))
    code, out, err = run(capsys, "spec", "--project-dir", project, "--select", "hub_network")
    assert code == 0 and "hub_network" in out and not err
    code, out, err = run(capsys, "spec", "--project-dir", project, "--out", tmp_path / "specs")
    assert code == 1 and "DV101 unknown key `hashdif`" in err
    assert err.startswith("dv-spec: no spec for sat_network_details: its design has an error: ")
    assert (tmp_path / "specs" / "hub_network.md").exists() and not (tmp_path / "specs" / "sat_network_details.md").exists()


def test_rerun_changes_nothing_and_edits_survive_without_force(capsys, tmp_path):
    out = tmp_path / "specs"
    assert run(capsys, "spec", "--project-dir", SAMPLE, "--out", out)[0] == 0
    before = tree(out)
    code, printed, _ = run(capsys, "spec", "--project-dir", SAMPLE, "--out", out)
    assert code == 0 and tree(out) == before and set(line.split()[0] for line in printed.splitlines()) == {"unchanged"}
    edited = out / "hub_provider.md"
    edited.write_text(edited.read_text() + "\nA note of the architect.\n")
    (out / "hub_network.md").write_text("Written by a person.\n")
    code, printed, _ = run(capsys, "spec", "--project-dir", SAMPLE, "--out", out)
    assert code == 1
    assert "kept (edited by hand since dv-spec wrote it; --force overwrites)  hub_provider.md" in printed
    assert "kept (not written by dv-spec; --force overwrites)  hub_network.md" in printed
    assert edited.read_text().endswith("A note of the architect.\n")
    code, printed, _ = run(capsys, "spec", "--project-dir", SAMPLE, "--out", out, "--force")
    assert code == 0 and tree(out) == before


def test_instructions_are_written_beside_a_persons_file(capsys, tmp_path):
    project = tmp_path / "sample"
    shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs"))
    (project / "AGENTS.md").write_text("# Our agents\n")
    code, out, _ = run(capsys, "prompts", "--project-dir", project, "--instructions")
    assert code == 0
    assert "created  .github/copilot-instructions.md" in out
    assert "created  .github/instructions/data-vault.instructions.md" in out
    assert "written beside as AGENTS.dv-spec.md (AGENTS.md is not written by dv-spec; merge by hand, or --force overwrites)  AGENTS.md" in out
    assert (project / "AGENTS.md").read_text() == "# Our agents\n"
    scoped = (project / ".github" / "instructions" / "data-vault.instructions.md").read_text()
    assert scoped.startswith('---\napplyTo: "models/business_vault/**,')
    assert "models/staging/**" in scoped.split("---")[1]
    code, out, _ = run(capsys, "prompts", "--project-dir", project, "--instructions")
    assert "unchanged  .github/copilot-instructions.md" in out
    code, out, _ = run(capsys, "prompts", "--project-dir", project, "--instructions", "--force")
    assert "updated  AGENTS.md" in out and (project / "AGENTS.md").read_text().startswith("<!-- Generated by dv-spec")


def test_instruction_globs_are_relative_to_the_repository_root(capsys, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(SAMPLE, repo / "analytics", ignore=shutil.ignore_patterns("target", "dbt_packages", "logs"))
    code, _, _ = run(capsys, "prompts", "--project-dir", repo / "analytics", "--instructions", "--out", repo)
    assert code == 0
    scoped = (repo / ".github" / "instructions" / "data-vault.instructions.md").read_text()
    assert 'applyTo: "analytics/models/business_vault/**,' in scoped
    assert "dv-spec spec --project-dir analytics --select <model>" in (repo / "AGENTS.md").read_text()


def test_a_persons_styleguide_keeps_every_line_and_claude_imports_agents(capsys, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(SAMPLE, repo / "analytics", ignore=shutil.ignore_patterns("target", "dbt_packages", "logs"))
    own = "# Our style\n\n- Use trailing commas.\n- Lowercase keywords.\n"
    (repo / "analytics" / "dbt-styleguide.md").write_text(own)
    (repo / "CLAUDE.md").write_text("Run the linter before committing.")  # no final newline
    code, out, _ = run(capsys, "prompts", "--project-dir", repo / "analytics", "--instructions", "--out", repo)
    assert code == 0 and "dbt-styleguide.md" in out
    styleguide = (repo / "analytics" / "dbt-styleguide.md").read_text()
    assert styleguide.startswith(own) and "<!-- dv-spec:begin" in styleguide and styleguide.endswith("<!-- dv-spec:end -->\n")
    assert "## Data Vault models (dv-spec)" in styleguide and "Hash keys and hashdiffs" in styleguide
    claude = (repo / "CLAUDE.md").read_text()
    assert claude.startswith("Run the linter before committing.\n\n") and "\n@AGENTS.md\n" in claude
    assert (repo / "AGENTS.md").exists()

    # A person's edits outside the block survive a second run; the block is replaced, not repeated.
    (repo / "analytics" / "dbt-styleguide.md").write_text(styleguide + "- Added later by a person.\n")
    code, out, _ = run(capsys, "prompts", "--project-dir", repo / "analytics", "--instructions", "--out", repo)
    again = (repo / "analytics" / "dbt-styleguide.md").read_text()
    assert "unchanged  analytics/dbt-styleguide.md" in out and again.count("<!-- dv-spec:begin") == 1
    assert again.endswith("- Added later by a person.\n")

    # An edit inside the block is kept unless --force.
    (repo / "analytics" / "dbt-styleguide.md").write_text(again.replace("## Data Vault models (dv-spec)", "## Our vault"))
    code, out, _ = run(capsys, "prompts", "--project-dir", repo / "analytics", "--instructions", "--out", repo)
    assert "kept (its dv-spec block was edited by hand; --force replaces the block)  analytics/dbt-styleguide.md" in out
    assert "## Our vault" in (repo / "analytics" / "dbt-styleguide.md").read_text()


@pytest.mark.parametrize("style, says, never", [
    ("automate_dv", "a `yaml_metadata` block and one macro call", "not with AutomateDV's table macros"),
    ("plain_sql", "not with AutomateDV's table macros", "a `yaml_metadata` block and one macro call"),
])
def test_instruction_files_follow_the_chosen_style(capsys, tmp_path, style, says, never):
    out = tmp_path / "out"
    code, _, _ = run(capsys, "prompts", "--project-dir", SAMPLE, "--instructions", "--out", out, "--style", style)
    assert code == 0
    for name in (".github/copilot-instructions.md", ".github/instructions/data-vault.instructions.md", "AGENTS.md", "dbt-styleguide.md"):
        text = (out / name).read_text()
        assert says in text and never not in text, name


def _project_without_seed_types(tmp_path) -> Path:
    project = tmp_path / "effectivity"
    shutil.copytree(Path(__file__).parent / "fixtures" / "effectivity_project", project)
    config = yaml.safe_load((project / "dbt_project.yml").read_text())
    config.pop("seeds")
    (project / "dbt_project.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return project


def test_seed_column_types_are_inferred_as_dbt_seed_does(capsys, tmp_path):
    pytest.importorskip("dbt_common.clients.agate_helper", reason="dbt's CSV type inference comes with dbt")
    project = _project_without_seed_types(tmp_path)
    code, out, _ = run(capsys, "spec", "--project-dir", project, "--select", "hub_provider")
    assert code == 0 and "<type unknown>" not in out
    # dbt seed reads 1003000126 as a number: the spec says so, and where it comes from.
    assert "| `provider_npi` | `NUMBER(38,0)` | business key | raw_agreement_assignments.provider_npi (integer, inferred from the seed's CSV as `dbt seed` does) |" in out
    assert "`load_datetime` | `TIMESTAMP_NTZ`" in out


def test_catalog_types_come_before_inference(capsys, tmp_path):
    project = _project_without_seed_types(tmp_path)
    (project / "target").mkdir()
    (project / "target" / "catalog.json").write_text(json.dumps({"nodes": {"seed.dv_spec_effectivity.raw_agreement_assignments": {
        "metadata": {"name": "raw_agreement_assignments"}, "columns": {"PROVIDER_NPI": {"type": "VARCHAR", "name": "PROVIDER_NPI"}}}}}))
    code, out, _ = run(capsys, "spec", "--project-dir", project, "--select", "hub_provider")
    assert code == 0
    assert "| `provider_npi` | `VARCHAR` | business key | raw_agreement_assignments.provider_npi (VARCHAR, target/catalog.json) |" in out


# ---------------------------------------------------------------- prompts


@pytest.mark.parametrize("style, present, absent", [
    pytest.param("automate_dv", ["a call to `automate_dv.hub`", "src_nk: provider_npi", "source_model: [stg_providers, stg_raw_network_memberships"],
                 ["Do not call AutomateDV's table macros"], id="automate_dv"),
    pytest.param("plain_sql", ["plain Snowflake SQL with dbt Jinja", "incremental_strategy='append'", "Do not call AutomateDV's table macros"],
                 ["yaml_metadata"], id="plain_sql"),
])
def test_entity_prompt_styles(builder, style, present, absent):
    text = macro_api.spec_prompt(builder.entity_spec("hub_provider"), style)
    for fragment in present:
        assert fragment in text
    for fragment in absent:
        assert fragment not in text
    for section in ("## Context", "## Task", "## Constraints", "## Hand back", "## The spec", "#### Acceptance criteria"):
        assert section in text
    # Each fact once: the criteria are listed once, in the spec, under their common id prefix.
    assert text.count("Ids `AC-hub_provider-NN`") == 1 and "- `03` (dbt test `hub_hash_key_matches`)" in text
    assert "Who writes what: `dv-spec scaffold` writes this file" in text
    # The verify command builds the parents first, so it passes on a freshly seeded database.
    assert "`dbt build --select +hub_provider --indirect-selection cautious`" in text


def test_review_lists_failed_ac_tests_from_run_results(capsys, tmp_path):
    results = {"metadata": {"dbt_version": "1.10.0"}, "results": [
        {"unique_id": "test.dv_spec_integration_tests.ac_hub_provider_02_business_keys_unique.1a2b3c", "status": "fail",
         "failures": 3, "message": "Got 3 results, configured to fail if != 0",
         "compiled_code": "SELECT provider_npi FROM hub_provider GROUP BY provider_npi HAVING COUNT(*) > 1", "relation_name": None},
        {"unique_id": "test.dv_spec_integration_tests.ac_hub_provider_01_hash_key_unique.4d5e6f", "status": "pass", "failures": 0},
        {"unique_id": "test.dv_spec_integration_tests.ac_hub_network_01_hash_key_unique.7a8b9c", "status": "fail", "failures": 1},
        {"unique_id": "model.dv_spec_integration_tests.hub_provider", "status": "success"},
    ]}
    path = tmp_path / "run_results.json"
    path.write_text(json.dumps(results))
    code, out, _ = run(capsys, "prompts", "--project-dir", SAMPLE, "--review", "hub_provider", "--run-results", path)
    assert code == 0
    section = out.split("### Failed by the `ac_` dbt tests")[1].split("###")[0]
    assert "- **AC-hub_provider-02 fail** (dbt test `ac_hub_provider_02_business_keys_unique`): 3 failing rows" in section
    assert "GROUP BY provider_npi HAVING COUNT(*) > 1" in section and "--store-failures" in section
    assert "hub_network" not in section and "AC-hub_provider-01" not in section

    code, out, err = run(capsys, "prompts", "--project-dir", SAMPLE, "--run-results", path)
    assert code == 2 and "--run-results and --sql go with --review ENTITY" in err


def _check_report(tmp_path) -> Path:
    report = {
        "tool": "dv-spec check", "dialect": "snowflake",
        "outcomes": [
            {"criterion": "AC-hub_provider-12", "entity": "hub_provider", "check": "hash_key_lineage", "status": "fail",
             "text": "Each hash key is computed from exactly the declared business-key columns.",
             "problems": [{"model": "stg_providers", "line": 14, "message": "provider_hk hashes LOWER(npi), not UPPER(TRIM(npi))", "file": ""}]},
            {"criterion": "AC-hub_provider-10", "entity": "hub_provider", "check": "declared_sources", "status": "pass", "text": "", "problems": []},
            {"criterion": "AC-hub_network-12", "entity": "hub_network", "check": "hash_key_lineage", "status": "fail", "text": "", "problems": []},
        ],
        "review": [
            {"model": "hub_provider", "line": 7, "rule": "RV02", "name": "filter", "message": "WHERE status <> 'RETIRED' filters rows",
             "entities": ["hub_provider"], "criteria": ["AC-hub_provider-21"], "file": ""},
        ],
    }
    path = tmp_path / "check.json"
    path.write_text(json.dumps(report))
    return path


def test_review_prompt_lists_the_flagged_items_and_the_review_criteria(capsys, tmp_path):
    sql = tmp_path / "hub_provider.sql"
    sql.write_text("select provider_hk, provider_npi from {{ ref('stg_providers') }}\nwhere status <> 'RETIRED'\n")
    code, out, err = run(capsys, "prompts", "--project-dir", SAMPLE, "--review", "hub_provider",
                         "--check-report", _check_report(tmp_path), "--sql", sql)
    assert code == 0, err
    assert "- **AC-hub_provider-12 failed** (`dv-spec check` hash_key_lineage)" in out
    assert "stg_providers:14: provider_hk hashes LOWER(npi), not UPPER(TRIM(npi))" in out
    assert "- **RV02 filter** at hub_provider:7: WHERE status <> 'RETIRED' filters rows (for AC-hub_provider-21)" in out
    assert "- **AC-hub_provider-21**: Filters, joins, literals and casts" in out
    assert "AC-hub_network-12" not in out
    assert "where status <> 'RETIRED'" in out and f"From `{sql}`:" in out


def test_review_prompt_quotes_the_model_file_when_there_is_one(capsys):
    code, out, _ = run(capsys, "prompts", "--project-dir", SAMPLE, "--review", "hub_provider")
    assert code == 0
    assert "No `dv-spec check` report was given" in out
    model = "models/raw_vault/provider/hub_provider.sql"
    assert f"From `{model}`:" in out and (SAMPLE / model).read_text().rstrip("\n") in out


def test_review_prompt_without_report_or_sql_says_so(capsys, tmp_path):
    project = tmp_path / "sample"
    shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs", "*.sql"))
    code, out, _ = run(capsys, "prompts", "--project-dir", project, "--review", "hub_provider")
    assert code == 0
    assert "No `dv-spec check` report was given" in out
    assert "_No SQL given" in out


@pytest.mark.parametrize("content, message", [
    pytest.param("{not json", "not JSON", id="not_json"),
    pytest.param('{"outcomes": 3}', "no `outcomes` list", id="not_a_report"),
])
def test_review_with_a_bad_report_is_a_usage_error(capsys, tmp_path, content, message):
    report = tmp_path / "report.json"
    report.write_text(content)
    code, _, err = run(capsys, "prompts", "--project-dir", SAMPLE, "--review", "hub_provider", "--check-report", report)
    assert code == 2 and message in err and err.count("\n") == 1
