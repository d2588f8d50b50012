"""A corpus of broken designs: each breaks one thing in a clean base project
and must yield its rule id at the line where the break is. No database needed.
"""

import shutil
from pathlib import Path

import pytest

from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.project import load_project
from dv_spec_tool.validate import validate

BASE = Path(__file__).parent / "fixtures" / "validate_base"
DESIGN = "models/design.yml"


def case(case_id, old, new, rule, marker, file=DESIGN, severity="error"):
    """Replace `old` by `new` in `file`; expect `rule` on the line holding `marker`."""
    return pytest.param(file, old, new, rule, marker, severity, id=case_id)


CASES = [
    case("unknown-kind", "kind: hub\n          hash_key: network_hk", "kind: hubb\n          hash_key: network_hk", "DV100", "kind: hubb"),
    case("typo-key-hashdif", "hashdiff: provider_details_hashdiff", "hashdif: provider_details_hashdiff", "DV101", "hashdif:"),
    case("unknown-key-in-source", "record_source: CRM.PROVIDERS", "record_sorce: CRM.PROVIDERS", "DV101", "record_sorce"),
    case("unknown-key-in-hub-ref", "{hub: hub_provider, role: referring}", "{hub: hub_provider, rol: referring}", "DV101", "rol: referring"),
    case("missing-hash-key", "          hash_key: network_hk\n", "", "DV102", "        dv:\n          kind: hub\n          business_keys: [network_code]"),
    case("missing-kind", "          kind: pit\n", "", "DV102", "        dv:\n          hub: hub_provider"),
    case("business-keys-not-a-list", "business_keys: [network_code]", "business_keys: network_code", "DV103", "business_keys: network_code"),
    case("empty-payload-list-item", "payload: [specialty_name]", "payload: [specialty_name, specialty_name]", "DV103", "payload: [specialty_name, specialty_name]"),
    case("dv-not-a-mapping", "        dv:\n          kind: ref_table\n          reference_keys: [specialty_code]\n          payload: [specialty_name]\n          sources:\n            - model: ref_specialties\n",
         "        dv: ref_table\n", "DV103", "dv: ref_table"),
    case("sql-injection-in-payload", "payload: [street, city]", "payload: [street, \"city; drop table x\"]", "DV104", "drop table"),
    case("hyphen-in-hash-key", "hash_key: referral_hk", "hash_key: referral-hk", "DV104", "referral-hk"),
    case("reserved-word-column", "payload: [referral_id, referral_date]", "payload: [referral_id, order]", "DV105", "payload: [referral_id, order]"),
    case("source-and-model", "- source: crm.networks", "- source: crm.networks\n              model: raw_providers", "DV106", "- source: crm.networks"),
    case("source-without-table", "- source: crm.networks", "- source: crm", "DV106", "- source: crm"),
    case("quote-in-record-source", "record_source: CRM.PROVIDERS", "record_source: \"CRM'; drop\"", "DV107", "record_source:"),
    case("dangling-parent", "parent: hub_provider\n          hashdiff: provider_details", "parent: hub_provder\n          hashdiff: provider_details", "DV200", "hub_provder"),
    case("dangling-link-hub", "hubs: [hub_provider, hub_network]", "hubs: [hub_provider, hub_netwrk]", "DV200", "hub_netwrk"),
    case("dangling-pit-satellite", "satellites: [sat_provider_details, ma_sat_provider_address]", "satellites: [sat_provider_detail, ma_sat_provider_address]", "DV200", "sat_provider_detail,"),
    case("dangling-source-model", "- model: ref_specialties", "- model: ref_specialtys", "DV201", "ref_specialtys"),
    case("dangling-dbt-source", "- source: crm.networks", "- source: crm.netwrks", "DV201", "crm.netwrks"),
    case("dangling-as-of-dates", "as_of_dates: as_of_dates\n\n  - name: bridge", "as_of_dates: as_of_date\n\n  - name: bridge", "DV201", "as_of_dates: as_of_date\n"),
    case("link-one-hub", "hubs: [hub_provider, hub_network]", "hubs: [hub_provider]", "DV202", "hubs: [hub_provider]"),
    case("sat-parent-is-sat", "parent: hub_provider\n          hashdiff: provider_address", "parent: sat_provider_details\n          hashdiff: provider_address", "DV203", "parent: sat_provider_details"),
    case("eff-sat-parent-is-hub", "parent: link_provider_network\n          driving_keys", "parent: hub_network\n          driving_keys", "DV203", "parent: hub_network"),
    case("duplicate-entity", "  - name: ref_specialty\n", "  - name: hub_network\n", "DV204", "  - name: hub_network\n    description: Specialty"),
    case("duplicate-hash-key", "hash_key: network_hk", "hash_key: provider_hk", "DV205", "hash_key: provider_hk\n          business_keys: [network_code]"),
    case("mapping-arity", "              business_keys: [npi]\n\n  - name: hub_network", "              business_keys: [npi, first_name]\n\n  - name: hub_network", "DV206", "business_keys: [npi, first_name]"),
    case("payload-overlaps-business-key", "payload: [first_name, last_name, specialty_code]", "payload: [first_name, last_name, specialty_code, npi]", "DV207", "specialty_code, npi]"),
    case("payload-overlaps-multi-active-key", "payload: [street, city]", "payload: [street, city, address_type]", "DV207", "payload: [street, city, address_type]"),
    case("hashdiff-without-payload", "          payload: [first_name, last_name, specialty_code]\n", "", "DV208", "hashdiff: provider_details_hashdiff"),
    case("cycle-through-sources", "- model: raw_network_memberships\n              business_keys: [npi]\n", "- model: sat_provider_details\n              business_keys: [npi]\n", "DV209", "kind: hub\n          hash_key: provider_hk"),
    case("role-playing-without-roles", "- {hub: hub_provider, role: referring}\n            - {hub: hub_provider, role: referred}", "- hub_provider\n            - hub_provider", "DV210", "- hub_provider\n            - hub_provider"),
    case("mapping-names-unknown-role", "referring: [referring_npi]", "referrer: [referring_npi]", "DV212", "referrer:"),
    case("mapping-list-for-link-parent", "                hub_provider: [npi]\n\n  - name: pit", "                - npi\n\n  - name: pit", "DV212", "business_keys:\n                - npi\n\n  - name: pit"),
    case("unknown-driving-key", "driving_keys: [hub_provider]", "driving_keys: [hub_provdr]", "DV213", "hub_provdr"),
    case("pit-satellite-of-other-parent", "satellites: [sat_provider_details, ma_sat_provider_address]", "satellites: [sat_provider_details, eff_sat_provider_network]", "DV203", "eff_sat_provider_network]"),
    case("pit-on-another-hub", "hub: hub_provider\n          satellites:", "hub: hub_network\n          satellites:", "DV214", "satellites: [sat_provider_details"),
    case("bridge-starts-elsewhere", "hub: hub_provider\n          links: [link_provider_network]", "hub: hub_network\n          links: [nh_link_referral]", "DV215", "links: [nh_link_referral]"),
    case("bridge-columns-of-another-link", "          effectivity_satellites: [eff_sat_provider_network]\n",
         "          effectivity_satellites: [eff_sat_provider_network]\n          link_columns:\n            link_provider_netwrk: {key: LINK_PROVIDER_NETWORK_PK}\n",
         "DV220", "link_provider_netwrk:"),
    case("bridge-link-without-effectivity", "          effectivity_satellites: [eff_sat_provider_network]\n", "", "DV219",
         "links: [link_provider_network]", severity="warning"),
    case("satellite-two-sources", "            - model: stg_providers\n\n  - name: ma_sat", "            - model: stg_providers\n            - model: raw_providers\n              business_keys: [npi]\n\n  - name: ma_sat",
         "DV216", "- model: raw_providers\n              business_keys: [npi]\n\n  - name: ma_sat", severity="warning"),
    case("stage-record-source-conflict", "            - model: raw_network_memberships\n              business_keys: [npi]\n",
         "            - model: raw_network_memberships\n              business_keys: [npi]\n              record_source: NET.MEMBERS\n",
         "DV217", "- model: raw_network_memberships\n              business_keys: [npi]\n              record_source: NET"),
    case("ghost-record-without-automate-dv-var", "          hashdiff: provider_details_hashdiff\n", "          hashdiff: provider_details_hashdiff\n          ghost_record: true\n",
         "DV218", "ghost_record: true", severity="warning"),
    case("ghost-record-on-ma-sat", "          multi_active_keys: [address_type]\n", "          multi_active_keys: [address_type]\n          ghost_record: true\n",
         "DV218", "ghost_record: true", severity="warning"),
    # The base itself loads link_provider_network from a source hub_network is not loaded from (no mutation).
    case("orphan-link-keys", "hubs: [hub_provider, hub_network]", "hubs: [hub_provider, hub_network]", "DV230",
         "- model: raw_network_memberships\n              business_keys:\n                hub_provider", severity="warning"),
    case("duplicate-satellite", "  - name: ma_sat_provider_address\n",
         "  - name: sat_provider_names\n    config:\n      meta:\n        dv:\n          kind: sat\n          parent: hub_provider\n"
         "          hashdiff: provider_names_hashdiff\n          payload: [last_name]\n          sources:\n            - model: stg_providers\n\n"
         "  - name: ma_sat_provider_address\n", "DV231", "payload: [last_name]", severity="warning"),
    case("effectivity-dates-ignored", "          end_dating: source\n", "", "DV232", "kind: eff_sat", severity="warning"),
    case("hashdiff-hashes-load-datetime", "          payload: [first_name, last_name, specialty_code]\n",
         "          payload: [first_name, last_name, specialty_code]\n"
         "          hashdiff_columns: [first_name, last_name, specialty_code, load_datetime]\n", "DV233",
         "hashdiff_columns: [first_name", severity="warning"),
    case("payload-not-in-seed", "payload: [street, city]", "payload: [street, town]", "DV300", "payload: [street, town]"),
    case("business-key-not-in-dbt-source", "business_keys: [network_code]", "business_keys: [network_id]", "DV300", "- source: crm.networks"),
    case("mapped-key-not-in-staged-seed", "            - model: stg_providers\n              business_keys: [npi]", "            - model: stg_providers\n              business_keys: [provider_id]", "DV300", "business_keys: [provider_id]"),
    case("naming-convention", "  - name: hub_network\n", "  - name: network_hub\n", "DV301", "kind: hub\n          hash_key: network_hk", severity="warning"),
    case("malformed-yaml", "hubs: [hub_provider, hub_network]", "hubs: [hub_provider, hub_network", "DV001", "sources:\n            - model: raw_network_memberships\n              business_keys:\n                hub_provider"),
    case("duplicate-yaml-key", "          hash_key: network_hk\n", "          hash_key: network_hk\n          hash_key: network2_hk\n", "DV002", "hash_key: network2_hk"),
    case("bad-settings", "hash_algorithm: md5", "hash_algorithm: md6", "DV020", "hash_algorithm", file="dbt_project.yml"),
    case("legacy-meta-location", "    config:\n      meta:\n        dv:\n          kind: ref_table", "    meta:\n        dv:\n          kind: ref_table", "DV011", "        dv:\n          kind: ref_table", severity="warning"),
]


