"""`dbt run-operation dv_spec_entity_spec` and `dv_spec_entity_prompt` print
exactly what `dv-spec spec` and `dv-spec prompts` print for the same entity.
Needs dbt-duckdb (no AutomateDV, no data): the fixture project's models are
placeholder files, so dbt knows them and reads their design from its graph.
"""

from __future__ import annotations

from pathlib import Path

import pytest

BASE = Path(__file__).parent / "fixtures" / "validate_base"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    import harness
    import packages

    from dv_spec_tool.core.design import build_design
    from dv_spec_tool.core.project import load_project
    from dv_spec_tool.generate.scaffold import PLACEHOLDER, plan

    project = harness.copy_project(BASE, tmp_path_factory.mktemp("run_operation") / "project")
    for item in plan(build_design(load_project(str(project)))):
        if item.kind == "model":
            (project / item.path).parent.mkdir(parents=True, exist_ok=True)
            (project / item.path).write_text(PLACEHOLDER + "\n")
    packages.install_packages(project, [])
    return project


# hub_network reads a dbt source: for columns of seeds without declared types, the command line
# also infers their types from the CSV as `dbt seed` does, which dbt's Jinja cannot.
@pytest.mark.parametrize("operation, args, cli", [
    pytest.param("dv_spec_entity_spec", "{entity: hub_network}", ["spec", "--select", "hub_network"], id="spec"),
    pytest.param("dv_spec_entity_prompt", "{entity: hub_network, style: plain_sql}",
                 ["prompts", "--select", "hub_network", "--style", "plain_sql"], id="prompt"),
])
def test_run_operation_prints_what_the_cli_prints(capsys, project, operation, args, cli):
    import harness

    from dv_spec_tool.interfaces.cli import main

    assert main(cli + ["--project-dir", str(project)]) == 0
    expected = capsys.readouterr().out
    result = harness.run_dbt(project, ["--quiet", "run-operation", operation, "--args", args], "duckdb", check=True)
    assert result.output.rstrip("\n") == expected.rstrip("\n")
