"""The design at a git ref: the project folder extracted with `git archive` into a
temporary folder and loaded like any project."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager

from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.project import load_project


def _git(cwd: str, *args, binary: bool = False):
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("--base needs git, which is not installed (or not on PATH)") from None
    if result.returncode != 0:
        return None
    return result.stdout if binary else result.stdout.decode("utf-8", "replace").strip()


@contextmanager
def design_at(project_dir: str, ref: str):
    """Yield (design, commit) of the dbt project in `project_dir` as it was at git `ref`."""
    root = os.path.abspath(project_dir)
    if not os.path.isdir(root):
        raise UsageError(f"{project_dir}: no such directory")
    top = _git(root, "rev-parse", "--show-toplevel")
    if not top:
        raise UsageError(f"--base {ref}: {project_dir} is not inside a git repository")
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if not commit:
        raise UsageError(f"--base {ref}: not a commit, branch or tag of this repository (git rev-parse cannot resolve it)")
    relative = os.path.relpath(os.path.realpath(root), os.path.realpath(top)).replace(os.sep, "/")
    args = ["archive", "--format=tar", commit] + ([] if relative == "." else ["--", relative])
    archive = _git(top, *args, binary=True)
    if archive is None:
        raise UsageError(f"--base {ref}: the project folder `{relative}` did not exist at {commit[:12]}")
    folder = tempfile.mkdtemp(prefix="dv-spec-base-")
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(folder, filter="data")
            else:  # Python < 3.12 without the backported filter
                tar.extractall(folder)  # noqa: S202 - our own repository's archive
        base_root = folder if relative == "." else os.path.join(folder, relative)
        if not os.path.isfile(os.path.join(base_root, "dbt_project.yml")):
            raise UsageError(f"--base {ref}: no dbt_project.yml in `{relative}` at {commit[:12]}")
        yield build_design(load_project(base_root)), commit
    finally:
        shutil.rmtree(folder, ignore_errors=True)

