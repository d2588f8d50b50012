"""docs/new-project.md, followed literally: every file it marks is written and
every command it marks is run, in order, in an empty folder, and the outputs
it shows must appear. The page's conventions (stated at its top):

* `<!-- file: PATH -->` before a fenced block: write the block to PATH;
* `<!-- run -->` before a fenced block: run it with bash (-euo pipefail) in
  the folder;
* `<!-- output -->` before a fenced block: every line of it appears in the
  output of the run block before it.

The commands find `dv-spec` and `dbt` of this environment first on PATH, and
the local checkouts through DV_SPEC_DIR (this repository),
DV_SPEC_AUTOMATE_DV_DIR and DV_SPEC_DBT_UTILS_DIR (tests/packages.py).
Builds on DuckDB.
"""

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

import harness
import packages

PAGE = harness.REPO_ROOT / "docs" / "new-project.md"
MARKER = re.compile(r"^<!-- (file: (?P<path>\S+)|(?P<kind>run|output)) -->$")


@dataclass
class Step:
    kind: str  # "file", "run" or "output"
    body: str
    line: int
    path: str = ""


def steps(text: str) -> list[Step]:
    """The marked blocks of the page, in order; a marker must be followed by a fenced block."""
    lines = text.splitlines()
    found = []
    for number, line in enumerate(lines):
        match = MARKER.match(line.strip())
        if not match:
            continue
        fence = lines[number + 1] if number + 1 < len(lines) else ""
        assert fence.startswith("```"), f"{PAGE.name}:{number + 2}: a marker must be followed by a fenced block"
        end = next(i for i in range(number + 2, len(lines)) if lines[i].startswith("```"))
        body = "\n".join(lines[number + 2:end]) + "\n"
        found.append(Step("file" if match.group("path") else match.group("kind"), body, number + 1,
                          match.group("path") or ""))
    return found


def test_the_page_marks_what_it_runs():
    kinds = [step.kind for step in steps(PAGE.read_text())]
    assert kinds.count("file") >= 8 and kinds.count("run") >= 6
    assert kinds[0] == "file", "the page starts by writing files"


def test_the_page_pins_the_documented_version_ranges():
    files = {step.path: step.body for step in steps(PAGE.read_text()) if step.kind == "file"}
    listed = {entry.get("package") or entry.get("git"): entry for entry in yaml.safe_load(files["packages.yml"])["packages"]}
    assert listed["Datavault-UK/automate_dv"]["version"] == [">=0.11.5", "<0.12.0"]
    assert any("revision" in entry for key, entry in listed.items() if key.endswith("dv-spec.git"))


def test_following_the_page_builds_tests_and_checks_a_vault(tmp_path):
    automate_dv, dbt_utils = packages.require_automate_dv()
    folder = tmp_path / "my_vault"
    folder.mkdir()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DV_SPEC_DIR": str(harness.REPO_ROOT),
        packages.AUTOMATE_DV_ENV: str(automate_dv.path),
        packages.DBT_UTILS_ENV: str(dbt_utils.path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    env.pop("DBT_PROFILES_DIR", None)
    output = None
    for step in steps(PAGE.read_text()):
        where = f"{PAGE.name}:{step.line}"
        if step.kind == "file":
            target = folder / step.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(step.body)
        elif step.kind == "run":
            completed = subprocess.run(["bash", "-euo", "pipefail", "-c", step.body], cwd=folder, env=env,
                                       capture_output=True, text=True, timeout=600)
            output = harness.strip_ansi(completed.stdout + completed.stderr)
            assert completed.returncode == 0, f"{where}: exited {completed.returncode}\n{step.body}\n{output[-4000:]}"
        else:
            assert output is not None, f"{where}: an output block must follow a run block"
            shown = [line.rstrip() for line in output.splitlines()]
            for expected in filter(None, (line.rstrip() for line in step.body.splitlines())):
                assert expected in shown, f"{where}: `{expected}` is not in the output:\n{output[-4000:]}"
