"""AutomateDV 0.11.x on DuckDB and on fakesnow, through dv_spec's shims.

Builds tests/fixtures/automate_dv_project (one model per AutomateDV table
macro) with ``dbt build`` and checks:

* every table is built, and a second build adds no rows (two scenarios: every
  stage holding both loads at once; and one load per build, the second load
  built twice);
* hub, link and satellite rows are exactly what Python computes from the
  seed CSVs, hash bytes included (hashlib.md5 of AutomateDV's normalised
  string: UPPER(TRIM(x)), '||' between columns, '^^' for NULL);
* ghost records (var enable_ghost_records) and the PIT's ghost key are 16
  zero bytes, like Snowflake's.

Skips, saying why, when DV_SPEC_AUTOMATE_DV_DIR / DV_SPEC_DBT_UTILS_DIR are
not set (tests/packages.py).
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

import yaml

from harness import FIXTURES, copy_project, run_dbt
from packages import install_packages, require_automate_dv

PROJECT = FIXTURES / "automate_dv_project"
SEEDS = PROJECT / "seeds"

VAULT_TABLES = [
    "hub_customer",
    "hub_order",
    "link_customer_order",
    "sat_customer_details",
    "ma_sat_customer_contacts",
    "eff_sat_customer_order",
    "t_link_transaction",
    "nh_link_transaction",
    "xts_customer",
    "pit_customer",
    "bridge_customer_order",
    "ref_country",
]

# AutomateDV behaviour, not a shim gap: with every load of a key in the stage,
# a re-run inserts again. sat_customer_details sets meta.apply_source_filter,
# which fixes it for sat; ma_sat and eff_sat do not read that setting.
REINSERTS_WITH_ALL_LOADS_STAGED = {
    "ma_sat_customer_contacts": (
        "AutomateDV ma_sat re-inserts a key's older groups when the stage holds several "
        "loads of it; it has no apply_source_filter"
    ),
    "eff_sat_customer_order": (
        "AutomateDV eff_sat re-opens a closed relationship from its older load when the "
        "stage holds several loads of it; it has no apply_source_filter"
    ),
}

ADAPTERS = ["duckdb", "fakesnow"]
GHOST_SOURCE = "AUTOMATE_DV_SYSTEM"  # AutomateDV's record source of ghost records

pytestmark = pytest.mark.filterwarnings("ignore:Arrow output on a DB-API result:UserWarning")


# --- what Python expects from the seeds -------------------------------------


def _seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _normalise(value: str | None) -> str | None:
    """NULLIF(UPPER(TRIM(CAST(x AS VARCHAR))), ''); a CSV's empty field is NULL."""
    text = (value or "").strip().upper()
    return text or None


def md5_key(*values: str | None) -> bytes | None:
    """AutomateDV's hash key: one column hashed alone; several joined with '||',
    NULL as '^^', and all-NULL as NULL.

    >>> md5_key("cust-001") == hashlib.md5(b"CUST-001").digest()
    True
    >>> md5_key("a", None) == hashlib.md5(b"A||^^").digest()
    True
    >>> md5_key(None, "") is None
    True
    """
    if len(values) == 1:
        single = _normalise(values[0])
        return None if single is None else hashlib.md5(single.encode()).digest()
    joined = "||".join(_normalise(v) or "^^" for v in values)
    if joined == "||".join(["^^"] * len(values)):
        return None
    return hashlib.md5(joined.encode()).digest()


def md5_hashdiff(row: dict[str, str], columns: list[str]) -> bytes:
    """AutomateDV's hashdiff: columns sorted by name, '||' between, NULL as '^^'.

    >>> md5_hashdiff({"b": "x", "a": ""}, ["b", "a"]) == hashlib.md5(b"^^||X").digest()
    True
    """
    ordered = sorted(columns, key=str.lower)
    joined = "||".join(_normalise(row[c]) or "^^" for c in ordered)
    return hashlib.md5(joined.encode()).digest()


def expected_hub_customer() -> set[bytes]:
    ids = [r["customer_id"] for r in _seed("raw_customers")] + [r["customer_id"] for r in _seed("raw_orders")]
    return {md5_key(i) for i in ids}


def expected_hub_order() -> set[bytes]:
    return {md5_key(r["order_id"]) for r in _seed("raw_orders")}


