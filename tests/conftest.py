"""Shared pytest fixtures for running dbt fixture projects (see harness.py).

* ``fakesnow_server`` (session): one fakesnow server for the whole run,
  started on first use and stopped at the end.
* ``dbt_target`` (module): the target a test runs on, "duckdb" or
  "fakesnow"; a test that uses it runs once per target (ids ``duckdb`` /
  ``fakesnow``), and for "fakesnow" the server is running. Restrict a module
  or test to one target with
  ``@pytest.mark.parametrize("dbt_target", ["duckdb"], indirect=True)``.
  Module scope lets a module build its fixture project once per target.
* ``built_sample`` (session): the sample (integration_tests/, its
  scaffolded models committed) built (every acceptance test run) and
  compiled on DuckDB with AutomateDV;
  ``(project, first_run_manifest)``. Tests read it and never change it;
  ``built_sample_copy`` is a copy a test may change.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import packages  # noqa: E402


@pytest.fixture(scope="session")
def fakesnow_server():
    server = harness.start_fakesnow()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module", params=harness.TARGETS)
def dbt_target(request) -> str:
    target = request.param
    if target not in harness.TARGETS:
        raise ValueError(f"dbt_target must be one of {harness.TARGETS}, got {target!r}")
    if target == "fakesnow":
        request.getfixturevalue("fakesnow_server")
    return target


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory):
    """The sample vault (its committed models, no dv-spec step) built on DuckDB (every acceptance test passing), with the manifests of
    its first build and of a compile after it.

    Stages are built before they are compiled against: AutomateDV lists a
    stage's source columns and a satellite's ghost-record columns from the
    database, so `dbt compile` on an empty database gives a different,
    incomplete SQL.
    """
    checkouts = packages.require_automate_dv()
    project = harness.copy_project(harness.REPO_ROOT / "integration_tests",
                                   tmp_path_factory.mktemp("built_sample") / "integration_tests")
    packages.install_packages(project, checkouts)
    # Seeds first: the design reads one of them as a dbt source, which is no edge in dbt's DAG.
    harness.run_dbt(project, ["seed", "--threads", "4"], "duckdb", check=True)
    harness.run_dbt(project, ["build", "--exclude", "resource_type:seed", "--threads", "4"], "duckdb", check=True)
    first_run = project / "first_run" / "manifest.json"
    first_run.parent.mkdir()
    shutil.copy(project / "target" / "manifest.json", first_run)
    harness.run_dbt(project, ["compile", "--threads", "4"], "duckdb", check=True)
    return project, first_run


@pytest.fixture
def built_sample_copy(built_sample, tmp_path):
    """A copy of ``built_sample`` (database included) that a test may change."""
    project, _ = built_sample
    copy = tmp_path / "integration_tests"
    shutil.copytree(project, copy, symlinks=True)
    return copy
