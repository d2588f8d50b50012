"""impact: what deleting or renaming an entity affects, before it is done (no files written)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.project import load_project
from dv_spec_tool.generate import impact

SAMPLE = Path(__file__).resolve().parent.parent / "integration_tests"
STUDIO = Path(__file__).resolve().parent / "fixtures" / "studio_project"


@pytest.fixture(scope="module")
def sample():
    return build_design(load_project(str(SAMPLE)))


def test_dependents_of_a_hub_are_its_satellites_links_and_business_vault(sample):
    found = {(d.name, d.kind, d.relation) for d in impact.dependents(sample, "hub_provider")}
    assert ("sat_provider_details", "sat", "parent") in found
    assert ("ma_sat_provider_address", "ma_sat", "parent") in found
    assert ("link_provider_agreement", "link", "hub") in found
    assert ("nh_link_referral", "nh_link", "hub:referring") in found  # a same-as link once, first role
    assert ("pit_provider", "pit", "hub") in found
    assert [d.name for d in impact.dependents(sample, "hub_provider")] == sorted(n for n, _, _ in found)
    assert impact.dependents(sample, "sat_provider_details")[0].name == "pit_provider"
    assert impact.dependents(sample, "no_such_entity") == []


def test_rename_keeping_physical_names_changes_no_column(sample):
    plan = impact.rename_implications(sample, "hub_provider", "hub_clinician", keep_physical=True)
    assert plan.column_changes == []
    assert plan.design_changes == {}  # the hash key is written explicitly already
    assert "a new table `hub_clinician`" in plan.implications[0]
    assert any("references in" in line and "sat_provider_details" in line for line in plan.implications)


def test_rename_with_physical_names_lists_every_table_whose_columns_change(sample):
    plan = impact.rename_implications(sample, "hub_provider", "hub_clinician", keep_physical=False)
    assert plan.design_changes == {"hash_key": "clinician_hk"}
    changed = {(name, was, now) for name, was, now in plan.column_changes}
    assert ("hub_clinician", "provider_hk", "clinician_hk") in changed
    assert ("sat_provider_details", "provider_hk", "clinician_hk") in changed
    assert ("nh_link_referral", "referring_provider_hk", "referring_clinician_hk") in changed
    text = "\n".join(plan.implications)
    assert "column `provider_hk` becomes `clinician_hk` in" in text and "migration" in text


def test_rename_of_a_satellite_changes_its_hashdiff_only_when_asked(sample):
    keep = impact.rename_implications(sample, "sat_provider_details", "sat_clinician_details", keep_physical=True)
    assert keep.design_changes == {}
    assert {was for _, was, _ in keep.column_changes} == {"sat_provider_details_pk", "sat_provider_details_ldts"}  # the PIT's
    change = impact.rename_implications(sample, "sat_provider_details", "sat_clinician_details", keep_physical=False)
    assert change.design_changes == {"hashdiff": "clinician_details_hashdiff"}


def test_orphaned_model_file_and_scaffolded_tests_are_named(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(STUDIO, project)
    (project / "models/crm/hub_store.sql").write_text("select 1\n")
    schema = project / "models/crm/_crm__design.yml"
    schema.write_text(schema.read_text().replace("    config:\n", "    data_tests: [{unique: {column_name: store_hk}}]\n    config:\n", 1))
    design = build_design(load_project(str(project)))
    text = "\n".join(impact.rename_implications(design, "hub_store", "hub_shop").implications)
    assert "models/crm/hub_store.sql is left behind (an orphaned model)" in text
    assert "tests scaffolded into `hub_store`'s entry" in text


def test_physical_names_follow_the_house_convention(sample):
    assert impact.physical_names(sample, "hub", "hub_member") == {"hash_key": "member_hk"}
    assert impact.physical_names(sample, "sat", "sat_member_details") == {"hashdiff": "member_details_hashdiff"}
    assert impact.physical_names(sample, "hub", "hub_") == {}
    assert impact.physical_names(sample, "pit", "pit_member") == {}
