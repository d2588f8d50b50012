"""AutomateDV and dbt_utils for the dbt test projects.

The tests that build AutomateDV models need AutomateDV 0.11.5+ and dbt_utils.
They are found, in this order:

1. the folders named by two environment variables,
   ``DV_SPEC_AUTOMATE_DV_DIR`` (AutomateDV, ``automate_dv``) and
   ``DV_SPEC_DBT_UTILS_DIR`` (dbt_utils, ``dbt_utils``);
2. for a variable that is not set, ``shared/dbt_packages/automate_dv`` and
   ``shared/dbt_packages/dbt_utils`` beside the repository (in its parent
   folder), where developer machines and CI keep read-only copies;
3. when neither is there, the dbt package hub: ``dbt deps`` of a tiny project
   in the temporary folder (once per machine and version range), when the hub
   answers within a few seconds.

When none of them has both packages, the tests that need them skip and say
why in pytest's summary (``-ra``), except under ``CI=true``, where they fail
with that reason: in CI no test may pass by skipping for lack of AutomateDV.
``python tests/packages.py`` prints what was found (exit 1 when nothing was,
which .ci/run turns into a clear stop before the suite).

They are installed into a fixture project (copied with harness.copy_project)
by linking them into its ``dbt_packages/`` folder, beside dv_spec itself. ``dbt deps`` is not used there:
with ``{local: ...}`` entries it still reads AutomateDV's own packages.yml,
which asks the dbt package hub for dbt_utils, and fails offline (measured
with dbt-core 1.11: "External connection exception ... hub.getdbt.com").
dbt loads every project it finds in ``dbt_packages/`` without a
packages.yml, so the links are all it needs.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

AUTOMATE_DV_ENV = "DV_SPEC_AUTOMATE_DV_DIR"
DBT_UTILS_ENV = "DV_SPEC_DBT_UTILS_DIR"

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_PACKAGES = REPO_ROOT.parent / "shared" / "dbt_packages"
# What the hub fallback installs: the ranges the sample's packages.yml asks for.
HUB_PACKAGES = {
    "automate_dv": ("Datavault-UK/automate_dv", [">=0.11.5", "<0.12.0"]),
    "dbt_utils": ("dbt-labs/dbt_utils", [">=1.0.0", "<2.0.0"]),
}
# dbt's own setting for another package hub (a mirror), read as dbt reads it.
HUB_URL_ENV = "DBT_PACKAGE_HUB_URL"
HUB_CACHE = Path(tempfile.gettempdir())


def hub_url() -> str:
    return os.environ.get(HUB_URL_ENV) or "https://hub.getdbt.com/"


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


def find_package(env_var: str, expected_name: str, shared: Path | None = None) -> LocalPackage | str:
    """The package named by ``env_var`` (else the shared copy beside the repository), or why there is none.

    >>> find_package("DV_SPEC_NO_SUCH_VARIABLE", "automate_dv", Path("/nonexistent"))
    '$DV_SPEC_NO_SUCH_VARIABLE is not set and /nonexistent/automate_dv does not exist'
    """
    shared = shared or SHARED_PACKAGES
    value = os.environ.get(env_var, "").strip()
    if not value:
        if not (shared / expected_name / "dbt_project.yml").is_file():
            return f"${env_var} is not set and {shared / expected_name} does not exist"
        value = str(shared / expected_name)
    path = Path(value).expanduser().resolve()
    if not (path / "dbt_project.yml").is_file():
        return f"{value} (${env_var}) has no dbt_project.yml"
    package = read_package(path)
    if package.name != expected_name:
        return f"{value} (${env_var}) holds dbt package {package.name!r}, expected {expected_name!r}"
    return package


def hub_answers(timeout: float = 5.0) -> bool:
    """Whether the dbt package hub answers (False offline, quickly)."""
    try:
        with urllib.request.urlopen(hub_url() + "api/v1/index.json", timeout=timeout) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def packages_from_hub() -> tuple[list[LocalPackage], str | None]:
    """AutomateDV and dbt_utils installed from the dbt hub with ``dbt deps``, once per machine and range."""
    if not hub_answers():
        return [], "the dbt package hub does not answer"
    listing = "packages:\n" + "".join(f"  - package: {hub}\n    version: {versions}\n".replace("'", '"')
                                      for hub, versions in HUB_PACKAGES.values())
    key = hashlib.sha1((hub_url() + listing).encode()).hexdigest()[:12]
    project = HUB_CACHE / f"dv-spec-hub-packages-{key}"
    installed = [project / "dbt_packages" / name for name in HUB_PACKAGES]
    if not all((path / "dbt_project.yml").is_file() for path in installed):
        project.mkdir(parents=True, exist_ok=True)
        (project / "dbt_project.yml").write_text("name: hub_packages\nversion: '1.0.0'\nconfig-version: 2\n")
        (project / "packages.yml").write_text(listing)
        dbt = Path(sys.executable).with_name("dbt")
        completed = subprocess.run([str(dbt) if dbt.exists() else "dbt", "deps", "--project-dir", str(project)],
                                   cwd=project, capture_output=True, text=True, timeout=600,
                                   env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
        if completed.returncode != 0:
            tail = " | ".join(line.strip() for line in (completed.stdout + completed.stderr).strip().splitlines()[-3:])
            return [], f"dbt deps from the hub failed: {tail}"
    return [read_package(path) for path in installed], None


@lru_cache(maxsize=1)
def automate_dv_packages() -> tuple[tuple[LocalPackage, ...], str | None]:
    """AutomateDV and dbt_utils (local folders, else the hub), and the reason they are missing, if they are."""
    found: list[LocalPackage] = []
    problems: list[str] = []
    for env_var, name in ((AUTOMATE_DV_ENV, "automate_dv"), (DBT_UTILS_ENV, "dbt_utils")):
        result = find_package(env_var, name)
        if isinstance(result, str):
            problems.append(result)
        else:
            found.append(result)
    if not problems:
        return tuple(found), None
    from_hub, hub_problem = packages_from_hub()
    if not hub_problem:
        return tuple(from_hub), None
    reason = (
        "AutomateDV not available: set DV_SPEC_AUTOMATE_DV_DIR to an AutomateDV 0.11.5+ "
        "checkout and DV_SPEC_DBT_UTILS_DIR to a dbt_utils checkout ("
        + "; ".join([*problems, hub_problem])
        + ")"
    )
    return tuple(found), reason


def require_automate_dv() -> list[LocalPackage]:
    """The two packages; or skip the calling test with the reason (fail it under CI=true)."""
    found, reason = automate_dv_packages()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI=true: AutomateDV must be available in CI", pytrace=False)
        pytest.skip(reason)
    return list(found)


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


# The first heading of a CHANGELOG naming a release: `# dbt utils v1.4.1`, `## [1.4.1] - 2025-01-01`.
_RELEASE_HEADING = re.compile(r"^#{1,3}[ \t]+(?!Unreleased)[^\n]*?\bv?(\d+\.\d+\.\d+)\b", re.MULTILINE | re.IGNORECASE)


def checkout_version(path: Path, declared: str) -> str:
    """The release of a package checkout, and where that comes from.

    A dbt_project.yml `version` is not always the release: dbt_utils keeps the
    placeholder 0.1.0 there and names its releases in CHANGELOG.md only.
    """
    changelog = path / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8", errors="replace") if changelog.is_file() else ""
    match = _RELEASE_HEADING.search(text)
    if match:
        notes = ["its CHANGELOG.md"]
        if re.search(r"^[ \t]*[*-] ", text[:match.start()], re.MULTILINE):
            notes.append("with unreleased changes listed above it")
        if declared and declared != match.group(1):
            notes.append(f"its dbt_project.yml says {declared}")
        return f"{match.group(1)} ({'; '.join(notes)})"
    return f"{declared} (its dbt_project.yml)" if declared else "version unknown"


def main() -> int:
    """Print where AutomateDV and dbt_utils come from; exit 1 when they are missing."""
    found, reason = automate_dv_packages()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    for package in found:
        print(f"{package.name} {checkout_version(package.path, package.version)}: {package.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
