"""design_edit: the studio's edits written into schema YAML through the shared
writer (yamledit), so that nothing a person wrote is lost; connect rules;
paths that escape the project are refused."""

from __future__ import annotations

import difflib
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.project import load_project
from dv_spec_tool.edit import design_edit
from dv_spec_tool.edit.yamledit import remove_entries, splice_entries

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "integration_tests"

COMMENTED = """\
version: 2

models:
  # the customer hub
  - name: hub_customer   # trailing comment
    description: 'A customer.'  # quoted on purpose
    config:
      meta:
        dv:
          kind: hub
          hash_key: customer_hk   # keep me
          business_keys: [customer_id]
          sources:
            - model: raw_customers

  # ---- satellites ----
  - name: sat_customer
    config:
      meta:
        dv: {kind: sat, parent: hub_customer, hashdiff: hd, sources: [{model: raw_customers}]}
# end of models

sources:
  - name: crm
    tables: [{name: customers}]
"""

HUB_PATH = ("config", "meta", "dv")


def changed_lines(before: str, after: str) -> list:
    diff = difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


# ------------------------------------------------------------ the shared writer

def test_a_key_added_at_the_end_of_an_entry_goes_before_the_comments_that_follow_it():
    def change(entry):
        entry["config"]["meta"]["dv"]["sources"][0]["record_source"] = "CRM"
        return []

    out = splice_entries(COMMENTED, [(0, change)])
    assert changed_lines(COMMENTED, out) == ["+              record_source: CRM\n"]
    assert out.count("# ---- satellites ----") == 1


def test_splice_without_a_change_returns_the_text_unchanged_even_without_a_final_newline():
    text = COMMENTED.rstrip("\n")
    assert splice_entries(text, [(0, lambda entry: None)]) == text


@pytest.mark.parametrize("indexes, gone, kept", [
    pytest.param([0], "hub_customer", "# ---- satellites ----", id="first"),
    pytest.param([1], "sat_customer", "# end of models", id="last"),
    pytest.param([0, 1], "hub_customer", "# the customer hub", id="all"),
])
def test_remove_keeps_comments_and_a_valid_file(indexes, gone, kept):
    out = remove_entries(COMMENTED, indexes)
    data = yaml.safe_load(out)
    assert gone not in [m["name"] for m in data["models"]]
    assert kept in out
    assert out.endswith("sources:\n  - name: crm\n    tables: [{name: customers}]\n")
    assert all(line.startswith("-") for line in changed_lines(COMMENTED, out)) or indexes == [0, 1]


# ------------------------------------------------------------ entity updates

def sample_entries():
    design = build_design(load_project(str(SAMPLE)))
    return [pytest.param(e, id=e.name) for e in design.project.entries]


@pytest.mark.parametrize("entry", sample_entries())
def test_writing_an_entity_unchanged_keeps_the_file_byte_for_byte(entry):
    text = (SAMPLE / entry.file.path).read_text(encoding="utf-8")
    out = design_edit.update_entry(text, entry.model_path[1], entry.path[2:], entry.description, entry.dv)
    assert out == text
    changed = dict(entry.dv, owner="somebody_else")
    out = design_edit.update_entry(text, entry.model_path[1], entry.path[2:], entry.description, changed)
    assert len(changed_lines(text, out)) == 2  # the owner line, nothing else
    assert yaml.safe_load(out)["models"][entry.model_path[1]]["config"]["meta"]["dv"] == changed


def test_an_update_keeps_comments_and_quoting_of_untouched_keys():
    dv = {"kind": "hub", "hash_key": "customer_hk", "business_keys": ["customer_id", "region"],
          "sources": [{"model": "raw_customers"}]}
    out = design_edit.update_entry(COMMENTED, 0, HUB_PATH, None, dv)
    assert changed_lines(COMMENTED, out) == ["-          business_keys: [customer_id]\n",
                                             "+          business_keys: [customer_id, region]\n"]
    out = design_edit.update_entry(COMMENTED, 0, HUB_PATH, "A buyer.", dv)
    assert re.search(r"description: 'A buyer\.' +# quoted on purpose", out)
    assert "hash_key: customer_hk   # keep me" in out


# ------------------------------------------------------------ on a project

@pytest.fixture()
def project(tmp_path) -> Path:
    target = tmp_path / "sample"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs", "*.duckdb"))
    return target


def current(root: Path, name: str):
    return build_design(load_project(str(root))).entities[name]


