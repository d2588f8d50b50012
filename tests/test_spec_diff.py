"""`dv-spec diff --base REF` on real refactors of the sample design: each
test commits the sample (integration_tests/) to a fresh git repository,
applies one refactor to the working tree, and checks the change set lists
the changes and what they imply. No database needed.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dv_spec_tool.interfaces.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "integration_tests"
GIT = ["git", "-c", "user.email=dv-spec@example.com", "-c", "user.name=dv-spec tests", "-c", "commit.gpgsign=false"]


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git repository whose first commit holds the sample project in `project/`; returns the project."""
    root = tmp_path / "repo"
    project = root / "project"
    shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs", "*.duckdb"))
    subprocess.run(GIT + ["init", "-q", str(root)], check=True)
    subprocess.run(GIT + ["-C", str(root), "add", "-A"], check=True)
    subprocess.run(GIT + ["-C", str(root), "commit", "-q", "-m", "base design"], check=True)
    return project


def edit(project: Path, path: str, old: str, new: str) -> None:
    file = project / path
    text = file.read_text()
    assert old in text, f"{path} has no {old!r}"
    file.write_text(text.replace(old, new, 1))


def rename_csv_column(project: Path, seed: str, old: str | None, new: str) -> None:
    """Rename a seed column (old=None: add `new` with a value in every row)."""
    path = project / "seeds" / f"{seed}.csv"
    rows = list(csv.reader(path.open(newline="")))
    if old is None:
        rows[0].append(new)
        for row in rows[1:]:
            row.append("X")
    else:
        rows[0][rows[0].index(old)] = new
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


PROVIDER = "models/raw_vault/provider/_provider__design.yml"
NETWORK = "models/raw_vault/network/_network__design.yml"
AGREEMENT = "models/raw_vault/agreement/_agreement__design.yml"
BUSINESS = "models/business_vault/_business_vault__design.yml"

SPLIT_SATS = """  - name: sat_provider_name
    description: A provider's name as the PDM provider master holds it.
    config:
      meta:
        dv:
          kind: sat
          subject_area: provider
          owner: provider-data-management
          ghost_record: true
          parent: hub_provider
          hashdiff: provider_name_hashdiff
          payload: [first_name, last_name]
          sources:
            - model: stg_providers
              business_keys: [npi]

  - name: sat_provider_credentials
    description: A provider's specialty, licensing state and credentialing status.
    config:
      meta:
        dv:
          kind: sat
          subject_area: provider
          owner: provider-data-management
          ghost_record: true
          parent: hub_provider
          hashdiff: provider_credentials_hashdiff
          payload: [specialty_code, license_state, status]
          sources:
            - model: stg_providers
              business_keys: [npi]

"""


def split_satellite(project: Path) -> None:
    text = (project / PROVIDER).read_text()
    start = text.index("  - name: sat_provider_details")
    end = text.index("  - name: ma_sat_provider_address")
    (project / PROVIDER).write_text(text[:start] + SPLIT_SATS + text[end:])
    edit(project, BUSINESS, "satellites: [sat_provider_details, ma_sat_provider_address]",
         "satellites: [sat_provider_name, sat_provider_credentials, ma_sat_provider_address]")


def add_source_to_hub(project: Path) -> None:
    edit(project, PROVIDER, "            - model: raw_network_memberships\n              business_keys: [npi]\n              record_source: NETMGMT.MEMBERSHIPS\n",
         "            - model: raw_network_memberships\n              business_keys: [npi]\n              record_source: NETMGMT.MEMBERSHIPS\n"
         "            - model: raw_referrals\n              business_keys: [referring_npi]\n              record_source: EHR.REFERRALS\n")


def add_hub_to_link(project: Path) -> None:
    rename_csv_column(project, "raw_provider_agreements", None, "network_code")
    edit(project, AGREEMENT, "hubs: [hub_provider, hub_agreement]", "hubs: [hub_provider, hub_agreement, hub_network]")


def rename_payload_column_that_moves(project: Path) -> None:
    rename_csv_column(project, "raw_networks", "tier", "network_tier")
    edit(project, NETWORK, "payload: [network_name, region, network_type, tier]", "payload: [network_name, region, network_type, network_tier]")


def rename_payload_column_in_place(project: Path) -> None:
    rename_csv_column(project, "raw_networks", "region", "regions")
    edit(project, NETWORK, "payload: [network_name, region, network_type, tier]", "payload: [network_name, regions, network_type, tier]")


def add_hashdiff_column(project: Path) -> None:
    rename_csv_column(project, "raw_networks", None, "status_code")
    edit(project, NETWORK, "payload: [network_name, region, network_type, tier]", "payload: [network_name, region, network_type, tier, status_code]")


