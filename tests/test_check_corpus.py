"""`dv-spec check` over a corpus of implementations of the provider-network
design (tests/fixtures/validate_base), no dbt run needed:

* three correct implementations in different styles, written by hand
  (tests/fixtures/check/): AutomateDV-like CTEs (Snowflake), plain
  INSERT ... SELECT (Snowflake) and the terse style an assistant writes
  (DuckDB, keys hashed inline, no stages). Each must pass every check with
  no review flag;
* mutants: each breaks one thing in one file of one style, and the report
  must name the acceptance criterion it breaks (AC-<entity>-NN) or the
  review flag that catches it (RVnn).

docs/check.md records the detection rate and false-positive count these
tests enforce.
"""

from pathlib import Path

import pytest

from dv_spec_tool.check import acceptance_criteria, evaluate
from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.project import load_project

BASE = Path(__file__).parent / "fixtures" / "validate_base"
CORPUS = Path(__file__).parent / "fixtures" / "check"
STYLES = {"automate_dv_like": "snowflake", "insert_select": "snowflake", "terse": "duckdb"}


@pytest.fixture(scope="module")
def design():
    """The resolved design, its criteria and known columns: computed once for the whole corpus."""
    built = build_design(load_project(str(BASE)))
    resolved = built.resolve()
    criteria = acceptance_criteria(resolved, sorted(resolved["entities"]))
    columns = {name: node.columns for name, node in built.project.nodes.items() if node.columns}
    return resolved, criteria, columns


def read_style(style: str) -> dict:
    return {path.stem: path.read_text() for path in sorted((CORPUS / style).glob("*.sql"))}


def run(design, style: str, sql: dict):
    resolved, criteria, columns = design
    return evaluate(resolved, criteria, sql, {}, dialect=STYLES[style], columns=columns)


def found_ids(report) -> set:
    return {o.criterion for o in report.outcomes if o.status == "fail"} | {f.rule for f in report.flags}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_correct_implementation_passes_with_nothing_to_review(design, style):
    report = run(design, style, read_style(style))
    not_passed = [(o.criterion, o.status, o.problems) for o in report.outcomes if o.status != "pass"]
    assert not_passed == []
    assert report.flags == []
    assert report.count("pass") == 35  # every criterion verified by dv-spec check, for all 11 entities
    assert report.without_sql == []


def mutant(mutant_id, style, model, edits, expected):
    """In `style`, edit `model`.sql by (old, new) pairs; the report must contain `expected`."""
    if isinstance(edits[0], str):
        edits = (edits,)
    return pytest.param(style, model, edits, expected, id=mutant_id)


A, I, T = "automate_dv_like", "insert_select", "terse"
A_KEY = "CAST(MD5_BINARY(NULLIF(UPPER(TRIM(CAST(d.{0} AS VARCHAR))), '')) AS BINARY(16)) AS {1}"
A_PART = "IFNULL(NULLIF(UPPER(TRIM(CAST(d.{0} AS VARCHAR))), ''), '^^')"

