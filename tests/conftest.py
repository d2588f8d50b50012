"""Shared pytest fixtures for running dbt fixture projects (see harness.py).

* ``fakesnow_server`` (session): one fakesnow server for the whole run,
  started on first use and stopped at the end.
* ``dbt_target`` (module): the target a test runs on, "duckdb" or
  "fakesnow"; a test that uses it runs once per target (ids ``duckdb`` /
  ``fakesnow``), and for "fakesnow" the server is running. Restrict a module
  or test to one target with
  ``@pytest.mark.parametrize("dbt_target", ["duckdb"], indirect=True)``.
  Module scope lets a module build its fixture project once per target.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402


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
