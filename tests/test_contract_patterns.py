"""What the design contract can say of real AutomateDV projects (issue 14,
docs/design-contract.md): an xts whose satellite-name column is the
project's own, a satellite whose hashdiff is aliased (`src_hashdiff:
{source_column, alias}`), a bridge whose `bridge_walk` names its columns, and
a satellite hanging off a t_link (nh_link).

tests/fixtures/automate_dv_contract is a small project written for these
tests the way public ones are written (docs/real-world.md, "Contract
patterns"). The import must write a design that validates with no TODO;
`dv-spec check` on what AutomateDV compiles must verify every criterion, and
fail when the design forgets a name; the models scaffolded from the imported
design must build, pass their tests and check clean. The database tests need
AutomateDV and dbt_utils checkouts and DuckDB (dbt-duckdb).
"""

from pathlib import Path

import pytest
import yaml

import harness
import packages
from dv_spec_tool.interfaces.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "automate_dv_contract"
DESIGN = Path("models") / "raw_vault" / "_raw_vault__design.yml"


def run(capsys, *args):
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    return code, out, err


def dv_blocks(project: Path) -> dict:
    return {m["name"]: m["config"]["meta"]["dv"] for m in yaml.safe_load((project / DESIGN).read_text())["models"]}


@pytest.fixture
def shop(tmp_path, capsys):
    project = harness.copy_project(FIXTURE, tmp_path / "shop")
    code, out, err = run(capsys, "import", "automate-dv", "--project-dir", project)
    assert (code, err) == (0, "") and "10 added, 0 replaced, 0 kept; 0 TODO(s) for the architect" in out, out
    return project


def build(project, *args):
    result = harness.run_dbt(project, list(args), "duckdb")
    failed = {n: s for n, s in result.statuses().items() if s not in ("success", "pass")}
    assert result.returncode == 0 and not failed, f"dbt {' '.join(args)}: {failed}\n{result.output[-3000:]}"
    return result


def test_the_import_keeps_the_names_the_project_uses_and_validates(capsys, shop):
    blocks = dv_blocks(shop)
    assert blocks["sat_order_status"]["hashdiff"] == "HASHDIFF"  # the table's name ...
    assert blocks["sat_order_status"]["stage_hashdiff"] == "ORDER_HASHDIFF"  # ... and the stage's
    assert blocks["xts_order"] == {"kind": "xts", "parent": "hub_order", "satellites": ["sat_order_status"],
                                   "satellite_name_columns": {"sat_order_status": "SATELLITE_NAME"},
                                   "sources": [{"model": "v_stg_orders"}]}
    assert blocks["bridge_customer_order"]["link_columns"] == {"link_customer_order": {
        "key": "LINK_CUSTOMER_ORDER_HK", "end_date": "EFF_SAT_CUSTOMER_ORDER_ENDDATE",
        "load_date": "EFF_SAT_CUSTOMER_ORDER_LOADDATE"}}
    assert blocks["sat_payment_status"]["parent"] == "t_link_payment"  # a satellite on an nh_link is a design
    assert run(capsys, "validate", "--project-dir", shop)[1] == "no findings in 10 design entities\n"
    code, out, _ = run(capsys, "spec", "--project-dir", shop, "--select", "bridge_customer_order")
    assert code == 0 and "| `LINK_CUSTOMER_ORDER_HK` | `BINARY(16)` | hash key of the link_customer_order row in force |" in out


def test_check_follows_the_names_and_fails_when_the_design_forgets_one(capsys, shop):
    packages.install_packages(shop, packages.require_automate_dv())
    for args in (("seed",), ("run",), ("compile",)):
        build(shop, *args)
    code, out, _ = run(capsys, "check", "--project-dir", shop)
    assert code == 0 and out.endswith("0 failed, 0 not verified; 0 items for review in 10 design entities\n"), out
    design = shop / DESIGN
    design.write_text(design.read_text().replace("              key: LINK_CUSTOMER_ORDER_HK\n", ""))
    code, out, _ = run(capsys, "check", "--project-dir", shop, "--select", "bridge_customer_order")
    assert code == 1 and "fail AC-bridge_customer_order-11 output_columns: does not produce link_customer_order_pk" in out


def test_models_scaffolded_from_the_imported_design_build_test_and_check_clean(capsys, shop):
    for name in ("bridge_customer_order", "sat_order_status", "sat_payment_status", "xts_order"):
        (shop / "models" / "raw_vault" / f"{name}.sql").unlink()
    assert run(capsys, "scaffold", "--project-dir", shop)[0] == 0
    bridge = (shop / "models" / "raw_vault" / "bridge_customer_order.sql").read_text()
    assert "    bridge_link_pk: LINK_CUSTOMER_ORDER_HK\n    bridge_end_date: EFF_SAT_CUSTOMER_ORDER_ENDDATE\n" in bridge
    sat = (shop / "models" / "raw_vault" / "sat_order_status.sql").read_text()
    assert "src_hashdiff:\n  source_column: ORDER_HASHDIFF\n  alias: HASHDIFF\n" in sat
    xts = (shop / "models" / "raw_vault" / "xts_order.sql").read_text()
    assert "      SATELLITE_NAME: SATELLITE_NAME\n    hashdiff:\n      HASHDIFF: ORDER_HASHDIFF\n" in xts
    packages.install_packages(shop, packages.require_automate_dv())
    build(shop, "seed")
    result = build(shop, "build")
    assert "ac_xts_order_08_satellite_grain_unique" in result.statuses("test")
    build(shop, "compile")
    code, out, _ = run(capsys, "check", "--project-dir", shop)
    assert code == 0 and out.endswith("0 failed, 0 not verified; 0 items for review in 10 design entities\n"), out
