"""Time dv_spec's generic tests on a large satellite in DuckDB.

Not a test: run it by hand and copy its table into docs/generic-tests.md.

    .venv/bin/python benchmarks/generic_tests_benchmark.py [--rows 10000000]

It writes a small dbt project under .dv-spec-bench/ (git-ignored) that builds,
in one DuckDB file, a satellite of --rows rows (--loads-per-key loads for each
key, stored load after load as incremental loading leaves them, one ghost
record, every hash computed with dv_spec.hash_expression) and its hub; compiles every generic test that applies to them; then runs each
test's compiled SQL directly in DuckDB, wrapped the way dbt wraps it
(SELECT COUNT(*) ... FROM (<test>)), --repeat times, each time right after
the baseline
    SELECT COUNT(*), COUNT(DISTINCT customer_hk) FROM sat_customer
on the same table. It prints each test's median time and the median of its
time / baseline-time ratios (pairing runs keeps the ratio fair when the
machine's load changes). The target is a ratio under 3.
effectivity_no_overlap runs on the satellite read as an effectivity
satellite (its key as driving key, one period per load).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests"))

import duckdb  # noqa: E402

from harness import run_dbt  # noqa: E402

WORK_DIR = REPO_ROOT / ".dv-spec-bench" / "generic_tests"
BASELINE = "SELECT COUNT(*), COUNT(DISTINCT customer_hk) FROM sat_customer"

DBT_PROJECT = """\
name: generic_tests_benchmark
version: 0.1.0
config-version: 2
profile: dv_spec_benchmark
model-paths: ["models"]
models:
  generic_tests_benchmark:
    +materialized: table
"""

HUB_SQL = """\
{{ config(materialized='table') }}
SELECT
    {{ dv_spec.hash_expression(['customer_id']) }} AS customer_hk,
    customer_id,
    TIMESTAMP '2024-01-01 00:00:00' AS load_datetime,
    'CRM' AS record_source
FROM (
    SELECT 'C' || LPAD(CAST(k AS VARCHAR), 9, '0') AS customer_id
    FROM range(0, {{ var('keys') }}) AS keys (k)
) AS ids
"""

SAT_SQL = """\
{{ config(materialized='table') }}
WITH loads AS (
    SELECT
        'C' || LPAD(CAST(i % {{ var('keys') }} AS VARCHAR), 9, '0') AS customer_id,
        i // {{ var('keys') }} AS load_number,
        'Name ' || CAST(i % 997 AS VARCHAR) AS name,
        'user' || CAST(i AS VARCHAR) || '@example.org' AS email,
        CASE i % 4 WHEN 0 THEN 'Paris' WHEN 1 THEN ' berlin ' WHEN 2 THEN NULL ELSE 'Rome' END AS city
    FROM range(0, {{ var('rows') }}) AS r (i)
)
SELECT
    {{ dv_spec.hash_expression(['customer_id']) }} AS customer_hk,
    {{ dv_spec.hash_expression(['name', 'email', 'city'], is_hashdiff=true) }} AS customer_hashdiff,
    name,
    email,
    city,
    TIMESTAMP '2024-01-01 00:00:00' + TO_DAYS(CAST(load_number AS INTEGER)) AS load_datetime,
    TIMESTAMP '2024-01-01 00:00:00' + TO_DAYS(CAST(load_number AS INTEGER)) AS start_date,
    TIMESTAMP '2024-01-01 00:00:00' + TO_DAYS(CAST(load_number AS INTEGER) + 1) AS end_date,
    'CRM' AS record_source
FROM loads
UNION ALL
SELECT
    {{ dv_spec.zero_key() }}, {{ dv_spec.zero_key() }}, NULL, NULL, NULL,
    TIMESTAMP '1900-01-01 00:00:00', TIMESTAMP '1900-01-01 00:00:00', TIMESTAMP '1900-01-01 00:00:00',
    'AUTOMATE_DV_SYSTEM'
"""

SCHEMA_YML = """\
models:
  - name: hub_customer
    data_tests:
      - dv_spec.hash_key_unique:
          arguments: {hash_key: customer_hk}
      - dv_spec.business_keys_unique:
          arguments: {business_keys: [customer_id]}
      - dv_spec.hub_hash_key_matches:
          arguments: {hash_key: customer_hk, business_keys: [customer_id]}
  - name: sat_customer
    data_tests:
      - dv_spec.satellite_grain_unique:
          arguments: {parent_hash_key: customer_hk}
      - dv_spec.satellite_grain_unique:
          name: satellite_grain_unique__ma_sat
          arguments: {parent_hash_key: customer_hk, multi_active_keys: [name]}
      - dv_spec.parent_key_present:
          arguments: {parent: hub_customer, parent_hash_key: customer_hk}
      - dv_spec.hashdiff_matches:
          arguments: {hashdiff: customer_hashdiff, payload: [name, email, city]}
      - dv_spec.no_repeated_hashdiff:
          arguments: {parent_hash_key: customer_hk, hashdiff: customer_hashdiff}
      - dv_spec.no_repeated_hashdiff:
          name: no_repeated_hashdiff__ma_sat
          arguments: {parent_hash_key: customer_hk, hashdiff: customer_hashdiff, multi_active_keys: [name]}
      - dv_spec.effectivity_no_overlap:
          arguments: {parent_hash_key: customer_hk, driving_keys: [customer_hk]}
      - dv_spec.load_metadata_not_null
      - dv_spec.ghost_record_present:
          arguments: {hash_key: customer_hk, hashdiff: customer_hashdiff}
