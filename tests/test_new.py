"""`dv-spec new KIND NAME ...`: one design entry from arguments, for people and
agents; validated against the project before it is written; never over an
existing name."""

import shutil
from pathlib import Path

import pytest
import yaml

from dv_spec_tool.interfaces.cli import main

BASE = Path(__file__).parent / "fixtures" / "validate_base"


@pytest.fixture
def project(tmp_path):
    target = tmp_path / "project"
    shutil.copytree(BASE, target)
    return target


def run(capsys, *args):
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    return code, out, err


def entry(path: Path, name: str) -> dict:
    return next(m for m in yaml.safe_load(path.read_text())["models"] if m["name"] == name)


@pytest.mark.parametrize("args, name, file, dv", [
    pytest.param(["sat", "sat_network_names", "--parent", "hub_network", "--hashdiff", "network_names_hashdiff",
                  "--payload", "network_name", "--source", "crm.networks"],
                 "sat_network_names", "models/design.yml",
                 {"kind": "sat", "parent": "hub_network", "hashdiff": "network_names_hashdiff", "payload": ["network_name"],
                  "sources": [{"source": "crm.networks"}]}, id="sat_beside_its_parent"),
    pytest.param(["hub", "hub_specialty", "--hash-key", "specialty_hk", "--business-keys", "specialty_code",
                  "--source", "ref_specialties", "--subject-area", "reference"],
                 "hub_specialty", "models/reference/_reference__design.yml",
                 {"kind": "hub", "subject_area": "reference", "hash_key": "specialty_hk", "business_keys": ["specialty_code"],
                  "sources": [{"model": "ref_specialties"}]}, id="hub_in_its_subject_area"),
    pytest.param(["link", "link_referral_pair", "--hash-key", "referral_pair_hk",
                  "--hubs", "hub_provider:referring,hub_provider:referred",
                  "--source", "raw_referrals=referring:referring_npi;referred:referred_npi",
                  "--into", "models/referrals.yml"],
                 "link_referral_pair", "models/referrals.yml",
                 {"kind": "link", "hash_key": "referral_pair_hk",
                  "hubs": [{"hub": "hub_provider", "role": "referring"}, {"hub": "hub_provider", "role": "referred"}],
                  "sources": [{"model": "raw_referrals", "business_keys": {"referring": ["referring_npi"],
                                                                            "referred": ["referred_npi"]}}]},
                 id="role_playing_link_into_a_new_file"),
])
def test_new_entity_is_written(capsys, project, args, name, file, dv):
    code, out, err = run(capsys, "new", *args, "--project-dir", project, "--description", "Made by a test.")
    assert code == 0, out + err
    written = entry(project / file, name)
    assert written["config"]["meta"]["dv"] == dv and written["description"] == "Made by a test."
    assert f"added  {name}  ({file})" in out
    assert run(capsys, "validate", "--project-dir", project)[0] == 0


@pytest.mark.parametrize("args, message", [
    pytest.param(["sat", "sat_bad", "--parent", "hub_network", "--hashdiff", "bad_hashdiff", "--payload", "regio",
                  "--source", "crm.networks"], "DV300 column `regio` is not in `crm.networks`", id="unknown_column"),
    pytest.param(["link", "link_bad", "--hash-key", "bad_hk", "--hubs", "hub_provider", "--source", "raw_referrals"],
                 "DV202", id="link_with_one_hub"),
    pytest.param(["hub", "hub_nothing", "--hash-key", "nothing_hk"], "missing required key", id="missing_keys"),
    pytest.param(["hub", "hub_specialty", "--hash-key", "specialty_hk", "--business-keys", "specialty_code",
                  "--source", "ref_specialties", "--record-source", "NUCC.TAXONOMY"],
                 "DV217 stage `stg_ref_specialties` column `record_source`", id="breaks_another_entity"),
])
def test_invalid_entity_is_refused_and_nothing_written(capsys, project, args, message):
    before = (project / "models" / "design.yml").read_text()
    code, out, _ = run(capsys, "new", *args, "--project-dir", project)
    assert code == 1 and message in out and "not written" in out
    assert (project / "models" / "design.yml").read_text() == before