def _line_of(text: str, marker: str) -> int:
    index = text.find(marker)
    assert index >= 0, f"marker {marker!r} not in the mutated file"
    return text[:index].count("\n") + 1 + (len(marker) - len(marker.lstrip("\n")))


@pytest.mark.parametrize("file, old, new, rule, marker, severity", CASES)
def test_broken_design_yields_rule_at_line(tmp_path, file, old, new, rule, marker, severity):
    project = tmp_path / "project"
    shutil.copytree(BASE, project)
    target = project / file
    text = target.read_text()
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    mutated = text.replace(old, new)
    target.write_text(mutated)
    findings = validate(build_design(load_project(str(project))))
    expected_line = _line_of(mutated, marker)
    hits = [f for f in findings if f.rule == rule]
    assert hits, f"expected {rule}, got: {[(f.rule, f.line, f.message) for f in findings]}"
    assert any(f.file == file and f.line == expected_line for f in hits), (
        f"{rule} expected at {file}:{expected_line}, got {[(f.file, f.line, f.message) for f in hits]}")
    assert all(f.severity == severity for f in hits)


def test_base_design_is_clean():
    findings = validate(build_design(load_project(str(BASE))))
    # No errors; three links and satellites read sources their hubs are not loaded from (DV230).
    assert [(f.rule, f.entity) for f in findings] == [
        ("DV230", "link_provider_network"), ("DV230", "nh_link_referral"), ("DV230", "ma_sat_provider_address")]


def test_corpus_is_large_and_covers_rules():
    from dv_spec_tool.validate.rules import all_rules

    assert len(CASES) >= 30
    covered = {c.values[3] for c in CASES}
    untested = {r.id for r in all_rules()} - covered - {"DV003", "DV004", "DV010"}  # covered in test_cli
    assert not untested, f"rules without a broken-design case: {sorted(untested)}"


def test_an_ma_sat_whose_multi_active_keys_are_all_it_tracks_is_no_dv208(tmp_path):
    """A dbtvault jaffle-shop vault's phone-number ma_sat: src_cdk [PHONE_TYPE, PHONE_NUMBER], no src_payload."""
    project = tmp_path / "project"
    shutil.copytree(BASE, project)
    target = project / DESIGN
    text = target.read_text()
    old = "          multi_active_keys: [address_type]\n          payload: [street, city]\n"
    assert text.count(old) == 1
    target.write_text(text.replace(old, "          multi_active_keys: [address_type, street]\n          payload: []\n"))
    findings = validate(build_design(load_project(str(project))))
    assert not [f for f in findings if f.rule == "DV208"]
