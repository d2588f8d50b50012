"""The scaffolded sample vault builds and loads correctly.

Needs AutomateDV and dbt_utils checkouts (DV_SPEC_AUTOMATE_DV_DIR,
DV_SPEC_DBT_UTILS_DIR; skipped with the reason otherwise) and runs on DuckDB
and on the fakesnow Snowflake emulator. The sample (integration_tests/) is
scaffolded with `dv-spec scaffold`, loaded in two batches (the first load
date, then both), and built once more with nothing new. After each build,
every vault table is compared with what Python computes from the seed CSVs,
and every generated acceptance test must pass.
"""

import csv
from collections import defaultdict
from pathlib import Path

import pytest

import harness
import packages
from dv_spec_tool.cli import main
from dv_spec_tool.design import build_design
from dv_spec_tool.project import load_project

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
def test_scaffolded_sample_vault_loads_two_batches_and_reruns_idempotently(tmp_path, request, target, capsys):
    checkouts = packages.require_automate_dv()
    server = request.getfixturevalue("fakesnow_server") if target == "fakesnow" else None
    project = harness.copy_project(SAMPLE, tmp_path / "sample")
    assert main(["scaffold", "--project-dir", str(project)]) == 0, capsys.readouterr().out
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
