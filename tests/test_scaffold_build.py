"""The scaffolded sample vault builds and loads correctly.

Needs AutomateDV and dbt_utils checkouts (DV_SPEC_AUTOMATE_DV_DIR,
DV_SPEC_DBT_UTILS_DIR; skipped with the reason otherwise) and runs on DuckDB
and on the fakesnow Snowflake emulator. The sample (integration_tests/, its
models as `dv-spec scaffold` wrote them and committed) is loaded in two batches (the first load
date, then both), and built once more with nothing new. After each build,
every vault table is compared with what Python computes from the seed CSVs,
and every generated acceptance test must pass.
"""

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

import harness
import packages
from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.project import load_project
from dv_spec_tool.interfaces.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "integration_tests"


def read_seed(project: Path, name: str) -> list:
    with open(project / "seeds" / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def norm(value):
    """AutomateDV's business-key normalisation: trimmed, upper case, '' is NULL."""
    value = (value or "").strip().upper()
    return value or None


def expected_rows(project: Path) -> dict:
    """Rows per vault table, computed from the seeds and the design alone."""
    loaded = load_project(str(project))
    resolved = build_design(loaded).resolve()
    # AutomateDV writes one ghost record into every sat (not ma_sat) when the var is on.
    ghosts = 1 if (loaded.project_doc.data.get("vars") or {}).get("enable_ghost_records") else 0
    seeds = {}

    def rows_of(source):
        name = source["upstream"].split(".")[-1]
        if name not in seeds:
            seeds[name] = read_seed(project, name)
        return seeds[name]

    expected = {}
    for name, entity in resolved["entities"].items():
        kind = entity["kind"]
        if kind in ("hub", "link", "nh_link"):
            keys = set()
            for source in entity["sources"]:
                columns = [c["source_column"] for c in source["key_columns"]] + entity["dependent_keys"]
                for row in rows_of(source):
                    key = tuple(norm(row[c]) for c in columns)
                    if all(key):
                        keys.add(key)
            expected[name] = len(keys)
        elif kind in ("sat", "ma_sat"):
            source = entity["sources"][0]
            key_columns = [c["source_column"] for c in source["key_columns"]]
            by_load = defaultdict(lambda: defaultdict(set))
            for row in rows_of(source):
                key = tuple(norm(row[c]) for c in key_columns)
                by_load[key][row["load_datetime"]].add(tuple(row[c] for c in entity["hashdiff_columns"]))
            count = ghosts if kind == "sat" else 0
            for loads in by_load.values():
                previous = None
                for load in sorted(loads):
                    current = loads[load]
                    if current != previous:  # a sat row (or an ma_sat set) is loaded only when it changes
                        count += len(current)
                    previous = current
            expected[name] = count
        elif kind == "ref_table":
            expected[name] = len({row[entity["reference_keys"][0]] for row in rows_of(entity["sources"][0])})
    return expected


def table_counts(project: Path, target: str, server, names) -> dict:
    return {name: harness.query(project, f"SELECT COUNT(*) FROM {name}", target, fakesnow=server)[0][0] for name in names}


def keep_first_load(project: Path) -> None:
    for path in sorted((project / "seeds").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        if not rows or "load_datetime" not in rows[0]:
            continue
        first = min(row["load_datetime"] for row in rows)
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(row for row in rows if row["load_datetime"] == first)


def build(project, target, server, args=("build",)):
    result = harness.run_dbt(project, list(args), target, fakesnow=server)
    failed = {n: (s, result.by_name()[n].message) for n, s in result.statuses().items() if s not in ("success", "pass")}
    assert result.returncode == 0 and not failed, f"dbt {' '.join(args)} on {target}: {failed}\n{result.output[-3000:]}"
    return result


@pytest.mark.parametrize("target", harness.TARGETS)
def test_scaffolded_sample_vault_loads_two_batches_and_reruns_idempotently(tmp_path, request, target):
    checkouts = packages.require_automate_dv()
    server = request.getfixturevalue("fakesnow_server") if target == "fakesnow" else None
    project = harness.copy_project(SAMPLE, tmp_path / "sample")
    packages.install_packages(project, checkouts)
    full_seeds = {p.name: p.read_bytes() for p in (project / "seeds").glob("*.csv")}

    keep_first_load(project)
    build(project, target, server, ("seed",))
    first = build(project, target, server)
    expected = expected_rows(project)
    assert table_counts(project, target, server, expected) == expected
    assert any(node.resource_type == "test" for node in first.nodes.values())

    for name, content in full_seeds.items():
        (project / "seeds" / name).write_bytes(content)
    build(project, target, server, ("seed", "--full-refresh"))
    build(project, target, server)
    expected_after = expected_rows(project)
    assert table_counts(project, target, server, expected_after) == expected_after
    assert expected_after != expected, "the second batch must change the vault"

    every_table = list(expected_after) + ["eff_sat_provider_network", "pit_provider", "bridge_provider_network"]
    before_rerun = table_counts(project, target, server, every_table)
    build(project, target, server)
    assert table_counts(project, target, server, every_table) == before_rerun


@pytest.mark.parametrize("entity", ["link_provider_agreement", "sat_provider_agreement_terms"])
def test_a_prompts_verify_command_passes_on_a_freshly_seeded_database(tmp_path, entity, capsys):
    """On DuckDB: the `dbt build` a starter prompt hands back builds what the entity reads
    first, so its acceptance tests (which read the parent hubs) pass on a database that
    holds only the seeds."""
    import re

    checkouts = packages.require_automate_dv()
    project = harness.copy_project(SAMPLE, tmp_path / "sample")
    packages.install_packages(project, checkouts)
    capsys.readouterr()
    assert main(["prompts", "--project-dir", str(project), "--select", entity]) == 0
    command = re.search(r"`dbt build ([^`]+)`", capsys.readouterr().out).group(1).split()
    assert command[:2] == ["--select", f"+{entity}"] and command[-2:] == ["--indirect-selection", "cautious"]
    build(project, "duckdb", None, ("seed",))
    result = build(project, "duckdb", None, ("build", *command))
    assert any(name.startswith(f"ac_{entity}_") for name in result.statuses("test"))


EFFECTIVITY = Path(__file__).resolve().parent / "fixtures" / "effectivity_project"


def periods_of(project: Path, target: str, server) -> list:
    """(agreement, provider, payer, start, end) of each period's latest version, the way effectivity_no_overlap reads them."""
    return sorted(harness.query(project, """
        SELECT a.agreement_id, p.provider_npi, y.payer_code, CAST(e.start_date AS DATE), CAST(e.end_date AS DATE)
        FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY agreement_assignment_hk, start_date ORDER BY load_datetime DESC) AS version
              FROM eff_sat_agreement_assignment) AS e
        JOIN hub_agreement AS a ON a.agreement_hk = e.agreement_hk
        JOIN hub_provider AS p ON p.provider_hk = e.provider_hk
        JOIN hub_payer AS y ON y.payer_hk = e.payer_hk
        WHERE e.version = 1""", target, fakesnow=server))


@pytest.mark.parametrize("target", harness.TARGETS)
@pytest.mark.parametrize("loads", ["in one build", "load by load"])
def test_auto_end_dated_effectivity_closes_the_moved_relationship(tmp_path, request, target, loads, capsys):
    """AGR-003 moves from one provider and payer to another on the second load; the
    source sends no closing rows. The scaffolded eff_sat (end_dating: auto, the
    default) closes the old assignment, and every generated test passes twice."""
    checkouts = packages.require_automate_dv()
    server = request.getfixturevalue("fakesnow_server") if target == "fakesnow" else None
    project = harness.copy_project(EFFECTIVITY, tmp_path / "effectivity")
    assert main(["scaffold", "--project-dir", str(project)]) == 0, capsys.readouterr().out
    packages.install_packages(project, checkouts)
    if loads == "load by load":
        seed = project / "seeds" / "raw_agreement_assignments.csv"
        full = seed.read_text()
        seed.write_text("".join(line for line in full.splitlines(True) if "2024-02-01" not in line))
        build(project, target, server, ("seed",))
        build(project, target, server)
        seed.write_text(full)
        build(project, target, server, ("seed", "--full-refresh"))
    else:
        build(project, target, server, ("seed",))
    first = build(project, target, server)
    assert "ac_eff_sat_agreement_assignment_17_effectivity_no_overlap" in first.statuses("test")
    build(project, target, server)
    forever, first_load, second_load = date(9999, 12, 31), date(2024, 1, 1), date(2024, 2, 1)
    assert [p for p in periods_of(project, target, server) if p[0] == "AGR-003"] == [
        ("AGR-003", "1003000142", "PAYER-A", first_load, second_load),
        ("AGR-003", "1003000159", "PAYER-C", second_load, forever),
    ]
    capsys.readouterr()
    assert main(["check", "--project-dir", str(project)]) == 0  # the scaffold passes its own check, with nothing to review
    assert "0 failed, 0 not verified; 0 items for review" in capsys.readouterr().out


def _execute(project: Path, statements: list) -> None:
    import duckdb

    with duckdb.connect(str(project / "fixture.duckdb")) as connection:
        for statement in statements:
            connection.execute(statement)


NOT_GHOST = "WHERE {key} <> unhex(repeat('00', 16))"
CORRUPTIONS = [
    # (table, corruption, the generated acceptance test that must fail)
    ("hub_provider", "INSERT INTO hub_provider SELECT * FROM hub_provider LIMIT 1", "ac_hub_provider_01_hash_key_unique"),
    ("hub_network", "UPDATE hub_network SET network_code = network_code || '-X'", "ac_hub_network_03_hub_hash_key_matches"),
    ("link_provider_network", "UPDATE link_provider_network SET network_hk = unhex(md5('no such network')) "
     "WHERE provider_network_hk = (SELECT min(provider_network_hk) FROM link_provider_network)",
     "ac_link_provider_network_06_link_foreign_keys_present"),
    ("nh_link_referral", "UPDATE nh_link_referral SET referral_hk = unhex(md5('another key')) "
     "WHERE referral_hk = (SELECT min(referral_hk) FROM nh_link_referral)", "ac_nh_link_referral_07_link_hash_key_matches"),
    ("sat_provider_details", "UPDATE sat_provider_details SET last_name = last_name || 'x' "
     + NOT_GHOST.format(key="provider_hk"), "ac_sat_provider_details_14_hashdiff_matches"),
    ("sat_network_details", "INSERT INTO sat_network_details SELECT * REPLACE (load_datetime + INTERVAL 1 DAY AS load_datetime) "
     "FROM sat_network_details " + NOT_GHOST.format(key="network_hk"), "ac_sat_network_details_15_no_repeated_hashdiff"),
    ("ma_sat_provider_address", "INSERT INTO ma_sat_provider_address SELECT * FROM ma_sat_provider_address LIMIT 1",
     "ac_ma_sat_provider_address_08_satellite_grain_unique"),
    ("eff_sat_provider_network", "INSERT INTO eff_sat_provider_network SELECT * REPLACE (unhex(md5('elsewhere')) AS network_hk, "
     "unhex(md5('elsewhere link')) AS provider_network_hk) FROM eff_sat_provider_network "
     "WHERE end_date >= '9999-01-01' LIMIT 1", "ac_eff_sat_provider_network_17_effectivity_no_overlap"),
    ("pit_provider", "INSERT INTO pit_provider SELECT * FROM pit_provider LIMIT 1", "ac_pit_provider_18_pit_grain_unique"),
    ("bridge_provider_network", "INSERT INTO bridge_provider_network SELECT * FROM bridge_provider_network LIMIT 1",
     "ac_bridge_provider_network_18_bridge_grain_unique"),
    ("ref_specialty", "INSERT INTO ref_specialty SELECT * FROM ref_specialty LIMIT 1", "ac_ref_specialty_20_business_keys_unique"),
]


def test_corrupted_copies_of_the_sample_tables_fail_their_acceptance_tests(built_sample_copy, capsys):
    """On DuckDB: the scaffolded sample passes every generated test (conftest's `built_sample`); one defect
    in each table makes the matching acceptance test fail, and the restored tables pass again.

    The defects are in different tables and applied together, so one `dbt test` run sees them all. Each
    expected test reads its own table (and at most the parents, whose keys the defects leave intact), and
    no test of a table without a defect may fail; a defect may also fail other tests of its own table
    (a duplicated hub row breaks both uniqueness tests).
    """
    project = built_sample_copy
    _execute(project, [statement for table, corruption, _ in CORRUPTIONS
                       for statement in (f"CREATE TABLE backup_{table} AS SELECT * FROM {table}", corruption)])
    result = harness.run_dbt(project, ["test"], "duckdb")
    failed = sorted(name for name, status in result.statuses("test").items() if status == "fail")
    capsys.readouterr()  # the reviewer prompt reads dbt's own run_results.json
    assert main(["prompts", "--project-dir", str(project), "--review", "hub_provider",
                 "--run-results", str(project / "target" / "run_results.json")]) == 0
    review = capsys.readouterr().out
    _execute(project, [statement for table, _, _ in CORRUPTIONS
                       for statement in (f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM backup_{table}",
                                         f"DROP TABLE backup_{table}")])
    missing = [expected for _, _, expected in CORRUPTIONS if expected not in failed]
    elsewhere = [name for name in failed if not any(name.startswith(f"ac_{table}_") for table, _, _ in CORRUPTIONS)]
    assert (missing, elsewhere) == ([], []), f"not failed: {missing}; failed outside the corrupted tables: {elsewhere}"
    assert "- **AC-hub_provider-01 fail** (dbt test `ac_hub_provider_01_hash_key_unique`): 1 failing row" in review
    assert harness.run_dbt(project, ["test"], "duckdb").success, "the restored vault passes again"