@pytest.mark.parametrize("args, message", [
    pytest.param(["hub", "hub_provider", "--hash-key", "x_hk"], "`hub_provider` exists already (models/design.yml)",
                 id="existing_entity"),
    pytest.param(["hub", "raw_providers", "--hash-key", "x_hk"], "already a seed", id="name_of_a_seed"),
    pytest.param(["hub", "hub-x"], "not a plain SQL identifier", id="bad_name"),
    pytest.param(["hub", "hub_x", "--source", "a", "--source", "b", "--record-source", "X"],
                 "--record-source needs exactly one --source", id="record_source_for_two"),
    pytest.param(["link", "link_x", "--hubs", "a:b:c:d"], "write hub, hub:role", id="bad_hub_item"),
])
def test_usage_errors_are_one_line(capsys, project, args, message):
    code, _, err = run(capsys, "new", *args, "--project-dir", project)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_dry_run_prints_the_diff_only(capsys, project):
    before = (project / "models" / "design.yml").read_text()
    code, out, _ = run(capsys, "new", "sat", "sat_network_names", "--parent", "hub_network", "--hashdiff", "nn_hashdiff",
                       "--payload", "network_name", "--source", "crm.networks", "--project-dir", project, "--dry-run")
    assert code == 0 and out.startswith("--- a/models/design.yml\n+++ b/models/design.yml\n")
    assert "+  - name: sat_network_names\n" in out
    assert (project / "models" / "design.yml").read_text() == before


# ------------------------------------------------------------ --from: a file of entries

DRAFT = """\
Here is the design (assumptions below).

```yaml
- name: hub_specialty
  description: A medical specialty (NUCC taxonomy code).
  config:
    meta:
      dv:
        kind: hub
        subject_area: reference
        hash_key: specialty_hk
        business_keys: [specialty_code]
        sources:
          - model: ref_specialties
- name: sat_specialty_details
  description: The specialty's name.
  config:
    meta:
      dv:
        kind: sat
        parent: hub_specialty
        hashdiff: specialty_details_hashdiff
        payload: [specialty_name]
        sources:
          - model: ref_specialties
```

Assumptions: specialty_code is the NUCC code.
"""


def snapshot(project: Path) -> dict:
    return {p.relative_to(project): p.read_bytes() for p in project.rglob("*") if p.is_file()}


def test_entries_from_an_assistants_answer_are_written_together(capsys, project, tmp_path):
    drafted = tmp_path / "draft.md"
    drafted.write_text(DRAFT)
    before = snapshot(project)
    code, out, err = run(capsys, "new", "--from", drafted, "--project-dir", project)
    assert code == 0, out + err
    written = project / "models/reference/_reference__design.yml"
    assert "added  hub_specialty  (models/reference/_reference__design.yml)" in out
    assert "added  sat_specialty_details  (models/reference/_reference__design.yml)" in out  # beside its parent
    assert entry(written, "sat_specialty_details")["config"]["meta"]["dv"]["parent"] == "hub_specialty"
    assert {p: b for p, b in snapshot(project).items() if p != written.relative_to(project)} == before
    assert run(capsys, "validate", "--project-dir", project)[0] == 0


def test_json_on_standard_input(capsys, project, monkeypatch):
    import io
    import json

    entries = [{"name": "sat_network_names", "description": "Network names.",
                "config": {"meta": {"dv": {"kind": "sat", "parent": "hub_network", "hashdiff": "network_names_hashdiff",
                                           "payload": ["network_name"], "sources": [{"source": "crm.networks"}]}}}}]
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(entries)))
    code, out, err = run(capsys, "new", "--from", "-", "--project-dir", project)
    assert code == 0, out + err
    assert entry(project / "models/design.yml", "sat_network_names")["config"]["meta"]["dv"]["payload"] == ["network_name"]