"""


def write_project(work_dir: Path, keep_database: bool) -> Path:
    if work_dir.exists() and not keep_database:
        shutil.rmtree(work_dir)
    (work_dir / "models").mkdir(parents=True, exist_ok=True)
    (work_dir / "dbt_project.yml").write_text(DBT_PROJECT)
    (work_dir / "packages.yml").write_text(f"packages:\n  - local: {REPO_ROOT}\n")
    (work_dir / "models" / "hub_customer.sql").write_text(HUB_SQL)
    (work_dir / "models" / "sat_customer.sql").write_text(SAT_SQL)
    (work_dir / "models" / "schema.yml").write_text(SCHEMA_YML)
    return work_dir


def dbt(project: Path, args: list[str]) -> None:
    result = run_dbt(project, args, "duckdb")
    if result.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed:\n{result.output}")


def run_once(connection, sql: str) -> tuple[float, tuple]:
    start = time.perf_counter()
    row = connection.execute(sql).fetchone()
    return time.perf_counter() - start, row


def timed_against_baseline(connection, sql: str, repeat: int) -> tuple[float, float, tuple]:
    """Median seconds of `sql`, median ratio to the baseline run just before each run, last row.

    Running the baseline next to every run keeps the ratio fair when the
    machine's load changes during the benchmark.
    """
    seconds, ratios, row = [], [], None
    for _ in range(repeat):
        baseline, _ = run_once(connection, BASELINE)
        elapsed, row = run_once(connection, sql)
        seconds.append(elapsed)
        ratios.append(elapsed / baseline)
    return statistics.median(seconds), statistics.median(ratios), row


def test_label(node: dict) -> str:
    """The test's macro name, with `(hub)` for tests on the hub and `, ma_sat` for the multi-active form."""
    label = node["test_metadata"]["name"]
    if node["name"].endswith("__ma_sat"):
        label += " (ma_sat form)"
    if node.get("attached_node", "").endswith(".hub_customer"):
        label += " (hub)"
    return label


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average {:.1f} {:.1f} {:.1f} at the end".format(*os.getloadavg())
    return f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}, DuckDB {duckdb.__version__}{load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="satellite rows (default 10,000,000)")
    parser.add_argument("--loads-per-key", type=int, default=10, help="satellite rows per hub key (default 10)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query; medians are reported (default 5)")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the tables of the previous run (same --rows); only recompile the tests"
    )
    args = parser.parse_args()

    reuse = args.reuse and (WORK_DIR / "fixture.duckdb").exists()
    project = write_project(WORK_DIR, keep_database=reuse)
    keys = -(-args.rows // args.loads_per_key)
    vars_yaml = json.dumps({"rows": args.rows, "keys": keys, "loads_per_key": args.loads_per_key})
    started = time.perf_counter()
    dbt(project, ["deps"])
    if not reuse:
        dbt(project, ["run", "--vars", vars_yaml])
    dbt(project, ["compile", "--vars", vars_yaml, "--select", "test_type:generic"])
    print(f"built and compiled in {time.perf_counter() - started:.0f}s")

    manifest = json.loads((project / "target" / "manifest.json").read_text())
    tests = sorted(
        (node for node in manifest["nodes"].values() if node["resource_type"] == "test"),
        key=lambda node: node["name"],
    )

    with duckdb.connect(str(project / "fixture.duckdb"), read_only=True) as connection:
        sat_rows = connection.execute("SELECT COUNT(*) FROM sat_customer").fetchone()[0]
        hub_rows = connection.execute("SELECT COUNT(*) FROM hub_customer").fetchone()[0]
        run_once(connection, BASELINE)  # warm the cache
        baseline = statistics.median(run_once(connection, BASELINE)[0] for _ in range(args.repeat))
        rows = []
        for node in tests:
            sql = (
                "SELECT COUNT(*) AS failures, COUNT(*) <> 0 AS should_warn, COUNT(*) <> 0 AS should_error "
                f"FROM (\n{node['compiled_code']}\n) AS dbt_internal_test"
            )
            seconds, ratio, result = timed_against_baseline(connection, sql, args.repeat)
            rows.append((test_label(node), seconds, ratio, result[0]))

    print(f"\nmachine: {machine()}")
    print(f"sat_customer: {sat_rows:,} rows, hub_customer: {hub_rows:,} rows; medians of {args.repeat} runs\n")
    print(f"| {'test':<38} | {'seconds':>8} | {'ratio':>6} | {'failures':>8} |")
    print(f"| {'-' * 38} | {'-' * 8}:| {'-' * 6}:| {'-' * 8}:|")
    print(f"| {'baseline: COUNT(*), COUNT(DISTINCT hk)':<38} | {baseline:>8.3f} | {1:>6.2f} | {'':>8} |")
    for label, seconds, ratio, failures in rows:
        print(f"| {label:<38} | {seconds:>8.3f} | {ratio:>6.2f} | {failures:>8} |")


if __name__ == "__main__":
    main()
