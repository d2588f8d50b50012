"""The main job, end to end on the embedded DuckDB default (`bash .ci/run demo`).

On a copy of the sample design (integration_tests/, a healthcare provider
network) in .dv-spec-demo/: validate the design, check that the committed
AutomateDV models and acceptance tests are what `dv-spec scaffold` writes
(`scaffold --check`), install the dbt packages, load the seeds and
`dbt build` twice (the second build must add no rows). AutomateDV and
dbt_utils come from the dbt hub (`dbt deps`), or from local checkouts named
by DV_SPEC_AUTOMATE_DV_DIR and DV_SPEC_DBT_UTILS_DIR where the hub is out of
reach. Reuses the test suite's dbt harness (tests/harness.py, tests/packages.py).
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import harness  # noqa: E402
import packages  # noqa: E402


def step(title):
    print(f"\n== {title}", flush=True)


def dv_spec(*args):
    return subprocess.run([sys.executable, "-m", "dv_spec_tool", *args]).returncode


def locked_versions(project: Path) -> str:
    """The packages `dbt deps` installed, as its package-lock.yml records them."""
    lock = project / "package-lock.yml"
    data = yaml.safe_load(lock.read_text(encoding="utf-8")) if lock.is_file() else None
    entries = [p for p in (data or {}).get("packages") or [] if isinstance(p, dict) and p.get("package")]
    if not entries:
        return "versions unknown (no package-lock.yml)"
    return ", ".join(f"{p['package'].split('/')[-1]} {p.get('version') or 'version unknown'}" for p in entries) \
        + " (package-lock.yml)"


def main() -> int:
    work = ROOT / ".dv-spec-demo"
    shutil.rmtree(work, ignore_errors=True)
    project = harness.copy_project(ROOT / "integration_tests", work)

    step("dv-spec validate: the design in config.meta.dv blocks")
    if dv_spec("validate", "--project-dir", str(project)) != 0:
        return 1
    step("dv-spec scaffold --check: the committed AutomateDV stages, models and acceptance tests match the design")
    if dv_spec("scaffold", "--check", "--project-dir", str(project)) != 0:
        return 1

    step("dbt packages")
    checkouts, reason = packages.automate_dv_packages()
    if reason is None:
        packages.install_packages(project, checkouts)
        print("linked local checkouts: " + ", ".join(f"{p.name} {packages.checkout_version(p.path, p.version)}" for p in checkouts))
    else:
        print(f"{reason}; trying `dbt deps` from the dbt hub")
        result = harness.run_dbt(project, ["deps"])
        if not result.success:
            last = [line for line in harness.strip_ansi(result.output).splitlines() if line.strip()][-1:]
            print(f"dbt deps failed: {last[0][:300] if last else 'no output'}")
            print("without the dbt hub, set DV_SPEC_AUTOMATE_DV_DIR and DV_SPEC_DBT_UTILS_DIR to local checkouts")
            return 1
        print(f"installed from the dbt hub: {locked_versions(project)}")

    counts = {}
    for label, args in (("dbt seed", ["seed"]), ("dbt build", ["build"]), ("dbt build again (must add no rows)", ["build"])):
        step(f"{label} on DuckDB ({project / 'fixture.duckdb'})")
        result = harness.run_dbt(project, args)
        statuses = result.statuses()
        print(f"{sum(s in ('success', 'pass') for s in statuses.values())} of {len(statuses)} nodes succeeded")
        if not result.success:
            print(result.output[-3000:])
            return 1
        if args == ["build"]:
            tables = [n for n, node in result.by_name().items() if node.resource_type == "model" and not n.startswith("stg_")
                      and not n.endswith("__unloaded")]
            counts[label] = {t: harness.query(project, f"SELECT COUNT(*) FROM {t}")[0][0] for t in sorted(tables)}
    step("rows per vault table (first build, second build)")
    first, second = counts.values()
    for table in first:
        print(f"{table:<36} {first[table]:>6} {second[table]:>6}")
    if first != second:
        print("the second build added rows")
        return 1
    print(f"\nThe scaffolded vault is in {project}; open it with `dbt docs`, or run dv-spec there.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
