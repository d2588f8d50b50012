"""The demo (`bash .ci/run demo`) and .ci/run name the package versions it linked or
installed as released, not what a dbt_project.yml placeholder says. No dbt
run needed: the checkouts and lock files here are tiny ones written for it."""

import importlib.util
from pathlib import Path

import packages
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo():
    spec = importlib.util.spec_from_file_location("demo", ROOT / ".ci" / "demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("changelog, declared, expected", [
    pytest.param("# Unreleased\n**Full Changelog**: https://example.org/compare/1.4.1...main\n\n# dbt utils v1.4.1\n\n"
                 "## What's Changed\n* a fix\n\n# dbt utils v1.4.0\n", "0.1.0",
                 "1.4.1 (its CHANGELOG.md; its dbt_project.yml says 0.1.0)", id="placeholder-in-dbt-project"),
    pytest.param("# Changelog\n\n## Unreleased\n- a change not released yet\n\n## [2.0.3] - 2025-01-01\n- fixed\n", "2.0.3",
                 "2.0.3 (its CHANGELOG.md; with unreleased changes listed above it)", id="ahead-of-the-release"),
    pytest.param(None, "0.11.5", "0.11.5 (its dbt_project.yml)", id="no-changelog"),
    pytest.param("# Changelog\nnothing released yet\n", "", "version unknown", id="nothing-to-go-by"),
])
def test_a_checkout_reports_its_release(tmp_path, changelog, declared, expected):
    if changelog is not None:
        (tmp_path / "CHANGELOG.md").write_text(changelog)
    assert packages.checkout_version(tmp_path, declared) == expected


def test_packages_from_the_hub_are_reported_from_the_lock_file(demo, tmp_path):
    assert demo.locked_versions(tmp_path) == "versions unknown (no package-lock.yml)"
    (tmp_path / "package-lock.yml").write_text(
        "packages:\n  - package: Datavault-UK/automate_dv\n    version: 0.11.5\n"
        "  - package: dbt-labs/dbt_utils\n    version: 1.4.1\n  - local: ../\nsha1_hash: abc\n")
    assert demo.locked_versions(tmp_path) == "automate_dv 0.11.5, dbt_utils 1.4.1 (package-lock.yml)"