MUTANTS = [
    # ---- hash keys: columns, order, algorithm, normalisation (AC-<entity>-12)
    mutant("link-key-misses-a-business-key", A, "stg_raw_network_memberships",
           (f"{A_PART.format('npi')},\n            {A_PART.format('network_code')}\n        ), '^^||^^')",
            f"{A_PART.format('npi')}\n        ), '^^')"), "AC-link_provider_network-12"),
    mutant("link-key-hubs-swapped", A, "stg_raw_network_memberships",
           (f"{A_PART.format('npi')},\n            {A_PART.format('network_code')}\n",
            f"{A_PART.format('network_code')},\n            {A_PART.format('npi')}\n"), "AC-link_provider_network-12"),
    mutant("hub-key-not-upper-cased-in-second-stage", A, "stg_raw_network_memberships",
           (A_KEY.format("npi", "provider_hk"), "CAST(MD5_BINARY(NULLIF(TRIM(CAST(d.npi AS VARCHAR)), '')) AS BINARY(16)) AS provider_hk"),
           "AC-hub_provider-12"),
    mutant("hub-key-sha1-instead-of-md5", A, "stg_providers",
           (A_KEY.format("npi", "provider_hk"), "CAST(SHA1_BINARY(NULLIF(UPPER(TRIM(CAST(d.npi AS VARCHAR))), '')) AS BINARY(20)) AS provider_hk"),
           "AC-hub_provider-12"),
    mutant("nh-link-key-roles-swapped", A, "stg_raw_referrals",
           (f"{A_PART.format('referring_npi')},\n            {A_PART.format('referred_npi')}\n",
            f"{A_PART.format('referred_npi')},\n            {A_PART.format('referring_npi')}\n"), "AC-nh_link_referral-12"),
    mutant("foreign-key-hashes-the-other-role", A, "stg_raw_referrals",
           (A_KEY.format("referring_npi", "referring_provider_hk"), A_KEY.format("referred_npi", "referring_provider_hk")),
           "AC-nh_link_referral-12"),
    mutant("hub-key-hashes-a-payload-column", A, "stg_crm__networks",
           (A_KEY.format("network_code", "network_hk"), A_KEY.format("network_name", "network_hk")), "AC-hub_network-12"),
    mutant("parent-key-hashes-an-extra-column", A, "stg_raw_provider_addresses",
           (A_KEY.format("npi", "provider_hk"),
            f"CAST(MD5_BINARY(NULLIF(CONCAT_WS('||', {A_PART.format('npi')}, {A_PART.format('address_type')}), '^^||^^')) "
            "AS BINARY(16)) AS provider_hk"), "AC-ma_sat_provider_address-12"),
    mutant("foreign-key-lower-cased-in-one-stage", I, "stg_raw_network_memberships",
           ("MD5_BINARY(COALESCE(UPPER(TRIM(m.network_code::VARCHAR)), '')) AS network_hk",
            "MD5_BINARY(COALESCE(LOWER(TRIM(m.network_code::VARCHAR)), '')) AS network_hk"), "AC-link_provider_network-12"),
    mutant("link-key-one-column-not-trimmed", I, "stg_raw_network_memberships",
           ("COALESCE(UPPER(TRIM(m.network_code::VARCHAR)), '')\n    ) AS provider_network_hk",
            "COALESCE(UPPER(m.network_code::VARCHAR), '')\n    ) AS provider_network_hk"), "AC-link_provider_network-12"),
    mutant("hub-key-cast-through-number-in-one-stage", I, "stg_providers",
           ("MD5_BINARY(COALESCE(UPPER(TRIM(p.npi::VARCHAR)), '')) AS provider_hk",
            "MD5_BINARY(COALESCE(UPPER(TRIM(p.npi::NUMBER::VARCHAR)), '')) AS provider_hk"), "AC-hub_provider-12"),
    mutant("inline-hub-key-without-normalisation", T, "hub_provider",
           ("select md5(upper(trim(npi))), npi,", "select md5(npi), npi,"), "AC-hub_provider-12"),
    mutant("inline-link-key-swapped", T, "link_provider_network",
           ("md5(concat_ws('|', upper(trim(npi)), upper(trim(network_code)))) as provider_network_hk",
            "md5(concat_ws('|', upper(trim(network_code)), upper(trim(npi)))) as provider_network_hk"), "AC-link_provider_network-12"),
    mutant("effectivity-parent-key-misses-a-hub", T, "eff_sat_provider_network",
           ("md5(concat_ws('|', upper(trim(npi)), upper(trim(network_code)))) as provider_network_hk",
            "md5(upper(trim(npi))) as provider_network_hk"), "AC-eff_sat_provider_network-12"),
    # ---- hashdiffs (AC-<entity>-16)
    mutant("hashdiff-misses-a-payload-column", A, "stg_providers",
           (f"{A_PART.format('last_name')},\n            {A_PART.format('specialty_code')}\n", f"{A_PART.format('last_name')}\n"),
           "AC-sat_provider_details-16"),
    mutant("ma-hashdiff-misses-the-multi-active-key", A, "stg_raw_provider_addresses",
           (f"{A_PART.format('address_type')},\n            ", ""), "AC-ma_sat_provider_address-16"),
    mutant("ma-hashdiff-in-declared-not-sorted-order", I, "stg_raw_provider_addresses",
           ("COALESCE(UPPER(TRIM(a.city::VARCHAR)), '') || '|' ||\n        COALESCE(UPPER(TRIM(a.street::VARCHAR)), '')",
            "COALESCE(UPPER(TRIM(a.street::VARCHAR)), '') || '|' ||\n        COALESCE(UPPER(TRIM(a.city::VARCHAR)), '')"),
           "AC-ma_sat_provider_address-16"),
    mutant("hashdiff-hashes-the-load-datetime", T, "stg_providers",
           ("upper(trim(specialty_code))))", "upper(trim(specialty_code)), load_datetime::varchar))"), "AC-sat_provider_details-16"),
    mutant("inline-ma-hashdiff-misses-city", T, "ma_sat_provider_address",
           ("upper(trim(address_type)), upper(trim(city)), upper(trim(street))", "upper(trim(address_type)), upper(trim(street))"),
           "AC-ma_sat_provider_address-16"),
    # ---- load datetime and record source (AC-<entity>-13)
    mutant("wrong-record-source-literal-in-stage", A, "stg_raw_network_memberships",
           ("'raw_network_memberships' AS record_source", "'NETMGMT' AS record_source"), "AC-hub_provider-13"),
    mutant("load-datetime-is-the-clock", A, "hub_provider",
           ("SELECT e.provider_hk, e.provider_npi, e.load_datetime, e.record_source",
            "SELECT e.provider_hk, e.provider_npi, CURRENT_TIMESTAMP() AS load_datetime, e.record_source"), "AC-hub_provider-13"),
    mutant("load-datetime-literal-where-a-column-is-declared", I, "stg_providers",
           ("    p.load_datetime,\n", "    '2024-01-01 00:00:00'::TIMESTAMP_NTZ AS load_datetime,\n"), "AC-sat_provider_details-13"),
    mutant("record-source-from-a-column", I, "nh_link_referral",
           ("s.load_datetime, s.record_source\nFROM", "s.load_datetime, s.referral_id\nFROM"), "AC-nh_link_referral-13"),
    mutant("inline-record-source-abbreviated", T, "nh_link_referral",
           ("'raw_referrals' as record_source", "'EHR' as record_source"), "AC-nh_link_referral-13"),
    mutant("declared-stage-record-source-wrong", T, "stg_providers",
           ("'CRM.PROVIDERS' as record_source", "'CRM' as record_source"), "AC-hub_provider-13"),
    # ---- output columns (AC-<entity>-11)
    mutant("hub-without-record-source", A, "hub_network",
           ("SELECT f.network_hk, f.network_code, f.load_datetime, f.record_source\n    FROM first_seen",
            "SELECT f.network_hk, f.network_code, f.load_datetime\n    FROM first_seen"), "AC-hub_network-11"),
    mutant("sat-with-an-undeclared-column", T, "sat_provider_details",
           ("select provider_hk, provider_details_hashdiff,", "select provider_hk, provider_npi, provider_details_hashdiff,"),
           "AC-sat_provider_details-11"),
    mutant("pit-without-a-satellite-load-datetime", T, "pit_provider",
           (",\n  max(a.load_datetime) as ma_sat_provider_address_ldts", ""), "AC-pit_provider-11"),
    mutant("bridge-with-an-extra-column", A, "bridge_provider_network",
           ("SELECT c.provider_hk, c.as_of_date, c.link_provider_network_pk\n",
            "SELECT c.provider_hk, c.as_of_date, c.link_provider_network_pk, c.eff_sat_provider_network_end_date\n"),
           "AC-bridge_provider_network-11"),
    mutant("reference-table-without-its-payload", I, "ref_specialty",
           (("(specialty_code, specialty_name, load_datetime, record_source)", "(specialty_code, load_datetime, record_source)"),
            ("SELECT s.specialty_code, s.specialty_name, s.load_datetime", "SELECT s.specialty_code, s.load_datetime")),
           "AC-ref_specialty-11"),
    mutant("declared-stage-without-the-hashdiff", A, "stg_providers",
           (",\n        CAST(MD5_BINARY(CONCAT_WS('||',\n"
            f"            {A_PART.format('first_name')},\n            {A_PART.format('last_name')},\n"
            f"            {A_PART.format('specialty_code')}\n        )) AS BINARY(16)) AS provider_details_hashdiff", ""),
           "AC-stg_providers-11"),
    mutant("effectivity-satellite-without-end-date", A, "eff_sat_provider_network",
           (("st.start_date, st.end_date,\n           st.load_datetime, st.record_source\n    FROM staged AS st\n    LEFT JOIN",
             "st.start_date,\n           st.load_datetime, st.record_source\n    FROM staged AS st\n    LEFT JOIN"),
            ("l.network_hk, st.start_date, st.end_date,", "l.network_hk, st.start_date,")),
           "AC-eff_sat_provider_network-11"),
    mutant("nh-link-without-a-payload-column", A, "nh_link_referral",
           ("st.referral_id, st.referral_date, st.load_datetime", "st.referral_id, st.load_datetime"), "AC-nh_link_referral-11"),
    # ---- sources (AC-<entity>-10)
    mutant("satellite-reads-the-wrong-stage", A, "ma_sat_provider_address",
           ("FROM DV_DB.STAGING.STG_RAW_PROVIDER_ADDRESSES AS s", "FROM DV_DB.STAGING.STG_PROVIDERS AS s"),
           "AC-ma_sat_provider_address-10"),
    mutant("stage-joins-an-undeclared-table", I, "stg_raw_network_memberships",
           ("FROM analytics.raw.raw_network_memberships AS m",
            "FROM analytics.raw.raw_network_memberships AS m\nJOIN analytics.raw.raw_providers AS p ON p.npi = m.npi"),
           "AC-hub_provider-10"),
    mutant("hub-misses-a-declared-source", T, "hub_provider",
           ("  union all\n  select md5(upper(trim(npi))), npi, load_datetime, 'raw_network_memberships' from raw_network_memberships\n", ""),
           "AC-hub_provider-10"),
    mutant("effectivity-satellite-joins-providers", T, "eff_sat_provider_network",
           ("from raw_network_memberships", "from raw_network_memberships\njoin raw_providers p on p.npi = raw_network_memberships.npi"),
           "AC-eff_sat_provider_network-10"),
    mutant("link-semi-joins-the-hub", A, "link_provider_network",
           ("FROM DV_DB.STAGING.STG_RAW_NETWORK_MEMBERSHIPS AS s",
            "FROM DV_DB.STAGING.STG_RAW_NETWORK_MEMBERSHIPS AS s\n    JOIN DV_DB.VAULT.HUB_PROVIDER AS hp ON hp.provider_npi = s.provider_npi"),
           "AC-link_provider_network-10"),
    mutant("hub-reads-another-stage", I, "hub_network",
           ("FROM analytics.staging.stg_crm__networks AS s", "FROM analytics.staging.stg_raw_network_memberships AS s"),
           "AC-hub_network-10"),
    # ---- review flags
    mutant("stage-filters-on-a-payload-value", A, "stg_providers",
           ("FROM DV_DB.RAW.RAW_PROVIDERS\n", "FROM DV_DB.RAW.RAW_PROVIDERS\n    WHERE specialty_code <> 'UNKNOWN'\n"), "RV01"),
    mutant("hub-filters-on-a-hard-coded-date", I, "hub_provider",
           ("WHERE incoming.provider_hk IS NOT NULL\n",
            "WHERE incoming.provider_hk IS NOT NULL\n  AND incoming.load_datetime >= '2024-01-01'\n"), "RV01"),
    mutant("satellite-drops-rows-without-a-first-name", T, "sat_provider_details",
           ("from stg_providers\nqualify", "from stg_providers\nwhere first_name is not null\nqualify"), "RV01"),
    mutant("join-condition-filters-payload", A, "sat_provider_details",
           ("        ON st.provider_hk = lr.provider_hk\n", "        ON st.provider_hk = lr.provider_hk\n       AND st.last_name <> ''\n"),
           "RV01"),
    mutant("pit-joins-an-undeclared-table", A, "pit_provider",
           ("GROUP BY g.provider_hk, g.as_of_date",
            "LEFT JOIN DV_DB.RAW.REF_SPECIALTIES AS rs\n    ON rs.specialty_code = d.specialty_code\nGROUP BY g.provider_hk, g.as_of_date"),
           "RV02"),
    mutant("key-salted-with-a-literal", T, "stg_providers",
           ("md5(upper(trim(npi))) as provider_hk", "md5('P-' || upper(trim(npi))) as provider_hk"), "RV03"),
    mutant("key-defaults-null-to-a-value", T, "nh_link_referral",
           ("upper(trim(referred_npi)))) as referral_hk", "coalesce(upper(trim(referred_npi)), 'UNKNOWN'))) as referral_hk"),
           "RV03"),
    mutant("key-includes-the-clock", A, "stg_raw_referrals",
           (f"{A_PART.format('referred_npi')}\n        ), '^^||^^')",
            f"{A_PART.format('referred_npi')},\n            TO_VARCHAR(CURRENT_TIMESTAMP())\n        ), '^^||^^')"), "RV04"),
    mutant("hashdiff-includes-the-clock", T, "stg_providers",
           ("upper(trim(specialty_code))))", "upper(trim(specialty_code)), current_timestamp::varchar))"), "RV04"),
    mutant("foreign-key-includes-a-random-value", T, "nh_link_referral",
           ("md5(upper(trim(referring_npi))) as referring_provider_hk",
            "md5(upper(trim(referring_npi)) || random()::varchar) as referring_provider_hk"), "RV04"),
    mutant("load-datetime-cast-to-date", I, "sat_provider_details",
           ("s.load_datetime, s.record_source\nFROM", "s.load_datetime::DATE, s.record_source\nFROM"), "RV05"),
    mutant("business-key-cast-to-short-varchar", I, "stg_raw_network_memberships",
           ("    m.npi AS provider_npi,", "    CAST(m.npi AS VARCHAR(5)) AS provider_npi,"), "RV05"),
    mutant("reference-key-cast-to-integer", I, "ref_specialty",
           ("SELECT s.specialty_code, s.specialty_name", "SELECT s.specialty_code::INT, s.specialty_name"), "RV05"),
    mutant("stage-selects-distinct", A, "stg_raw_referrals",
           ("    SELECT referral_id, referring_npi", "    SELECT DISTINCT referral_id, referring_npi"), "RV06"),
    mutant("plain-stage-selects-distinct", I, "stg_raw_provider_addresses", ("SELECT\n    a.npi,", "SELECT DISTINCT\n    a.npi,"), "RV06"),
    mutant("hub-keys-from-a-distinct-subset", T, "hub_network",
           ("select\n  md5(upper(trim(network_code))) as network_hk,\n  network_code,\n  min(load_datetime) as load_datetime,\n"
            "  'crm.networks' as record_source\nfrom crm.networks\n",
            "with codes as (\n  select distinct md5(upper(trim(network_code))) as network_hk, network_code from crm.networks\n)\n"
            "select c.network_hk, c.network_code, min(n.load_datetime) as load_datetime, 'crm.networks' as record_source\n"
            "from codes c join crm.networks n on n.network_code = c.network_code\n"), "RV06"),
    mutant("unparsable-sql", A, "hub_network",
           ("ORDER BY s.load_datetime) = 1", "ORDER BY s.load_datetime = 1"), "RV07"),
]


def apply_edits(text: str, edits) -> str:
    for old, new in edits:
        assert text.count(old) == 1, f"the mutant's text must occur exactly once: {old!r}"
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("style, model, edits, expected", MUTANTS)
def test_mutant_is_caught(design, style, model, edits, expected):
    sql = read_style(style)
    sql[model] = apply_edits(sql[model], edits)
    report = run(design, style, sql)
    found = found_ids(report)
    assert found, "the mutant passed every check with nothing to review"
    assert expected in found, f"expected {expected}, got {sorted(found)}"


def test_corpus_has_at_least_40_mutants_over_every_style():
    assert len(MUTANTS) >= 40
    assert {m.values[0] for m in MUTANTS} == set(STYLES)
