"""A NULL foreign key in a link's source, on DuckDB with AutomateDV 0.11.5.

AutomateDV's `link` drops a stage row when ANY foreign key is NULL
(`multikey(fk_cols, condition='IS NOT NULL')`, joined by AND), while `sat`
drops only rows whose `src_pk` is NULL, and the stage's multi-column hash of
the link key is NULL only when ALL its columns are
(`NULLIF(concat, '^^||^^')`). tests/fixtures/null_foreign_key_project: AGR-002
has no payer yet, so the link holds one row, the satellite two, and the
satellite's generated parent-key test fails on ordinary data. The spec says
so and asks how NULL foreign keys are handled.

Needs AutomateDV and dbt_utils (DV_SPEC_AUTOMATE_DV_DIR, DV_SPEC_DBT_UTILS_DIR;
skipped with the reason otherwise); runs on DuckDB.
"""

from pathlib import Path

import harness
import packages
from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.project import load_project
from dv_spec_tool.generate.spec import SpecBuilder
from dv_spec_tool.interfaces.cli import main

PROJECT = Path(__file__).resolve().parent / "fixtures" / "null_foreign_key_project"


def test_a_null_foreign_key_orphans_the_link_satellite_row(tmp_path, capsys):
    checkouts = packages.require_automate_dv()
    project = harness.copy_project(PROJECT, tmp_path / "null_fk")
    assert main(["scaffold", "--project-dir", str(project)]) == 0, capsys.readouterr().out
    packages.install_packages(project, checkouts)
    assert harness.run_dbt(project, ["seed"], "duckdb").returncode == 0
    result = harness.run_dbt(project, ["build"], "duckdb")

    link = harness.query(project, "SELECT count(*) FROM link_agreement_payer", "duckdb")
    sat = harness.query(project, "SELECT count(*) FROM sat_agreement_payer_status", "duckdb")
    orphans = harness.query(project, "SELECT count(*) FROM sat_agreement_payer_status s WHERE NOT EXISTS "
                            "(SELECT 1 FROM link_agreement_payer l WHERE l.agreement_payer_hk = s.agreement_payer_hk)", "duckdb")
    assert (link, sat, orphans) == ([(1,)], [(2,)], [(1,)])
    failed = sorted(name for name, status in result.statuses("test").items() if status == "fail")
    assert failed == ["ac_sat_agreement_payer_status_09_parent_key_present"], failed


def test_the_spec_asks_how_null_foreign_keys_are_handled():
    builder = SpecBuilder(build_design(load_project(str(PROJECT))))
    for name in ("link_agreement_payer", "sat_agreement_payer_status"):
        questions = [q["question"] for q in builder.entity_spec(name)["open_questions"] if q["topic"] == "NULL foreign keys"]
        assert len(questions) == 1, (name, questions)
        assert "`payer_hk` from `raw_assignments.payer_code`" in questions[0] and "null_columns" in questions[0]
    hub_questions = builder.entity_spec("hub_payer")["open_questions"]
    assert not [q for q in hub_questions if q["topic"] == "NULL foreign keys"]