def test_save_entity_updates_in_place_and_refuses_a_stale_version(project):
    entry = current(project, "sat_network_details")
    version = design_edit.entity_version(entry.description, entry.dv)
    dv = dict(entry.dv, payload=entry.dv["payload"] + ["status"])
    assert design_edit.save_entity(str(project), "sat_network_details", dv, None, version) == entry.file.path
    assert current(project, "sat_network_details").dv["payload"][-1] == "status"
    with pytest.raises(design_edit.EditConflict, match="was changed since it was loaded"):
        design_edit.save_entity(str(project), "sat_network_details", entry.dv, None, version)


def test_a_new_entity_goes_beside_its_parent_and_only_adds_lines(project):
    dv = {"kind": "sat", "subject_area": "network", "parent": "hub_network", "hashdiff": "network_tier_hashdiff",
          "payload": ["tier"], "sources": [{"model": "raw_networks", "record_source": "NETMGMT.NETWORKS"}]}
    path = project / "models/raw_vault/network/_network__design.yml"
    before = path.read_text()
    written = design_edit.save_entity(str(project), "sat_network_tier", dv, "The tier\nof a network.", create=True)
    assert written == "models/raw_vault/network/_network__design.yml"
    assert all(line.startswith("+") for line in changed_lines(before, path.read_text()))
    assert "          payload: [tier]\n" in path.read_text()
    entry = current(project, "sat_network_tier")
    assert (entry.description, entry.dv) == ("The tier\nof a network.", dv)


def test_save_entity_creates_a_new_file_for_a_new_subject_area(project):
    dv = {"kind": "hub", "subject_area": "payer", "hash_key": "payer_hk", "business_keys": ["payer_name"],
          "sources": [{"model": "raw_agreements"}]}
    written = design_edit.save_entity(str(project), "hub_payer", dv, "A payer.")
    assert written == "models/payer/_payer__design.yml"
    text = (project / written).read_text()
    assert text.startswith("version: 2\n\nmodels:\n  - name: hub_payer\n    description: A payer.\n")
    assert current(project, "hub_payer").dv == dv


@pytest.mark.parametrize("path, message", [
    pytest.param("../outside.yml", "without `.` or `..`", id="dotdot"),
    pytest.param("/etc/passwd.yml", "relative to the project", id="absolute"),
    pytest.param("seeds/x.yml", "under the model paths", id="not_model_path"),
    pytest.param("models/x.sql", "ends with .yml", id="not_yaml"),
    pytest.param("models/escape/x.yml", "outside the project", id="symlink"),
])
def test_new_entities_are_never_written_outside_the_project(project, tmp_path, path, message):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, project / "models" / "escape")
    dv = {"kind": "hub", "hash_key": "x_hk", "business_keys": ["x"], "sources": [{"model": "raw_agreements"}]}
    with pytest.raises(UsageError, match=message):
        design_edit.save_entity(str(project), "hub_x", dv, "", file=path)
    assert list(outside.iterdir()) == []


def test_rename_updates_every_reference(project):
    written = design_edit.rename_entity(str(project), "hub_network", "hub_provider_network")
    design = build_design(load_project(str(project)))
    assert "hub_network" not in design.entities
    assert design.entities["link_provider_network"].dv["hubs"] == ["hub_provider", "hub_provider_network"]
    assert design.entities["sat_network_details"].dv["parent"] == "hub_provider_network"
    assert "models/raw_vault/network/_network__design.yml" in written


def test_delete_entity_removes_only_its_entry(project):
    entry = current(project, "sat_network_details")
    before = (project / entry.file.path).read_text()
    design_edit.delete_entity(str(project), "sat_network_details", design_edit.entity_version(entry.description, entry.dv))
    after = (project / entry.file.path).read_text()
    assert all(line.startswith("-") for line in changed_lines(before, after))
    assert "sat_network_details" not in build_design(load_project(str(project))).entities


# ------------------------------------------------------------ connect

@pytest.mark.parametrize("first, second, owner, key, value", [
    pytest.param("sat_network_details", "hub_provider", "sat_network_details", "parent", "hub_provider", id="sat_hub"),
    pytest.param("hub_agreement", "link_provider_network", "link_provider_network", "hubs",
                 ["hub_provider", "hub_network", "hub_agreement"], id="hub_link_any_order"),
    pytest.param("pit_provider", "ma_sat_provider_address", "pit_provider", "satellites",
                 None, id="pit_sat_already_listed"),
    pytest.param("hub_provider", "hub_network", None, None, "hubs are joined by a link", id="hub_hub"),
])
def test_connect(first, second, owner, key, value):
    design = build_design(load_project(str(SAMPLE)))
    if owner is None or value is None:
        with pytest.raises(UsageError, match=value or "already"):
            design_edit.connect(design, first, second)
        return
    name, dv = design_edit.connect(design, first, second)
    assert (name, dv[key]) == (owner, value)
