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


@pytest.fixture(scope="module")
def real_packages():
    return {package.name: package for package in packages.require_automate_dv()}


def serve_a_hub(folder, real_packages):
    """A dbt package hub on 127.0.0.1 (dbt reads DBT_PACKAGE_HUB_URL) serving tarballs of the real packages."""
    import http.server
    import json
    import tarfile
    import threading

    versions = {"automate_dv": ("Datavault-UK", "0.11.5", [{"package": "dbt-labs/dbt_utils", "version": [">=1.0.0", "<2.0.0"]}]),
                "dbt_utils": ("dbt-labs", "1.4.1", [])}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), None)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    files = {"api/v1/index.json": json.dumps([f"{org}/{name}" for name, (org, _, _) in versions.items()]).encode()}
    for name, (org, version, dependencies) in versions.items():
        tarball = folder / f"{name}-{version}.tar.gz"
        with tarfile.open(tarball, "w:gz") as archive:
            archive.add(real_packages[name].path, arcname=f"{name}-{version}",
                        filter=lambda info: None if "/.git" in info.name else info)
        files[f"files/{tarball.name}"] = tarball.read_bytes()
        files[f"api/v1/{org}/{name}.json"] = json.dumps({"name": name, "namespace": org, "versions": {version: {
            "name": name, "packages": dependencies, "downloads": {"tarball": f"{base}files/{tarball.name}"}}}}).encode()

    class Hub(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = files.get(self.path.lstrip("/"))
            self.send_response(200 if body else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server.RequestHandlerClass = Hub
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


def test_without_local_packages_they_come_from_the_hub_with_dbt_deps(real_packages, nowhere, monkeypatch, tmp_path):
    monkeypatch.undo()  # keep the cleared variables and the empty shared folder, but ask a (local) hub
    monkeypatch.delenv(packages.AUTOMATE_DV_ENV, raising=False)
    monkeypatch.delenv(packages.DBT_UTILS_ENV, raising=False)
    monkeypatch.setattr(packages, "SHARED_PACKAGES", nowhere)
    monkeypatch.setattr(packages, "HUB_CACHE", tmp_path / "cache")
    (tmp_path / "cache").mkdir()
    server, base = serve_a_hub(tmp_path, real_packages)
    monkeypatch.setenv(packages.HUB_URL_ENV, base)
    try:
        found, reason = packages.automate_dv_packages()
    finally:
        server.shutdown()
    assert reason is None
    assert [(p.name, p.version) for p in found] == [("automate_dv", "0.11.5"), ("dbt_utils", real_packages["dbt_utils"].version)]
    assert all(p.path.is_relative_to(tmp_path / "cache") for p in found)
    assert (found[0].path / "macros").is_dir()
