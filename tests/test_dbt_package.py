"""dv_spec as a dbt package: it and the scaffolded sample parse with dbt-core
with every deprecation an error, and the version ranges users copy are the
ones the generated models need.

dbt checks schema YAML against its JSON schemas, and so raises most of its
deprecations (a `meta` outside `config`, a custom key, arguments beside a
generic test's name), only on warehouse adapters: the parse runs on a
Snowflake profile that is never connected to (harness.PARSE_TARGET). The
sample needs AutomateDV and dbt_utils (tests/packages.py).
"""

import shutil

import pytest
import yaml

import harness
import packages

DEPRECATIONS_ARE_ERRORS = ["--warn-error-options", '{"error": ["Deprecations"]}']


def parse(project, *extra):
    result = harness.run_dbt(project, ["parse", "--no-partial-parse", *DEPRECATIONS_ARE_ERRORS, *extra],
                             harness.PARSE_TARGET)
    return result.returncode, harness.strip_ansi(result.output)


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory):
    """The files of the dbt package (what `dbt deps` installs), as a root project of their own."""
    root = tmp_path_factory.mktemp("package") / "dv_spec"
    root.mkdir()
    shutil.copy(harness.REPO_ROOT / "dbt_project.yml", root)
    for folder in ("macros", "models", "analyses"):
        shutil.copytree(harness.REPO_ROOT / folder, root / folder)
    return root


def test_the_package_parses_with_deprecations_as_errors(package_copy):
    code, output = parse(package_copy, "--profile", "dv_spec")
    assert code == 0, output


def test_a_deprecated_property_does_fail_the_parse(package_copy):
    """The options really turn deprecations into errors (so the other tests prove something)."""
    model = package_copy / "models" / "zz_probe.sql"
    schema = package_copy / "models" / "zz_probe.yml"
    model.write_text("select 1 as a\n")
    schema.write_text("models:\n  - name: zz_probe\n    meta: {owner: someone}\n")
    try:
        code, output = parse(package_copy, "--profile", "dv_spec")
    finally:
        model.unlink()
        schema.unlink()
    assert code != 0
    assert "PropertyMovedToConfigDeprecation" in output, output


def test_the_committed_sample_parses_with_deprecations_as_errors(tmp_path):
    checkouts = packages.require_automate_dv()
    project = harness.copy_project(harness.REPO_ROOT / "integration_tests", tmp_path / "sample")
    packages.install_packages(project, checkouts)
    code, output = parse(project)
    assert code == 0, output


def test_version_ranges_admit_dbt_fusion_and_need_automate_dv_0_11_5():
    project = yaml.safe_load((harness.REPO_ROOT / "dbt_project.yml").read_text())
    assert project["require-dbt-version"] == [">=1.10.0", "<3.0.0"]
    sample = yaml.safe_load((harness.REPO_ROOT / "integration_tests" / "packages.yml").read_text())
    versions = {entry.get("package"): entry.get("version") for entry in sample["packages"]}
    assert versions["Datavault-UK/automate_dv"] == [">=0.11.5", "<0.12.0"]
