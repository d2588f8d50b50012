"""One table of kinds (dv_spec_tool/core/kinds.json): Python, the macros and the
studio read the same table, and no module keeps a list of kinds of its own."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import threading
from pathlib import Path

from dv_spec_tool.core import kinds
from dv_spec_tool.core.dv_schema import DV_SCHEMA_PATH, kind_fields
from dv_spec_tool.core.jinja import MacroRunner, macros_root
from dv_spec_tool.importers.diagrams.conventions import DEFAULTS
from dv_spec_tool.interfaces.studio.server import STATIC, make_server

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "dv_spec_tool"
MACROS = Path(macros_root())
KIND_NAMES = "|".join(kinds.KINDS)
# three or more kind names in one tuple, list or set literal: a copy of (part of) the table
LIST_OF_KINDS = re.compile(r"""[(\[{]\s*(?:none,\s*)?(["'])(?:%s)\1(?:\s*,\s*(["'])(?:%s)\2){2,}""" % (KIND_NAMES, KIND_NAMES))


def test_the_macro_file_is_generated_from_the_table():
    written = (MACROS / kinds.MACRO_FILE).read_text(encoding="utf-8")
    assert written == kinds.macro_source(), "run `python -m dv_spec_tool.core.kinds` after editing dv_spec_tool/core/kinds.json"


def test_the_macros_return_the_table_in_its_order():
    runner = MacroRunner()
    table = runner.call("kinds")
    assert list(table) == list(kinds.KINDS)
    assert json.loads(json.dumps(table)) == kinds.TABLE
    assert runner.call("_kinds_where", "model") == list(kinds.MODEL_KINDS)
    assert runner.call("_kinds_where", "family", "link") == list(kinds.LINK_KINDS)


def test_the_studio_is_served_the_table(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "studio_project", project)
    server = make_server(str(project), 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        host, port = server.server_address
        connection = http.client.HTTPConnection(host, port, timeout=20)
        connection.request("GET", "/api/design", headers={"Host": f"127.0.0.1:{port}", "X-DV-Spec-Token": server.studio.token})
        model = json.loads(connection.getresponse().read())
        connection.close()
    finally:
        server.shutdown()
        server.server_close()
    assert model["kind_table"] == [{"kind": kind, **row} for kind, row in kinds.TABLE.items()]


def test_every_column_is_filled_for_every_kind():
    columns = set(json.loads(Path(kinds.TABLE_FILE).read_text(encoding="utf-8"))["columns"])
    for kind, row in kinds.TABLE.items():
        assert set(row) == columns, kind
        assert set(row["parents"]) <= set(kinds.KINDS), kind
        assert isinstance(row["rank"], int) and 0 <= row["rank"] <= 4, kind


def test_the_contract_and_the_diagram_conventions_know_every_kind():
    schema = json.loads(Path(DV_SCHEMA_PATH).read_text(encoding="utf-8"))
    assert set(schema["$defs"]["kind"]["enum"]) == set(kinds.KINDS)  # DV100's list of kinds
    assert set(kinds.KINDS) <= set(schema["$defs"])
    assert set(kinds.MODEL_KINDS) <= set(schema["$defs"]["settings"]["properties"]["naming"]["properties"])  # DV020
    assert set(kind_fields()) == set(kinds.KINDS)
    for key in ("prefixes", "containers", "kind_words"):
        assert set(kinds.DIAGRAM_KINDS) <= set(DEFAULTS[key]), key


def test_no_module_keeps_its_own_list_of_kinds():
    files = [*PACKAGE.rglob("*.py"), *MACROS.rglob("*.sql"), *Path(STATIC).glob("*.js"), *Path(STATIC).glob("*.html")]
    generated = (MACROS / kinds.MACRO_FILE).resolve()
    copies = []
    for path in files:
        if path.resolve() == generated:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if LIST_OF_KINDS.search(line):
                copies.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not copies, "read the kinds table (dv_spec_tool/core/kinds.py, dv_spec.kinds(), static/kinds.js) instead:\n" + \
        "\n".join(copies)


def test_the_grep_finds_a_copy():
    assert LIST_OF_KINDS.search('KINDS = ("hub", "link", "nh_link")')
    assert LIST_OF_KINDS.search("if (['sat', 'ma_sat', 'eff_sat'].includes(kind))")
    assert not LIST_OF_KINDS.search('if kind in ("link", "nh_link"):')