def test_one_bad_entry_writes_nothing(capsys, project, tmp_path):
    drafted = tmp_path / "draft.yml"
    drafted.write_text(DRAFT.split("```yaml\n")[1].split("```")[0].replace("payload: [specialty_name]",
                                                                          "payload: [specialty_name, category]"))
    before = snapshot(project)
    code, out, _ = run(capsys, "new", "--from", drafted, "--project-dir", project)
    assert code == 1
    assert "models/reference/_reference__design.yml:24:" in out and "DV300 column `category` is not in `ref_specialties`" in out
    assert "nothing was written" in out
    assert snapshot(project) == before


def test_replace_changes_only_that_design_block_and_keeps_comments(capsys, project, tmp_path):
    design = project / "models/design.yml"
    design.write_text(design.read_text().replace("hash_key: network_hk", "hash_key: network_hk  # agreed with PDM"))
    before = design.read_text()
    drafted = tmp_path / "draft.yml"
    drafted.write_text("- name: hub_network\n  config: {meta: {dv: {kind: hub, hash_key: network_hk, "
                       "business_keys: [network_code], subject_area: network, sources: [{source: crm.networks}]}}}\n")
    assert run(capsys, "new", "--from", drafted, "--project-dir", project)[0] == 2  # exists: needs --replace
    code, out, err = run(capsys, "new", "--from", drafted, "--project-dir", project, "--replace")
    assert code == 0, out + err and "changed  hub_network  (models/design.yml)" in out
    after = design.read_text()
    assert "hash_key: network_hk  # agreed with PDM" in after
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert [line.strip() for line in added] == ["subject_area: network"]
    assert len(after.splitlines()) == len(before.splitlines()) + 1


@pytest.mark.parametrize("text, message", [
    pytest.param("- name: hub_x\n  config: {meta: {dv: [kind, hub]}}\n", "draft.yml:2:", id="design_not_a_mapping"),
    pytest.param("- description: no name\n  dv: {kind: hub}\n", "draft.yml:1:3: an entry needs a `name`", id="no_name"),
    pytest.param("- name: hub_x\n  dv: {kind: hub\n", "draft.yml:3:1: invalid YAML", id="bad_yaml"),
    pytest.param("- name: hub_x\n  dv: {kind: hub}\n- name: hub_x\n  dv: {kind: hub}\n", "`hub_x` is given twice",
                 id="twice"),
    pytest.param("- name: hub_x\n  columns: []\n  dv: {kind: hub}\n", "draft.yml:2:3: `hub_x`: `columns` is not written",
                 id="other_keys"),
    pytest.param("- name: hub_x\n", "`hub_x` has no design block", id="no_design"),
    pytest.param("name: x\nversion: 2\n", "draft.yml:2:1: `x`: `version` is not written", id="one_entry_with_other_keys"),
    pytest.param("[]\n", "no entries", id="empty"),
])
def test_unreadable_entries_are_one_line_and_exit_2(capsys, project, tmp_path, text, message):
    drafted = tmp_path / "draft.yml"
    drafted.write_text(text)
    before = snapshot(project)
    code, _, err = run(capsys, "new", "--from", drafted, "--project-dir", project)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert snapshot(project) == before


def test_from_and_arguments_do_not_mix(capsys, project):
    assert run(capsys, "new", "--from", "x.yml", "--hash-key", "a_hk", "--project-dir", project)[0] == 2
    code, _, err = run(capsys, "new", "--from", "missing.yml", "--project-dir", project)
    assert code == 2 and "--from missing.yml: no such file" in err
    code, _, err = run(capsys, "new", "--project-dir", project)
    assert code == 2 and "name the KIND and NAME" in err
