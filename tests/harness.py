"""Run dbt fixture projects from pytest, on DuckDB or on a fakesnow server.

The pieces, smallest first:

* ``start_fakesnow()`` / ``FakesnowServer``: a ``python -m fakesnow -s``
  server on 127.0.0.1 and a free port, stopped with ``.stop()``. conftest.py
  starts one per test session (fixture ``fakesnow_server``).
* ``copy_project(src, dest)``: copies a fixture project, rewriting relative
  ``local:`` package paths (``../../..``) to absolute ones so they still point
  at this repository.
* ``write_profiles(project_dir, fakesnow=None)``: a profiles.yml in the
  project with the targets ``duckdb`` (a file in the project),
  ``fakesnow`` (type snowflake, account 'fakesnow', host 127.0.0.1, the
  server's port, protocol http, threads 1) and ``snowflake_parse`` (type
  snowflake, never connected: for ``dbt parse`` only).
* ``run_dbt(project_dir, args, target)``: runs ``dbt <args>`` (in this
  process, see below) with the project's profiles and returns a ``DbtResult``: the
  exit code, the output and one ``NodeResult`` per node of
  target/run_results.json, joined with target/manifest.json (meta, the
  generic test's macro name).
* ``query(project_dir, sql, target)``: rows from the database the project
  was built in (DuckDB file read-only, or fakesnow through the connector).

Typical use (see tests/test_generic_tests.py)::

    project = copy_project(FIXTURES / "my_project", tmp_path / "my_project")
    run_dbt(project, ["deps"], target)
    result = run_dbt(project, ["build"], target)
    assert result.status("my_test_name") == "fail"

Each dbt invocation runs in this process through dbt's programmatic runner
(``dbtRunner``): dbt's import and start-up are paid once per test session,
not once per invocation. ``DV_SPEC_DBT_SUBPROCESS=1`` runs each in a
subprocess of the dbt next to this Python instead (isolated; slower).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TARGETS = ("duckdb", "fakesnow")
# A Snowflake output that is never connected to: for `dbt parse`, which checks
# schema YAML against dbt's JSON schemas (and so raises most deprecations) only
# on warehouse adapters such as snowflake, never on duckdb.
PARSE_TARGET = "snowflake_parse"

_DBT = Path(sys.executable).with_name("dbt")
# Set (to anything) to run each dbt invocation in a subprocess instead of in this process.
SUBPROCESS_ENV = "DV_SPEC_DBT_SUBPROCESS"
_active_fakesnow: FakesnowServer | None = None


# ---------------------------------------------------------------- fakesnow


@dataclass
class FakesnowServer:
    """A running ``python -m fakesnow -s`` process (databases in memory)."""

    host: str
    port: int
    process: subprocess.Popen

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (SIGINT, as fakesnow expects; SIGKILL if it hangs)."""
        global _active_fakesnow
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        if _active_fakesnow is self:
            _active_fakesnow = None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start_fakesnow(host: str = "127.0.0.1", port: int | None = None, timeout: float = 60.0) -> FakesnowServer:
    """Start a fakesnow server and wait until it accepts connections.

    The server becomes the one ``run_dbt(..., target="fakesnow")`` uses.
    Raises RuntimeError with the server's output if it does not come up.
    """
    global _active_fakesnow
    port = port or free_port(host)
    process = subprocess.Popen(
        [sys.executable, "-m", "fakesnow", "-s", "--host", host, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"fakesnow exited with {process.returncode}:\n{output}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError(f"fakesnow did not listen on {host}:{port} within {timeout}s")
    # Nobody reads the server's log while it runs; drop it so the pipe never fills.
    if process.stdout:
        process.stdout.close()
    server = FakesnowServer(host=host, port=port, process=process)
    _active_fakesnow = server
    return server


def active_fakesnow() -> FakesnowServer | None:
    """The server started last by ``start_fakesnow`` and not yet stopped."""
    return _active_fakesnow


# --------------------------------------------------------------- projects


def copy_project(src: Path, dest: Path) -> Path:
    """Copy a dbt project to ``dest`` and make its local package paths absolute.

    Build products (target/, dbt_packages/, logs/, *.duckdb) are not copied.
    Returns ``dest``.
    """
    src, dest = Path(src).resolve(), Path(dest)
    shutil.copytree(
        src,
        dest,
        ignore=shutil.ignore_patterns("target", "dbt_packages", "logs", "*.duckdb", "*.duckdb.wal", "package-lock.yml"),
    )
    packages_file = dest / "packages.yml"
    if packages_file.exists():
        packages = yaml.safe_load(packages_file.read_text()) or {}
        for package in packages.get("packages", []):
            local = package.get("local")
            if local and not Path(local).is_absolute():
                package["local"] = str((src / local).resolve())
        packages_file.write_text(yaml.safe_dump(packages, sort_keys=False))
    return dest


def _profile_name(project_dir: Path) -> str:
    """The project's `profile:`; a package has none, and is run with `--profile <its name>`."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    return project.get("profile") or project["name"]


def _database_name(project_dir: Path) -> str:
    """A database name unique to this project copy (fakesnow keeps all in one process)."""
    digest = hashlib.sha1(str(Path(project_dir).resolve()).encode()).hexdigest()[:12].upper()
    return f"DV_SPEC_{digest}"


def write_profiles(
    project_dir: Path, fakesnow: FakesnowServer | None = None, overrides: dict[str, Any] | None = None
) -> Path:
    """Write ``profiles.yml`` into the project for its profile; returns its path.

    ``overrides`` are merged into every target's output, e.g.
    ``{"account": "xy12345"}`` to compile the SQL production Snowflake gets
    (macros only take emulator branches when ``target.account == 'fakesnow'``).
    """
    project_dir = Path(project_dir)
    outputs: dict[str, Any] = {
        "duckdb": {
            "type": "duckdb",
            "path": str(project_dir / "fixture.duckdb"),
            "schema": "main",
            "threads": 1,
        }
    }
    if fakesnow is not None:
        outputs["fakesnow"] = {
            "type": "snowflake",
            "account": "fakesnow",
            "user": "fake",
            "password": "snow",
            "database": _database_name(project_dir),
            "schema": "DV",
            "host": fakesnow.host,
            "port": fakesnow.port,
            "protocol": "http",
            "threads": 1,
        }
    outputs[PARSE_TARGET] = {
        "type": "snowflake",
        "account": "xy12345",
        "user": "nobody",
        "password": "unused",
        "database": "DV_SPEC",
        "schema": "DV",
        "threads": 1,
    }
    for output in outputs.values():
        output.update(overrides or {})
    profiles = {_profile_name(project_dir): {"target": "duckdb", "outputs": outputs}}
    path = project_dir / "profiles.yml"
    path.write_text(yaml.safe_dump(profiles, sort_keys=False))
    return path


# -------------------------------------------------------------------- runs


@dataclass
class NodeResult:
    """One node of a dbt run: run_results.json joined with manifest.json."""

    unique_id: str
    name: str
    resource_type: str
    status: str
    failures: int | None = None
    message: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    test_name: str | None = None  # generic test macro, e.g. "hash_key_unique"
    compiled_code: str | None = None


@dataclass
class DbtResult:
    """What ``run_dbt`` returns."""

    args: list[str]
    target: str
    returncode: int
    output: str
    nodes: dict[str, NodeResult]

    @property
    def success(self) -> bool:
        return self.returncode == 0

    def by_name(self) -> dict[str, NodeResult]:
        return {node.name: node for node in self.nodes.values()}

    def status(self, name: str) -> str:
        """The status of the node called ``name`` (KeyError if it did not run)."""
        return self.by_name()[name].status

    def statuses(self, resource_type: str | None = None) -> dict[str, str]:
        """``{node name: status}``, optionally for one resource type ("test", "model", ...)."""
        return {
            node.name: node.status
            for node in self.nodes.values()
            if resource_type is None or node.resource_type == resource_type
        }


def run_dbt(
    project_dir: Path,
    args: list[str],
    target: str = "duckdb",
    *,
    fakesnow: FakesnowServer | None = None,
    env: dict[str, str] | None = None,
    profile_overrides: dict[str, Any] | None = None,
    check: bool = False,
    timeout: float = 600.0,
) -> DbtResult:
    """Run ``dbt <args>`` for ``project_dir`` against ``target`` and collect the results.

    target: "duckdb" or "fakesnow" (the server from ``start_fakesnow``, or
    ``fakesnow=``). Profiles are (re)written into the project first, with
    ``profile_overrides`` merged into the target's output. With
    ``check=True`` a non-zero exit raises AssertionError with dbt's output;
    by default the caller inspects ``returncode`` (dbt exits 1 when a test
    fails, which fixtures often expect).
    """
    project_dir = Path(project_dir)
    if target not in (*TARGETS, PARSE_TARGET):
        raise ValueError(f"target must be one of {(*TARGETS, PARSE_TARGET)}, got {target!r}")
    server = fakesnow or active_fakesnow()
    if target == "fakesnow" and server is None:
        raise RuntimeError("target 'fakesnow' needs a running server: use the fakesnow_server fixture or start_fakesnow()")
    write_profiles(project_dir, server, profile_overrides)

    run_results = project_dir / "target" / "run_results.json"
    if run_results.exists():
        run_results.unlink()
    dbt_args = [*args, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir), "--target", target]
    extra_env = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1", **(env or {})}
    if os.environ.get(SUBPROCESS_ENV):
        returncode, output = _run_subprocess(project_dir, dbt_args, extra_env, timeout)
    else:
        returncode, output = _run_in_process(project_dir, dbt_args, extra_env)
    result = DbtResult(args=list(args), target=target, returncode=returncode, output=output, nodes=_read_nodes(project_dir))
    if check and returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} on {target} exited {returncode}:\n{output}")
    return result


def _run_subprocess(project_dir: Path, dbt_args: list[str], extra_env: dict[str, str], timeout: float) -> tuple[int, str]:
    command = [str(_DBT) if _DBT.exists() else "dbt", *dbt_args]
    completed = subprocess.run(command, cwd=project_dir, env={**os.environ, **extra_env},
                               capture_output=True, text=True, timeout=timeout)
    return completed.returncode, completed.stdout + completed.stderr


def _run_in_process(project_dir: Path, dbt_args: list[str], extra_env: dict[str, str]) -> tuple[int, str]:
    """``dbt <args>`` through dbt's programmatic runner, with the exit code and console output the CLI gives.

    dbt's runner is made for sequential invocations in one process; what
    outlives one is reset here: the environment and working folder, the
    console capture, and dbt-duckdb's process-wide database handle (so that
    ``query`` and the next invocation open the file afresh).
    """
    import io

    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import capture_stdout_logs, stop_capture_stdout_logs

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    stream = io.StringIO()
    os.environ.update(extra_env)
    os.chdir(project_dir)
    capture_stdout_logs(stream)
    try:
        outcome = dbtRunner().invoke(dbt_args)
    finally:
        stop_capture_stdout_logs()
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        with DuckDBConnectionManager._LOCK:
            if DuckDBConnectionManager._ENV is not None:
                DuckDBConnectionManager._ENV.close()
                DuckDBConnectionManager._ENV = None
    output = stream.getvalue()
    if outcome.exception is not None:  # what the CLI prints, then exits 2
        return 2, f"{output}Encountered an error:\n{outcome.exception}\n"
    return (0 if outcome.success else 1), output


def _read_nodes(project_dir: Path) -> dict[str, NodeResult]:
    target_dir = project_dir / "target"
    run_results_path = target_dir / "run_results.json"
    if not run_results_path.exists():
        return {}
    run_results = json.loads(run_results_path.read_text())
    manifest_path = target_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest_nodes = manifest.get("nodes", {})
    nodes = {}
    for entry in run_results.get("results", []):
        unique_id = entry["unique_id"]
        node = manifest_nodes.get(unique_id, {})
        nodes[unique_id] = NodeResult(
            unique_id=unique_id,
            name=node.get("name") or unique_id.split(".")[2],
            resource_type=node.get("resource_type") or unique_id.split(".")[0],
            status=entry.get("status"),
            failures=entry.get("failures"),
            message=entry.get("message"),
            meta=(node.get("config") or {}).get("meta") or node.get("meta") or {},
            test_name=(node.get("test_metadata") or {}).get("name"),
            compiled_code=entry.get("compiled_code") or node.get("compiled_code"),
        )
    return nodes


def query(project_dir: Path, sql: str, target: str = "duckdb", *, fakesnow: FakesnowServer | None = None) -> list[tuple]:
    """Run one SQL statement in the database a project was built in; returns its rows.

    Use it after ``run_dbt`` (the profile names the database). DuckDB is
    opened read-only; fakesnow is reached through the Snowflake connector.
    """
    project_dir = Path(project_dir)
    if target == "duckdb":
        import duckdb

        with duckdb.connect(str(project_dir / "fixture.duckdb"), read_only=True) as connection:
            return connection.sql(sql).fetchall()
    if target != "fakesnow":
        raise ValueError(f"target must be one of {TARGETS}, got {target!r}")
    server = fakesnow or active_fakesnow()
    if server is None:
        raise RuntimeError("target 'fakesnow' needs a running server")
    import snowflake.connector

    connection = snowflake.connector.connect(
        account="fakesnow",
        user="fake",
        password="snow",
        host=server.host,
        port=server.port,
        protocol="http",
        database=_database_name(project_dir),
        schema="DV",
    )
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        connection.close()


def strip_ansi(text: str) -> str:
    """dbt's console output without colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
