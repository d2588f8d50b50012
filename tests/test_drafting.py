"""`dv-spec prompts --draft`: the design-drafting prompt carries the contract, the
conventions, the design and the project's sources (columns and declared types),
stays small, and ends with the commands that check the answer."""

import shutil
from pathlib import Path

import pytest

from dv_spec_tool.interfaces.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "integration_tests"
BASE = Path(__file__).parent / "fixtures" / "validate_base"


def run(capsys, *args):
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_sample_prompt_carries_what_an_assistant_needs(capsys):
    description = "A payer area: payers and the agreements they sign, with an effectivity on who the agreement is with."
    code, out, err = run(capsys, "prompts", "--project-dir", SAMPLE, "--draft", description)
    assert code == 0, err
    assert description in out
    for kind in ("hub", "link", "nh_link", "sat", "ma_sat", "eff_sat", "pit", "bridge", "ref_table", "stage"):
        assert f"- `{kind}`: " in out
    assert "- `hub`: hash_key, business_keys, sources" in out
    assert "Hash algorithm `md5`" in out and "hub `hub_...`" in out and "hash_key `..._hk`" in out
    # the design, one line each with its whole block (an assistant changing one repeats what it keeps)
    assert ("- `sat_agreement_details`: {kind: sat, subject_area: agreement, owner: contracting, parent: hub_agreement, "
            "hashdiff: agreement_details_hashdiff, payload: [agreement_name, payer_name, line_of_business, start_date, "
            "end_date], sources: [{source: credentialing.raw_agreements}]}\n") in out
    # the sources with their declared types (dbt_project.yml seeds: +column_types); load_datetime said once
    assert ("- `model: raw_provider_agreements` (seed): npi varchar, agreement_id varchar, provider_role varchar, "
            "fee_schedule_code varchar, accepting_new_patients boolean\n") in out
    assert "- `model: as_of_dates` (seed): Daily as-of dates for pit_provider and bridge_provider_network. " \
           "as_of_date timestamp, (no load_datetime)\n" in out
    assert "- `source: credentialing.raw_agreements` (source): " in out
    assert "- `model: stg_providers` (stage): npi varchar, first_name varchar," in out  # a declared stage: its source's columns
    assert "stg_raw_network_memberships" not in out  # derived stages are not sources
    assert "**Assumptions**" in out and "**Questions**" in out
    assert out.rstrip().endswith("fix the entries they name and answer again.")
    for command in ("dv-spec new --from draft.yml --dry-run", "dv-spec validate", "dv-spec diff --base HEAD"):
        assert command in out
    assert len(out.encode()) < 13_000  # docs/specs-and-prompts.md states the size on the sample


def test_select_limits_the_whole_blocks_to_those_entities(capsys):
    code, out, err = run(capsys, "prompts", "--project-dir", SAMPLE, "--draft", "Agreements.", "-s", "subject_area:agreement")
    assert code == 0, err
    assert "- `sat_agreement_details`: {kind: sat, subject_area: agreement, owner: contracting," in out
    assert "- `hub_network`: {kind: hub, hash_key: network_hk, business_keys: [network_code]} (more keys:" in out
    code, _, err = run(capsys, "prompts", "--project-dir", SAMPLE, "--draft", "x", "-s", "hub_netwrk")
    assert code == 2 and "did you mean `hub_network`?" in err


def test_declared_data_types_of_a_dbt_source_are_shown(capsys, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(BASE, project)
    sources = project / "models" / "sources.yml"
    text = sources.read_text()
    assert "- name: network_code\n" in text
    sources.write_text(text.replace("- name: network_code\n", "- name: network_code\n            data_type: varchar(20)\n", 1))
    code, out, err = run(capsys, "prompts", "--project-dir", project, "--draft", "Networks.")
    assert code == 0, err
    assert "network_code varchar(20)" in out


def test_description_from_a_file_and_written_with_out(capsys, tmp_path):
    described = tmp_path / "area.txt"
    described.write_text("A referral area: who refers patients to whom.\n")
    out_dir = tmp_path / "prompts"
    code, out, err = run(capsys, "prompts", "--project-dir", SAMPLE, "--draft-file", described, "--out", out_dir)
    assert code == 0, err and out == "created  design_draft.prompt.md\n"
    assert "who refers patients to whom" in (out_dir / "design_draft.prompt.md").read_text()
    assert run(capsys, "prompts", "--project-dir", SAMPLE, "--draft-file", described, "--out", out_dir)[0] == 0


@pytest.mark.parametrize("args, message", [
    pytest.param(["--draft", "  "], "describe what to design", id="empty"),
    pytest.param(["--draft", "x", "--draft-file", "y"], "pass one", id="both"),
    pytest.param(["--draft", "x", "--review", "hub_provider"], "leave out --review", id="with_review"),
    pytest.param(["--draft-file", "/no/such/file"], "--draft-file /no/such/file: no such file", id="missing_file"),
])
def test_usage_errors(capsys, args, message):
    code, _, err = run(capsys, "prompts", "--project-dir", SAMPLE, *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_sources_without_load_datetime_and_many_sources_are_summarised(capsys, tmp_path):
    project = tmp_path / "shop"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: shop\nversion: '1.0'\nconfig-version: 2\nprofile: shop\n")
    tables = "".join(f"      - name: table_{n:02d}\n        columns: [{{name: id, data_type: number}}, {{name: _loaded_at}}]\n"
                     for n in range(45))
    (project / "models" / "sources.yml").write_text(f"version: 2\nsources:\n  - name: erp\n    tables:\n{tables}")
    code, out, err = run(capsys, "prompts", "--project-dir", project, "--draft", "Orders.")
    assert code == 0, err
    assert "Most sources have no `load_datetime` column: give each source item `load_datetime:" in out
    assert "- `source: erp.table_00` (source): id number, _loaded_at\n" in out
    assert "- 5 more, not shown: erp.* (5). The architect can list the ones this design needs (`--sources PATTERNS`)" in out
    code, out, err = run(capsys, "prompts", "--project-dir", project, "--draft", "Orders.", "--sources", "erp.table_4*")
    assert code == 0, err
    assert [line for line in out.splitlines() if line.startswith("- `source:")] == [
        f"- `source: erp.table_4{n}` (source): id number, _loaded_at" for n in range(5)]
