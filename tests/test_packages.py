"""Where the AutomateDV tests get AutomateDV and dbt_utils (tests/packages.py):
the environment variables, else the shared copies beside the repository, else
the dbt hub; skipped with the reason when none has them, failed under CI=true.
No dbt run."""

import pytest

import packages


def write_package(folder, name, version):
    folder.mkdir(parents=True)
    (folder / "dbt_project.yml").write_text(f"name: {name}\nversion: {version}\nconfig-version: 2\n")
    return folder


@pytest.fixture
def nowhere(monkeypatch, tmp_path):
    """No variables, no shared folder, no hub; the cached answer forgotten before and after."""
    monkeypatch.delenv(packages.AUTOMATE_DV_ENV, raising=False)
    monkeypatch.delenv(packages.DBT_UTILS_ENV, raising=False)
    monkeypatch.setattr(packages, "SHARED_PACKAGES", tmp_path / "shared" / "dbt_packages")
    monkeypatch.setattr(packages, "hub_answers", lambda *args, **kwargs: False)
    packages.automate_dv_packages.cache_clear()
    yield tmp_path / "shared" / "dbt_packages"
    packages.automate_dv_packages.cache_clear()


def test_the_shared_folders_beside_the_repository_are_used_when_no_variable_is_set(nowhere):
    write_package(nowhere / "automate_dv", "automate_dv", "0.11.5")
    write_package(nowhere / "dbt_utils", "dbt_utils", "1.4.1")
    found, reason = packages.automate_dv_packages()
    assert reason is None
    assert [(p.name, p.path) for p in found] == [("automate_dv", nowhere / "automate_dv"), ("dbt_utils", nowhere / "dbt_utils")]


def test_a_variable_wins_over_the_shared_folder(nowhere, monkeypatch, tmp_path):
    write_package(nowhere / "automate_dv", "automate_dv", "0.11.5")
    write_package(nowhere / "dbt_utils", "dbt_utils", "1.4.1")
    mine = write_package(tmp_path / "mine" / "automate_dv", "automate_dv", "0.11.6")
    monkeypatch.setenv(packages.AUTOMATE_DV_ENV, str(mine))
    found, _ = packages.automate_dv_packages()
    assert found[0].path == mine and found[0].version == "0.11.6"


def test_without_any_source_the_test_skips_and_says_why(nowhere, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        packages.require_automate_dv()
    assert "DV_SPEC_AUTOMATE_DV_DIR is not set and" in str(skipped.value)
    assert "the dbt package hub does not answer" in str(skipped.value)


def test_in_ci_a_missing_automate_dv_fails_instead_of_skipping(nowhere, monkeypatch, capsys):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failed:
        packages.require_automate_dv()
    assert "AutomateDV must be available in CI" in str(failed.value)
    assert packages.main() == 1
    assert "AutomateDV not available" in capsys.readouterr().err
