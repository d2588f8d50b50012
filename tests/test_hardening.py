"""Safety properties a person relies on: writes are atomic even when killed,
YAML never constructs objects, hostile names never reach SQL, and generated
files do not depend on the order designs are written in. No database needed.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.files import write_atomic
from dv_spec_tool.core.project import load_project
from dv_spec_tool.generate.scaffold import plan
from dv_spec_tool.interfaces.cli import main
from dv_spec_tool.validate import validate

BASE = Path(__file__).parent / "fixtures" / "validate_base"


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "model.sql"
    target.write_text("what a person wrote\n")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(UsageError, match="cannot write: No space left on device"):
        write_atomic(str(target), "new content\n")
    assert target.read_text() == "what a person wrote\n"
    assert [p.name for p in tmp_path.iterdir()] == ["model.sql"]


WRITER = """
import sys
from dv_spec_tool.core.files import write_atomic
target = sys.argv[1]
size = 8_000_000
print("ready", flush=True)
while True:
    for letter in "AB":
        write_atomic(target, letter * size)
"""


def test_killed_writer_leaves_a_whole_file(tmp_path):
    """A run killed mid-write (SIGKILL, no cleanup) leaves the old or the new file, never half of one."""
    target = tmp_path / "big.sql"
    target.write_text("C" * 10)
    for delay in (0.05, 0.2, 0.5):
        process = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True)
        assert process.stdout.readline().strip() == "ready"
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        content = target.read_text()
        assert content and len(set(content)) == 1, "a half-written file"
        assert content in ("C" * 10, "A" * 8_000_000, "B" * 8_000_000)


def test_yaml_tags_never_construct_objects(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(BASE, project)
    marker = tmp_path / "pwned"
    (project / "models" / "evil.yml").write_text(
        f"models:\n  - name: x\n    meta: !!python/object/apply:os.system ['touch {marker}']\n")
    findings = validate(build_design(load_project(str(project))))
    assert not marker.exists()
    assert [f.rule for f in findings if f.file == "models/evil.yml"] == ["DV001"]


HOSTILE = [
    pytest.param("hash_key: provider_hk", "hash_key: \"provider_hk; drop table x --\"", "DV104", id="hash-key"),
    pytest.param("business_keys: [provider_npi]", "business_keys: [\"provider_npi) or (1=1\"]", "DV104", id="business-key"),
    pytest.param("record_source: CRM.PROVIDERS", "record_source: \"CRM'); drop table x; --\"", "DV107", id="record-source"),
    pytest.param("payload: [street, city]", "payload: [street, \"city\\\" from x; --\"]", "DV104", id="payload"),
    pytest.param("- model: ref_specialties", "- model: \"ref_specialties') }}{{ run_query('drop')\"", "DV104", id="jinja-in-model"),
    pytest.param("- source: crm.networks", "- source: \"crm.networks; drop\"", "DV106", id="source"),
]


def test_the_schema_and_python_hold_one_identifier_rule():
    from dv_spec_tool.core.dv_schema import DV_SCHEMA_PATH
    from dv_spec_tool.core.project import IDENTIFIER_PATTERN

    schema = json.loads(Path(DV_SCHEMA_PATH).read_text())
    assert schema["$defs"]["identifier"]["pattern"] == f"^{IDENTIFIER_PATTERN}$"


@pytest.mark.parametrize("old, new, rule", HOSTILE)
def test_hostile_names_are_refused_before_any_sql_is_written(tmp_path, capsys, old, new, rule):
    project = tmp_path / "project"
    shutil.copytree(BASE, project)
    design = project / "models" / "design.yml"
    text = design.read_text()
    assert text.count(old) == 1
    design.write_text(text.replace(old, new))
    assert rule in {f.rule for f in validate(build_design(load_project(str(project))))}
    assert main(["scaffold", "--project-dir", str(project)]) == 2
    assert "fix them first" in capsys.readouterr().err
    assert not list(project.rglob("*.sql"))


def test_generated_files_do_not_depend_on_entry_or_file_order(tmp_path):
    """The same design split over files differently, in another order, scaffolds the same models."""
    first = tmp_path / "first"
    shutil.copytree(BASE, first)
    second = tmp_path / "second"
    shutil.copytree(BASE, second)
    design = yaml.safe_load((BASE / "models" / "design.yml").read_text())
    models = design["models"]
    (second / "models" / "design.yml").write_text(yaml.safe_dump({"version": 2, "models": models[::-1][:5]}))
    (second / "models" / "a_more.yml").write_text(yaml.safe_dump({"version": 2, "models": models[::-1][5:]}))

    def generated(project):
        files = plan(build_design(load_project(str(project))))
        return {Path(p.path).name: p.content.split("\n", 3)[3] for p in files if p.kind == "model"}

    assert generated(first) == generated(second)
