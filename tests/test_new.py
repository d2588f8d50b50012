"""`dv-spec new KIND NAME ...`: one design entry from arguments, for people and
agents; validated against the project before it is written; never over an
existing name."""

import shutil
from pathlib import Path

import pytest
import yaml

from dv_spec_tool.cli import main

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