def expected_link_customer_order() -> set[tuple[bytes, bytes, bytes]]:
    return {
        (md5_key(r["customer_id"], r["order_id"]), md5_key(r["customer_id"]), md5_key(r["order_id"]))
        for r in _seed("raw_orders")
    }


def expected_sat_customer_details() -> list[tuple[bytes, bytes, str]]:
    """One row per key per change of hashdiff, in load order."""
    by_key: dict[bytes, list[dict[str, str]]] = defaultdict(list)
    for row in _seed("raw_customers"):
        by_key[md5_key(row["customer_id"])].append(row)
    rows = []
    for key, history in by_key.items():
        previous = None
        for row in sorted(history, key=lambda r: r["load_datetime"]):
            diff = md5_hashdiff(row, ["customer_phone", "customer_name"])
            if diff != previous:
                rows.append((key, diff, row["load_datetime"][:10]))
            previous = diff
    return sorted(rows)


# --- building the fixture ---------------------------------------------------


@dataclass
class Vault:
    """A built copy of the fixture project and a way to query it."""

    adapter: str
    project_dir: Path
    query: Callable[[str], list[tuple]] = lambda sql: []
    counts: list[dict[str, int]] = field(default_factory=list)

    def count_all(self) -> dict[str, int]:
        return {table: self.query(f"SELECT COUNT(*) FROM {table}")[0][0] for table in VAULT_TABLES}