def change_business_key(project: Path) -> None:
    rename_csv_column(project, "raw_networks", None, "network_region")
    rename_csv_column(project, "raw_network_memberships", None, "network_region")
    edit(project, NETWORK, "business_keys: [network_code]", "business_keys: [network_code, network_region]")


def end_date_automatically(project: Path) -> None:
    edit(project, NETWORK, "end_dating: source", "end_dating: auto")


def name_the_bridge_link_column(project: Path) -> None:
    edit(project, "models/business_vault/_business_vault__design.yml",
         "          effectivity_satellites: [eff_sat_provider_network]\n",
         "          effectivity_satellites: [eff_sat_provider_network]\n"
         "          link_columns: {link_provider_network: {key: provider_network_link_hk}}\n")


def diff(capsys, project: Path, *extra) -> tuple:
    code = main(["diff", "--project-dir", str(project), "--base", "HEAD", *map(str, extra)])
    out, err = capsys.readouterr()
    return code, out, err


def change_set(capsys, project: Path) -> dict:
    code, out, err = diff(capsys, project, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def entry(data: dict, name: str) -> dict:
    found = [e for e in data["changes"] if e["entity"] == name]
    assert found, f"{name} not in the change set: {[e['entity'] for e in data['changes']]}"
    return found[0]


def texts(items) -> str:
    return "\n".join(items)


# Each case: refactor, {entity: (status, [rule ids], [phrases in its implications])}, affected {name: rekeyed}.
CASES = [
    pytest.param(
        split_satellite,
        {"sat_provider_details": ("removed", ["CS004", "CS002"], ["The new satellites start empty; their history comes from this satellite's rows",
                                                                  "PITs listing this satellite must list the new ones."]),
         "sat_provider_name": ("added", ["CS001"], ["Split from `sat_provider_details`"]),
         "sat_provider_credentials": ("added", ["CS001"], ["Split from `sat_provider_details`"]),
         "pit_provider": ("changed", ["CS109"], ["`pit_provider`'s columns change: it is rebuilt (full refresh)"])},
        {},
        id="split_a_satellite"),
    pytest.param(
        add_source_to_hub,
        {"hub_provider": ("changed", ["CS106"], ["Keys first delivered by `raw_referrals` are inserted with record source 'EHR.REFERRALS'; keys already in `hub_provider` keep theirs",
                                                 "The stage `stg_raw_referrals` must exist"])},
        {"sat_provider_details": False, "link_provider_agreement": False, "pit_provider": False},
        id="add_a_source_to_a_hub"),
    pytest.param(
        add_hub_to_link,
        {"link_provider_agreement": ("changed", ["CS103"], ["every link key changes: this is a new link table, loaded by a backfill",
                                                            "The stage feeding the link must compute the new foreign key (`network_hk`)",
                                                            "Satellites and effectivity satellites on the link get new parent keys"])},
        {"sat_provider_agreement_terms": True},
        id="add_a_hub_to_a_link"),
    pytest.param(
        rename_payload_column_that_moves,
        {"sat_network_details": ("changed", ["CS107"], ["Rename the column in `sat_network_details` rather than adding a new one",
                                                        "`network_tier` sorts to another place than `tier`: every key's hashdiff changes"])},
        {},
        id="rename_a_payload_column_that_moves_in_the_hashdiff"),
    pytest.param(
        rename_payload_column_in_place,
        {"sat_network_details": ("changed", ["CS107"], ["`regions` sorts to the same place as `region` in the hashdiff, so hashdiffs stay the same"])},
        {},
        id="rename_a_payload_column_in_place"),
    pytest.param(
        add_hashdiff_column,
        {"sat_network_details": ("changed", ["CS107"], ["satellite history will show a change for every key"])},
        {},
        id="add_a_hashdiff_column"),
    pytest.param(
        change_business_key,
        {"hub_network": ("changed", ["CS101"], ["in all but name this is a new hub"])},
        {"link_provider_network": True, "sat_network_details": True, "eff_sat_provider_network": True, "bridge_provider_network": True},
        id="change_a_business_key"),
    pytest.param(
        end_date_automatically,
        {"eff_sat_provider_network": ("changed", ["CS108"], ["Who closes relationships changes"])},
        {},
        id="end_date_an_effectivity_satellite_automatically"),
    pytest.param(
        name_the_bridge_link_column,
        {"bridge_provider_network": ("changed", ["CS109"], ["`bridge_provider_network`'s columns are renamed: it is rebuilt (full refresh)"])},
        {},
        id="name_a_bridge_column"),
]


@pytest.mark.parametrize("refactor, expected, affected", CASES)
def test_refactor_is_described_with_its_implications(capsys, repo, refactor, expected, affected):
    refactor(repo)
    assert main(["validate", "--project-dir", str(repo)]) == 0, capsys.readouterr().out
    capsys.readouterr()
    data = change_set(capsys, repo)
    assert sorted(e["entity"] for e in data["changes"]) == sorted(expected)
    for name, (status, rules, phrases) in expected.items():
        found = entry(data, name)
        assert found["status"] == status
        assert [c["rule"] for c in found["changes"]] == rules
        implied = texts(found["implications"])
        for phrase in phrases:
            assert phrase in implied, f"{name}: {phrase!r} not in\n{implied}"
    listed = {a["name"]: a["rekeyed"] for a in data["affected"]}
    for name, rekeyed in affected.items():
        assert listed.get(name) is rekeyed, f"{name}: {listed}"
    assert data["migration_steps"][0]["phase"] == "agree"
    assert data["migration_steps"][-1]["text"].startswith("Run `dv-spec validate`, then `dbt build --select ")
    assert data["starter_prompt"].startswith("# Implement a Data Vault refactoring (`HEAD` to the working tree)")


def test_change_criteria_and_entity_criteria(capsys, repo):
    add_hub_to_link(repo)
    data = change_set(capsys, repo)
    assert data["change_criteria"][0] == {
        "id": "CS-01", "entity": "link_provider_agreement", "verified_by": "review",
        "text": "Every relationship in the old `link_provider_agreement` is present in the new one (joined on the old hubs' keys)."}
    ids = [c["id"] for c in data["acceptance_criteria"]]
    assert "AC-link_provider_agreement-06" in ids and "AC-link_provider_agreement-07" in ids
    link = [c for c in data["acceptance_criteria"] if c["id"] == "AC-link_provider_agreement-06"][0]
    assert "network_hk -> hub_network" in link["text"]


def test_markdown_change_set_and_prompt_files(capsys, repo, tmp_path):
    add_hashdiff_column(repo)
    out, prompt = tmp_path / "change.md", tmp_path / "change.prompt.md"
    code, printed, err = diff(capsys, repo, "--out", out, "--prompt", prompt)
    assert code == 0, err
    text = out.read_text()
    assert text.splitlines()[1] == "# Change set: `HEAD` to the working tree"
    assert "| `sat_network_details` | `sat` | changed | no | network-management |" in text
    # status_code has no declared type: the seed's CSV gives it, as `dbt seed` infers it.
    assert "`ALTER TABLE sat_network_details ADD COLUMN status_code VARCHAR;`" in text
    assert "## Starter prompt" in text and "````markdown\n# Implement a Data Vault refactoring" in text
    assert prompt.read_text().startswith("<!-- Generated by dv-spec (dv-spec diff)")
    assert f"created  {out}" in printed
    # The same input gives the same bytes.
    code, _, _ = diff(capsys, repo, "--out", out)
    assert code == 0 and out.read_text() == text


def test_downstream_models_come_from_dbts_graph(capsys, repo):
    add_hashdiff_column(repo)
    manifest = {
        "nodes": {
            "model.p.sat_network_details": {"resource_type": "model", "name": "sat_network_details"},
            "model.p.mart_networks": {"resource_type": "model", "name": "mart_networks"},
            "test.p.not_null_x": {"resource_type": "test", "name": "not_null_x"},
        },
        "child_map": {"model.p.sat_network_details": ["model.p.mart_networks", "test.p.not_null_x"]},
    }
    (repo / "target").mkdir()
    (repo / "target" / "manifest.json").write_text(json.dumps(manifest))
    data = change_set(capsys, repo)
    assert entry(data, "sat_network_details")["affected_models"] == ["mart_networks"]


def test_no_change(capsys, repo):
    code, out, _ = diff(capsys, repo)
    assert code == 0 and "The design is the same: nothing to migrate." in out


@pytest.mark.parametrize("setup, message", [
    pytest.param("no_git", "is not inside a git repository", id="outside_a_git_repository"),
    pytest.param("bad_ref", "--base no-such-branch: not a commit, branch or tag", id="unknown_ref"),
])
def test_bad_base_is_one_line_and_exit_2(capsys, tmp_path, repo, setup, message):
    if setup == "no_git":
        project = tmp_path / "plain"
        shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs", "*.duckdb"))
        code = main(["diff", "--project-dir", str(project), "--base", "HEAD"])
    else:
        code = main(["diff", "--project-dir", str(repo), "--base", "no-such-branch"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1
    assert message in err, err


def test_broken_base_design_is_named(capsys, repo):
    edit(repo, NETWORK, "hashdiff: network_details_hashdiff", "hashdif: network_details_hashdiff")
    subprocess.run(GIT + ["-C", str(repo.parent), "commit", "-qam", "broken"], check=True)
    edit(repo, NETWORK, "hashdif: network_details_hashdiff", "hashdiff: network_details_hashdiff")
    code, out, err = diff(capsys, repo)
    assert code == 2 and re.search(r"the design at HEAD \([0-9a-f]{12}\): the design has 1 error", err), err
