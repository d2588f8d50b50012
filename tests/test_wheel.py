"""dv-spec as a user installs it: the sdist and the wheel built from it, in a fresh
virtual environment outside the repository, run every command on the sample.

`python -m build` builds the sdist and then the wheel from that sdist (so both
must carry the dbt macros), with this environment's setuptools (a dev
dependency, as pyproject.toml's build-system asks); pip installs the wheel and its dependencies (from
the same package index the development install uses) into a new venv in a
temporary folder, and the venv's `dv-spec` runs from a copy of the sample
(integration_tests/), with the repository nowhere on its path. `check` reads
the compiled sample of conftest.py's `built_sample` (AutomateDV needed, as
for every test that builds with it).
"""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import harness

SAMPLE = harness.REPO_ROOT / "integration_tests"
MACROS = sorted(path.relative_to(harness.REPO_ROOT / "macros").as_posix()
                for path in (harness.REPO_ROOT / "macros").rglob("*") if path.suffix in (".sql", ".yml"))


def run(command, cwd, **kwargs):
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """The sdist and the wheel, built from a copy of the repository's files (the work tree stays untouched)."""
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("source") / "dv-spec"
    tracked = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], harness.REPO_ROOT)
    assert tracked.returncode == 0, tracked.stderr
    for name in filter(None, tracked.stdout.split("\0")):
        if (harness.REPO_ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes((harness.REPO_ROOT / name).read_bytes())
    built = run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)], out)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert "SetuptoolsDeprecationWarning" not in built.stdout + built.stderr, built.stderr
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory):
    """A fresh venv (no system site-packages, not this one's) with the wheel installed: its bin/ folder."""
    venv = tmp_path_factory.mktemp("user") / "venv"
    assert run([sys.executable, "-m", "venv", "--without-pip", str(venv)], venv.parent).returncode == 0
    wheel, _ = dist
    installing = run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                      "--quiet", "--disable-pip-version-check", str(wheel)], venv.parent)
    assert installing.returncode == 0, installing.stderr[-3000:]
    return venv / "bin"


def test_wheel_and_sdist_carry_the_dbt_macros(dist):
    wheel, sdist = dist
    import tarfile

    with zipfile.ZipFile(wheel) as archive:
        in_wheel = sorted(name.removeprefix("dv_spec_tool/dbt_macros/") for name in archive.namelist()
                          if name.startswith("dv_spec_tool/dbt_macros/"))
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith("METADATA"))).decode()
    with tarfile.open(sdist) as archive:
        in_sdist = sorted(name.split("/macros/", 1)[1] for name in archive.getnames()
                          if "/macros/" in name and name.endswith((".sql", ".yml")))
    assert in_wheel == MACROS
    assert in_sdist == MACROS
    assert "License-Expression: Apache-2.0" in metadata


def test_installed_wheel_runs_every_command_outside_the_repository(installed, built_sample, tmp_path):
    project = harness.copy_project(SAMPLE, tmp_path / "sample")
    dv_spec = str(installed / "dv-spec")
    where = run([str(installed / "python"), "-c", "import dv_spec_tool; print(dv_spec_tool.__file__)"], tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(installed.parent), where.stdout + where.stderr

    def ok(*args, cwd=project):
        result = run([dv_spec, *args], cwd)
        assert (result.returncode, result.stderr) == (0, ""), f"dv-spec {' '.join(args)}:\n{result.stdout}{result.stderr}"
        return result.stdout

    assert ok("validate").endswith("1 warning in 16 design entities\n")  # the sample's DV230 on nh_link_referral
    ok("spec", "--out", "specs")
    assert (project / "specs" / "hub_provider.md").is_file()
    ok("prompts", "--out", "prompts")
    assert (project / "prompts" / "hub_provider.prompt.md").is_file()
    hub = project / "models" / "raw_vault" / "provider" / "hub_provider.sql"
    hub.unlink()
    assert "created  models/raw_vault/provider/hub_provider.sql" in ok("scaffold").splitlines()
    assert ok("scaffold", "--check") == "all 25 files match the design\n"  # the wheel's macros write the committed golden
    assert ok("export", "mermaid").startswith("erDiagram")
    built, _ = built_sample
    assert ok("check", "--project-dir", str(built), cwd=tmp_path).endswith(
        "58 passed, 0 failed, 0 not verified; 0 items for review in 16 design entities\n")
