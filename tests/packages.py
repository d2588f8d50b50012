"""Local checkouts of AutomateDV and dbt_utils for the dbt test projects.

The tests that build AutomateDV models need AutomateDV 0.11.x and dbt_utils.
They come from local checkouts named by two environment variables:

* ``DV_SPEC_AUTOMATE_DV_DIR``: a checkout of AutomateDV (``automate_dv``);
* ``DV_SPEC_DBT_UTILS_DIR``: a checkout of dbt_utils (``dbt_utils``).

When either is missing the tests skip, and say why in pytest's summary
(``-ra`` or ``-rs``).

They are installed into a fixture project (copied with harness.copy_project)
by linking them into its ``dbt_packages/`` folder, beside dv_spec itself. ``dbt deps`` is not used:
with ``{local: ...}`` entries it still reads AutomateDV's own packages.yml,
which asks the dbt package hub for dbt_utils, and fails offline (measured
with dbt-core 1.11: "External connection exception ... hub.getdbt.com").
dbt loads every project it finds in ``dbt_packages/`` without a
packages.yml, so the links are all it needs.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

AUTOMATE_DV_ENV = "DV_SPEC_AUTOMATE_DV_DIR"
DBT_UTILS_ENV = "DV_SPEC_DBT_UTILS_DIR"

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class LocalPackage:
    """A dbt package checkout: its dbt project name, version and folder."""

    name: str
    version: str
    path: Path


def read_package(path: Path) -> LocalPackage:
    """Read the name and version from a checkout's dbt_project.yml.

    >>> read_package(REPO_ROOT).name
    'dv_spec'
    """
    with open(path / "dbt_project.yml", encoding="utf-8") as handle:
        project = yaml.safe_load(handle)
    return LocalPackage(name=project["name"], version=str(project.get("version", "")), path=path)


def find_package(env_var: str, expected_name: str) -> LocalPackage | str:
    """The checkout named by ``env_var``, or a sentence saying why there is none.

    >>> find_package("DV_SPEC_NO_SUCH_VARIABLE", "automate_dv")
    '$DV_SPEC_NO_SUCH_VARIABLE is not set'
    """
    value = os.environ.get(env_var, "").strip()
    if not value:
        return f"${env_var} is not set"
    path = Path(value).expanduser().resolve()
    if not (path / "dbt_project.yml").is_file():
        return f"${env_var}={value} has no dbt_project.yml"
    package = read_package(path)
    if package.name != expected_name:
        return f"${env_var}={value} holds dbt package {package.name!r}, expected {expected_name!r}"
    return package


def automate_dv_packages() -> tuple[list[LocalPackage], str | None]:
    """AutomateDV and dbt_utils checkouts, and the reason to skip if either is missing."""
    found: list[LocalPackage] = []
    problems: list[str] = []
    for env_var, name in ((AUTOMATE_DV_ENV, "automate_dv"), (DBT_UTILS_ENV, "dbt_utils")):
        result = find_package(env_var, name)
        if isinstance(result, str):
            problems.append(result)
        else:
            found.append(result)
    if problems:
        reason = (
            "AutomateDV not available: set DV_SPEC_AUTOMATE_DV_DIR to an AutomateDV 0.11.x "
            "checkout and DV_SPEC_DBT_UTILS_DIR to a dbt_utils checkout ("
            + "; ".join(problems)
            + ")"
        )
        return found, reason
    return found, None


def require_automate_dv() -> list[LocalPackage]:
    """The two checkouts, or skip the calling test with the reason."""
    found, reason = automate_dv_packages()
    if reason:
        pytest.skip(reason)
    return found


requires_automate_dv = pytest.mark.skipif(
    automate_dv_packages()[1] is not None,
    reason=automate_dv_packages()[1] or "",
)
"""Marker form of :func:`require_automate_dv`, for tests that take no fixture."""


def install_packages(project_dir: Path, packages: list[LocalPackage], with_dv_spec: bool = True) -> Path:
    """Link (or, where links are not allowed, copy) packages into ``project_dir/dbt_packages``.

    dv_spec itself (this repository) is added unless ``with_dv_spec`` is false.
    Returns the dbt_packages folder.
    """
    target = project_dir / "dbt_packages"
    target.mkdir(parents=True, exist_ok=True)
    everything = list(packages)
    if with_dv_spec:
        everything.append(read_package(REPO_ROOT))
    for package in everything:
        destination = target / package.name
        if destination.is_symlink() or destination.is_file():
            destination.unlink()
        elif destination.exists():
            shutil.rmtree(destination)
        try:
            destination.symlink_to(package.path, target_is_directory=True)
        except OSError:
            shutil.copytree(
                package.path,
                destination,
                ignore=shutil.ignore_patterns(".git", ".venv", "target", "dbt_packages", "logs"),
            )
    return target


@pytest.fixture(scope="session")
def automate_dv_checkouts() -> list[LocalPackage]:
    """AutomateDV and dbt_utils checkouts; skips the test when they are missing."""
    return require_automate_dv()
