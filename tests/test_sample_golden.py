"""The sample's committed models (integration_tests/) are the reviewed golden
of `dv-spec scaffold`'s output, and the dbt entry points print what is
committed.

After a change to the generators that is meant to change their output, run
`dv-spec scaffold --project-dir integration_tests` and review the diff.
The first two tests need no database; the run-operation tests need dbt-duckdb
and AutomateDV (they read the built sample of conftest.py's `built_sample`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import harness

from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.project import load_project
from dv_spec_tool.generate.scaffold import plan
from dv_spec_tool.interfaces.cli import main

SAMPLE = harness.REPO_ROOT / "integration_tests"
SPEC_GOLDEN = Path(__file__).parent / "fixtures" / "spec" / "integration_tests" / "specs"
BUILD_PRODUCTS = ("target", "dbt_packages", "logs", "*.duckdb", "*.duckdb.wal", "package-lock.yml")


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_scaffolding_a_copy_again_writes_the_committed_files_byte_for_byte(capsys, tmp_path):
    project = tmp_path / "sample"
    shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns(*BUILD_PRODUCTS))
    committed = files(project)
    generated = plan(build_design(load_project(str(project))))
    models = [item.path for item in generated if item.path.endswith(".sql")]
    assert len(models) == 25 and all(path in committed for path in models)
    for path in models:
        (project / path).unlink()
    assert main(["scaffold", "--project-dir", str(project)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "25 created"  # the design files already hold the acceptance tests
    assert files(project) == committed
    assert {item.path: item.content.encode() for item in generated} == {item.path: committed[item.path] for item in generated}


def test_check_passes_on_the_committed_sample(capsys):
    assert main(["scaffold", "--check", "--project-dir", str(SAMPLE)]) == 0
    assert capsys.readouterr().out == "all 25 files match the design\n"


def test_run_operation_scaffold_vault_prints_the_committed_models(built_sample_copy):
    project = built_sample_copy  # a run-operation rewrites target/manifest.json without the compiled SQL others read
    result = harness.run_dbt(project, ["--quiet", "run-operation", "scaffold_vault"], "duckdb", check=True)
    printed = {}
    for block in result.output.split("-- file: ")[1:]:
        path, _, content = block.partition("\n")
        printed[path] = content.split("\n-- data_tests for ")[0].rstrip("\n") + "\n"
    committed = {path: text.decode() for path, text in files(SAMPLE).items() if path.startswith("models/")
                 and path.endswith(".sql")}
    assert sorted(printed) == sorted(committed)
    for path, content in committed.items():
        assert printed[path] == content, path


def test_run_operation_entity_spec_prints_the_committed_spec(built_sample_copy):
    """hub_agreement reads a dbt source (a seed with declared column types)."""
    project = built_sample_copy
    result = harness.run_dbt(project, ["--quiet", "run-operation", "dv_spec_entity_spec", "--args", "{entity: hub_agreement}"],
                             "duckdb", check=True)
    assert result.output.rstrip("\n") == (SPEC_GOLDEN / "hub_agreement.md").read_text().rstrip("\n")


def test_dbt_test_alone_catches_a_model_that_differs_from_the_scaffold(built_sample_copy):
    """The sample's singular test (tests/scaffold_vault_writes_the_committed_models.sql, dbt-codegen's
    assert_equal pattern) passes in `dbt build` (built_sample) and fails once a model is edited."""
    model = built_sample_copy / "models" / "raw_vault" / "network" / "hub_network.sql"
    model.write_text(model.read_text() + "-- edited by hand\n")
    result = harness.run_dbt(built_sample_copy, ["test", "--select", "scaffold_vault_writes_the_committed_models"])
    assert result.returncode != 0
    assert "models/raw_vault/network/hub_network.sql differs." in result.output