def _querier(adapter: str, project_dir: Path) -> Callable[[str], list[tuple]]:
    """Query the warehouse that harness.write_profiles pointed the project at."""
    profiles = yaml.safe_load((project_dir / "profiles.yml").read_text())
    (profile_block,) = profiles.values()
    profile = profile_block["outputs"][adapter]
    if adapter == "duckdb":
        import duckdb

        def query(sql: str) -> list[tuple]:
            with duckdb.connect(profile["path"], read_only=True) as conn:
                return conn.execute(sql).fetchall()

        return query

    import snowflake.connector

    def query(sql: str) -> list[tuple]:
        conn = snowflake.connector.connect(
            user=profile["user"],
            password=profile["password"],
            account=profile["account"],
            host=profile["host"],
            port=profile["port"],
            protocol=profile["protocol"],
            database=profile["database"],
            schema=profile["schema"],
            session_parameters={"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
            network_timeout=5,
        )
        try:
            rows = conn.cursor().execute(sql).fetchall()
        finally:
            conn.close()
        return [tuple(bytes(v) if isinstance(v, bytearray) else v for v in row) for row in rows]

    return query


SCENARIOS = {
    # every stage holds both loads; `dbt build` twice
    "all_loads": [None, None],
    # one load per build: 2024-01-01, then 2024-01-02 twice
    "load_by_load": ["2024-01-01", "2024-01-02", "2024-01-02"],
}


@pytest.fixture(scope="module")
def _built_vaults() -> dict[tuple[str, str], Vault]:
    return {}


def _vault(scenario: str, adapter: str, request, tmp_path_factory, cache: dict) -> Vault:
    """Build (once per module) the fixture project for a scenario on an adapter."""
    if (scenario, adapter) in cache:
        return cache[scenario, adapter]
    packages = require_automate_dv()
    if adapter == "fakesnow":
        request.getfixturevalue("fakesnow_server")
    project_dir = copy_project(PROJECT, tmp_path_factory.mktemp(f"{scenario}_{adapter}") / "project")
    install_packages(project_dir, packages)
    vault = Vault(adapter, project_dir)
    for load_date in SCENARIOS[scenario]:
        args = ["build"] if load_date is None else ["build", "--vars", f"{{load_date: '{load_date}'}}"]
        run_dbt(project_dir, args, adapter, check=True)
        vault.query = _querier(adapter, project_dir)
        vault.counts.append(vault.count_all())
    cache[scenario, adapter] = vault
    return vault


@pytest.fixture(params=ADAPTERS)
def vault_all_loads(request, tmp_path_factory, _built_vaults) -> Vault:
    return _vault("all_loads", request.param, request, tmp_path_factory, _built_vaults)


@pytest.fixture(params=ADAPTERS)
def vault_load_by_load(request, tmp_path_factory, _built_vaults) -> Vault:
    return _vault("load_by_load", request.param, request, tmp_path_factory, _built_vaults)


@pytest.fixture(params=[(s, a) for s in SCENARIOS for a in ADAPTERS], ids=lambda p: f"{p[0]}-{p[1]}")
def vault(request, tmp_path_factory, _built_vaults) -> Vault:
    return _vault(*request.param, request, tmp_path_factory, _built_vaults)


# --- tests ------------------------------------------------------------------


@pytest.mark.parametrize("table", VAULT_TABLES)
def test_second_build_adds_no_rows_with_all_loads_staged(vault_all_loads: Vault, table: str):
    first, second = vault_all_loads.counts
    assert first[table] > 0, f"{table} is empty after the first build"
    if table in REINSERTS_WITH_ALL_LOADS_STAGED and second[table] != first[table]:
        pytest.xfail(REINSERTS_WITH_ALL_LOADS_STAGED[table] + f" ({first[table]} -> {second[table]} rows)")
    assert second[table] == first[table], f"{table}: {first[table]} rows, then {second[table]} after a re-run"


@pytest.mark.parametrize("table", VAULT_TABLES)
def test_rebuilding_the_same_load_adds_no_rows(vault_load_by_load: Vault, table: str):
    _, second, third = vault_load_by_load.counts
    assert second[table] > 0, f"{table} is empty after two loads"
    assert third[table] == second[table], f"{table}: {second[table]} rows, then {third[table]} after re-running the load"


def test_expected_row_counts(vault_all_loads: Vault):
    # hand-checked against the seeds; hub/link/sat are also derived in Python below
    assert vault_all_loads.counts[0] == {
        "hub_customer": 4,
        "hub_order": 3,
        "link_customer_order": 4,
        "sat_customer_details": 6,  # 5 + the ghost record
        "ma_sat_customer_contacts": 6,  # a first build inserts every staged group
        "eff_sat_customer_order": 6,  # and every staged row
        "t_link_transaction": 4,
        "nh_link_transaction": 4,
        "xts_customer": 6,
        "pit_customer": 12,  # 4 customers x 3 as-of dates
        "bridge_customer_order": 8,
        "ref_country": 4,
    }


def test_hub_keys_are_python_md5_of_the_normalised_business_key(vault: Vault):
    assert {row[0] for row in vault.query("SELECT customer_hk FROM hub_customer")} == expected_hub_customer()
    assert {row[0] for row in vault.query("SELECT order_hk FROM hub_order")} == expected_hub_order()


def test_link_keys_are_python_md5_of_the_joined_business_keys(vault: Vault):
    rows = vault.query("SELECT customer_order_hk, customer_hk, order_hk FROM link_customer_order")
    assert len(rows) == len(set(rows))
    assert set(rows) == expected_link_customer_order()


def test_sat_rows_are_one_per_change_of_python_hashdiff(vault: Vault):
    rows = vault.query(
        "SELECT customer_hk, customer_hashdiff, CAST(CAST(load_datetime AS DATE) AS VARCHAR) FROM sat_customer_details"
        f" WHERE record_source <> '{GHOST_SOURCE}'"
    )
    assert sorted(rows) == expected_sat_customer_details()


def test_sat_ghost_record_has_zero_byte_keys(vault: Vault):
    rows = vault.query(
        "SELECT customer_hk, customer_hashdiff, CAST(CAST(load_datetime AS DATE) AS VARCHAR) FROM sat_customer_details"
        f" WHERE record_source = '{GHOST_SOURCE}'"
    )
    assert rows == [(bytes(16), bytes(16), "1900-01-01")]


def test_pit_ghost_key_is_sixteen_zero_bytes(vault_all_loads: Vault):
    # cust-003 has no contacts: its PIT row points at the ghost key
    keys = {row[0] for row in vault_all_loads.query("SELECT ma_sat_customer_contacts_pk FROM pit_customer")}
    assert bytes(16) in keys
    assert {len(k) for k in keys} == {16}


# --- the other hash algorithms -----------------------------------------------


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize(("hash_var", "algorithm", "size"), [("SHA", "sha256", 32), ("SHA1", "sha1", 20)])
def test_sha_hash_keys_and_ghost_keys(request, tmp_path, adapter, hash_var, algorithm, size):
    packages = require_automate_dv()
    if adapter == "fakesnow":
        request.getfixturevalue("fakesnow_server")
    project_dir = copy_project(PROJECT, tmp_path / "project")
    install_packages(project_dir, packages)
    run_dbt(project_dir, ["build", "-s", "+pit_customer", "--vars", f"{{hash: {hash_var}}}"], adapter, check=True)
    query = _querier(adapter, project_dir)

    ids = {r["customer_id"] for r in _seed("raw_customers")} | {r["customer_id"] for r in _seed("raw_orders")}
    expected = {hashlib.new(algorithm, _normalise(i).encode()).digest() for i in ids}
    assert {row[0] for row in query("SELECT customer_hk FROM hub_customer")} == expected
    pit_keys = {row[0] for row in query("SELECT ma_sat_customer_contacts_pk FROM pit_customer")}
    assert bytes(size) in pit_keys
    assert {len(k) for k in pit_keys} == {size}


# --- production Snowflake keeps AutomateDV's SQL ----------------------------


def _compile_as_account(project_dir: Path, server, account: str, database: str, args: list[str]) -> None:
    """Run dbt against the fakesnow server under another account name.

    The emulator accepts any account, which is how this test sees what a real
    Snowflake account gets (macros take emulator branches only for 'fakesnow').
    """
    run_dbt(project_dir, args, "fakesnow", fakesnow=server, profile_overrides={"account": account, "database": database},
            check=True)


def _compiled_models(project_dir: Path) -> dict[str, str]:
    root = project_dir / "target" / "compiled" / "automate_dv_fixture" / "models"
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*.sql"))}


def test_off_the_emulator_snowflake_sql_is_automate_dv_own(tmp_path, fakesnow_server):
    """With any account but 'fakesnow', listing dv_spec in the dispatch order changes no compiled SQL."""
    packages = require_automate_dv()
    database = "PRODUCTION_LIKE"
    compiled = {}
    for variant in ("with_dv_spec", "without_dv_spec"):
        project_dir = copy_project(PROJECT, tmp_path / variant)
        install_packages(project_dir, packages)
        if variant == "without_dv_spec":
            project_file = project_dir / "dbt_project.yml"
            project = yaml.safe_load(project_file.read_text())
            for entry in project["dispatch"]:
                entry["search_order"] = [p for p in entry["search_order"] if p != "dv_spec"]
            project_file.write_text(yaml.safe_dump(project, sort_keys=False))
        else:
            _compile_as_account(project_dir, fakesnow_server, "xy12345", database, ["seed"])
        # ghost records off: they read the stage's columns, and the stage views
        # (AutomateDV's BINARY(16) SQL) cannot be created on the emulator
        _compile_as_account(
            project_dir, fakesnow_server, "xy12345", database, ["compile", "--vars", "{enable_ghost_records: false}"]
        )
        compiled[variant] = _compiled_models(project_dir)

    assert len(compiled["with_dv_spec"]) == 17  # 5 stages + 12 vault models
    assert compiled["with_dv_spec"] == compiled["without_dv_spec"]
    stage_sql = compiled["with_dv_spec"]["staging/stg_customers.sql"]
    assert "AS BINARY(16))" in stage_sql and "TO_BINARY" not in stage_sql
    pit_sql = compiled["with_dv_spec"]["raw_vault/pit_customer.sql"]
    assert "CAST('00000000000000000000000000000000' AS BINARY(16))" in pit_sql


def test_on_the_emulator_a_relation_described_without_columns_fails_the_stage(tmp_path, fakesnow_server):
    """Needs fakesnow. Its DESCRIBE TABLE answers no columns for a table in a schema called MAIN
    (DuckDB's own `main`, matched case-sensitively); the stage must fail with the reason instead
    of compiling AutomateDV's `SELECT *` without the source columns."""
    project_dir = copy_project(PROJECT, tmp_path / "schema_main")
    install_packages(project_dir, require_automate_dv())
    overrides = {"database": "DV_SPEC_SCHEMA_MAIN", "schema": "MAIN"}
    run_dbt(project_dir, ["seed"], "fakesnow", fakesnow=fakesnow_server, profile_overrides=overrides, check=True)
    result = run_dbt(project_dir, ["run", "--select", "stg_customers"], "fakesnow", fakesnow=fakesnow_server,
                     profile_overrides=overrides)
    assert result.returncode == 1
    assert "found the relation but no columns" in result.output
    assert "DV_SPEC_SCHEMA_MAIN.MAIN." in result.output
