"""The studio server without a browser: loopback only, other origins and
requests without the session token refused, bad input answered with one
clear error, edits written through design_edit, positions in a side file."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import threading
from pathlib import Path

import pytest
import yaml

from dv_spec_tool.interfaces.studio.server import make_server

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "studio_project"


@pytest.fixture()
def studio(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(FIXTURE, project)
    server = make_server(str(project), 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server, project
    finally:
        server.shutdown()
        server.server_close()


def request(server, method, path, body=None, headers=None, token=True, raw=None):
    host, port = server.server_address
    connection = http.client.HTTPConnection(host, port, timeout=20)
    sent = {"Host": f"127.0.0.1:{port}"}
    if token:
        sent["X-DV-Spec-Token"] = server.studio.token
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    sent.update(headers or {})
    connection.request(method, path, body=data, headers=sent)
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    kind = response.getheader("Content-Type", "")
    return response.status, (json.loads(raw) if kind.startswith("application/json") else raw.decode()), response


HUB = {"kind": "hub", "subject_area": "sales", "hash_key": "customer_hk", "business_keys": ["customer_id"],
       "sources": [{"model": "raw_customers"}]}


def test_binds_to_loopback_and_serves_the_page_only_with_the_token(studio):
    server, _ = studio
    assert server.server_address[0] == "127.0.0.1"
    assert server.url.startswith(f"http://127.0.0.1:{server.server_address[1]}/?token=")
    status, page, response = request(server, "GET", f"/?token={server.studio.token}", token=False)
    assert status == 200 and f'content="{server.studio.token}"' in page
    assert "script-src 'self'" in response.getheader("Content-Security-Policy")
    assert response.getheader("X-Frame-Options") == "DENY"
    status, page, _ = request(server, "GET", "/", token=False)
    assert status == 403 and server.studio.token not in page


@pytest.mark.parametrize("headers, token, fragment", [
    pytest.param({"Host": "evil.example:80"}, True, "answers only to", id="dns_rebinding_host"),
    pytest.param({"Origin": "http://evil.example"}, True, "requests from http://evil.example", id="foreign_origin"),
    pytest.param({"Sec-Fetch-Site": "cross-site"}, True, "cross-site", id="cross_site_fetch"),
    pytest.param({}, False, "session token", id="no_token"),
    pytest.param({"X-DV-Spec-Token": "guess"}, False, "session token", id="wrong_token"),
])
def test_other_origins_and_missing_tokens_are_refused(studio, headers, token, fragment):
    server, project = studio
    before = sorted(p.name for p in (project / "models").rglob("*"))
    status, body, _ = request(server, "POST", "/api/entities", {"name": "hub_customer", "dv": HUB},
                              headers=headers, token=token)
    assert status == 403 and fragment in body["error"]
    assert sorted(p.name for p in (project / "models").rglob("*")) == before


def test_same_origin_requests_work_from_either_loopback_name(studio):
    server, _ = studio
    port = server.server_address[1]
    status, body, _ = request(server, "GET", "/api/design", headers={"Host": f"localhost:{port}",
                                                                     "Origin": f"http://localhost:{port}"})
    assert status == 200 and [e["name"] for e in body["entities"]] == ["hub_store"]


@pytest.mark.parametrize("path", ["/static/../server.py", "/static/index.html?x", "/static/nope.js", "/etc/passwd"])
def test_only_the_page_files_are_served(studio, path):
    server, _ = studio
    status, _, _ = request(server, "GET", path)
    assert status == 404


def test_design_model_lists_sources_files_and_kind_fields(studio):
    server, _ = studio
    status, model, _ = request(server, "GET", "/api/design")
    assert status == 200
    assert {n["name"]: n["columns"] for n in model["nodes"]}["raw_orders"] == [
        "order_id", "customer_id", "sku", "quantity", "load_datetime"]
    assert model["files"] == ["models/crm/_crm__design.yml"]
    assert [f["key"] for f in model["kinds"]["hub"]["fields"]] == [
        "subject_area", "owner", "ghost_record", "hash_key", "business_keys", "sources"]
    assert model["counts"] == {"error": 0, "warning": 0, "info": 0}


def test_create_update_connect_and_move(studio):
    server, project = studio
    status, model, _ = request(server, "POST", "/api/entities",
                               {"name": "hub_customer", "description": "A customer.", "dv": HUB, "x": 900, "y": 100})
    assert status == 200, model
    assert model["message"] == "added `hub_customer` to models/sales/_sales__design.yml"
    entity = {e["name"]: e for e in model["entities"]}["hub_customer"]
    assert (entity["x"], entity["y"], entity["placed"]) == (900, 100, True)

    sat = {"kind": "sat", "subject_area": "sales", "hashdiff": "customer_hashdiff", "payload": ["name", "email"],
           "sources": [{"model": "raw_customers"}]}
    status, model, _ = request(server, "POST", "/api/entities", {"name": "sat_customer", "dv": sat})
    found = {e["name"]: e for e in model["entities"]}["sat_customer"]
    assert found["errors"] >= 1 and any(f["rule"] == "DV102" for f in found["findings"])  # no parent yet

    status, model, _ = request(server, "POST", "/api/connect", {"from": "hub_customer", "to": "sat_customer"})
    assert status == 200, model
    assert model["counts"]["error"] == 0
    assert {"from": "sat_customer", "to": "hub_customer", "relation": "parent"} in model["edges"]

    entity = {e["name"]: e for e in model["entities"]}["hub_customer"]
    changed = dict(entity["dv"], owner="sales-team")
    status, model, _ = request(server, "PUT", "/api/entities/hub_customer",
                               {"dv": changed, "description": "A customer.", "version": entity["version"]})
    assert status == 200
    status, body, _ = request(server, "PUT", "/api/entities/hub_customer",
                              {"dv": entity["dv"], "version": entity["version"]})
    assert status == 409 and "changed since it was loaded" in body["error"]

    status, _, _ = request(server, "PUT", "/api/layout", {"positions": {"sat_customer": {"x": 900.4, "y": 260}}})
    assert status == 200
    layout = (project / ".dv-spec" / "layout.json").read_text()
    assert json.loads(layout) == {"version": 1, "positions": {"hub_customer": {"x": 900, "y": 100},
                                                               "sat_customer": {"x": 900, "y": 260}}}
    written = yaml.safe_load((project / "models/sales/_sales__design.yml").read_text())
    assert [m["name"] for m in written["models"]] == ["hub_customer", "sat_customer"]
    assert written["models"][0]["config"]["meta"]["dv"]["owner"] == "sales-team"
    assert written["models"][1]["config"]["meta"]["dv"]["parent"] == "hub_customer"


@pytest.mark.parametrize("method, path, body, status, fragment", [
    pytest.param("POST", "/api/entities", {"name": "hub store", "dv": HUB}, 400, "not a plain SQL identifier", id="bad_name"),
    pytest.param("POST", "/api/entities", {"name": "hub_x", "dv": {"kind": "hubb"}}, 400, "unknown kind", id="bad_kind"),
    pytest.param("POST", "/api/entities", {"name": "hub_store", "dv": HUB}, 400, "exists already", id="taken"),
    pytest.param("POST", "/api/entities", {"name": "hub_x", "dv": HUB, "file": "../../x.yml"}, 400, "without `.` or `..`",
                 id="escape"),
    pytest.param("PUT", "/api/entities/hub_nope", {"dv": HUB}, 400, "no design entity named `hub_nope`", id="unknown"),
    pytest.param("POST", "/api/connect", {"from": "hub_store", "to": "hub_store"}, 400, "two different shapes", id="self"),
    pytest.param("PUT", "/api/layout", {"positions": {"hub_store": {"x": "left"}}}, 400, "must be", id="bad_position"),
    pytest.param("DELETE", "/api/nothing", {}, 404, "no such API call", id="no_route"),
])
def test_bad_input_gets_one_clear_error(studio, method, path, body, status, fragment):
    server, project = studio
    before = (project / "models/crm/_crm__design.yml").read_text()
    got, answer, _ = request(server, method, path, body)
    assert got == status and fragment in answer["error"]
    assert "Traceback" not in answer["error"]
    assert (project / "models/crm/_crm__design.yml").read_text() == before


@pytest.mark.parametrize("depth, fragment", [
    pytest.param(150, "nested deeper than 100 levels", id="deeper-than-a-design"),
    pytest.param(100_000, "nested too deeply to read", id="deeper-than-the-stack"),
])
def test_a_deeply_nested_body_is_refused(studio, depth, fragment):
    server, project = studio
    before = (project / "models/crm/_crm__design.yml").read_text()
    body = '{"name": "hub_deep", "dv": {"kind": "hub", "x": ' + "[" * depth + "]" * depth + "}}"
    status, answer, _ = request(server, "POST", "/api/entities", headers={"Content-Type": "application/json"},
                                raw=body.encode())
    assert status == 400 and fragment in answer["error"]
    assert (project / "models/crm/_crm__design.yml").read_text() == before


def test_a_layout_file_nested_too_deeply_is_one_line(tmp_path):
    from dv_spec_tool.core.errors import UsageError
    from dv_spec_tool.interfaces.studio.layout import read_positions

    (tmp_path / ".dv-spec").mkdir()
    (tmp_path / ".dv-spec" / "layout.json").write_text('{"positions": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(UsageError, match=r"layout.json: cannot be read \(nested too deeply to read\); fix it or delete it"):
        read_positions(str(tmp_path))


def test_a_body_that_is_not_json_is_refused(studio):
    server, _ = studio
    status, body, _ = request(server, "POST", "/api/entities", headers={"Content-Type": "text/plain"}, body=None)
    assert status == 400 and "JSON body" in body["error"]


def test_the_command_prints_its_address_and_serves_until_stopped(tmp_path):
    import signal
    import subprocess
    import sys
    import urllib.request

    project = tmp_path / "shop"
    shutil.copytree(FIXTURE, project)
    # Ctrl-C as in a terminal: a suite started in the background by a non-interactive shell (as CI may be)
    # inherits SIGINT ignored, and the server would never see the signal below.
    process = subprocess.Popen([sys.executable, "-m", "dv_spec_tool", "studio", "--project-dir", str(project),
                                "--port", "0", "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = process.stdout.readline()
        assert first.startswith("dv-spec studio: http://127.0.0.1:"), first + process.stderr.read()
        url = first.split(": ", 1)[1].strip()
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200 and b"dv-spec studio" in response.read()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0 and "stopped" in out and "Traceback" not in err


@pytest.mark.parametrize("args, message", [
    pytest.param(["--project-dir", "/no/such/project"], "no such directory", id="no_project"),
    pytest.param(["--port", "70000"], "between 0 and 65535", id="bad_port"),
])
def test_command_errors_are_one_line(args, message, capsys):
    from dv_spec_tool.interfaces import cli

    assert cli.main(["studio", "--no-browser", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


# ------------------------------------------------------------------ files as they were, bodies never a 500

def raw_request(server, method, path, data: bytes, content_type="application/json", length=None):
    host, port = server.server_address
    connection = http.client.HTTPConnection(host, port, timeout=30)
    headers = {"Host": f"127.0.0.1:{port}", "X-DV-Spec-Token": server.studio.token, "Content-Type": content_type,
               "Content-Length": str(len(data) if length is None else length)}
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    except (BrokenPipeError, ConnectionResetError):
        return None, b""  # the server refused before reading it all
    finally:
        connection.close()


FUZZ_BODIES = [
    pytest.param(b"[" * 200_000 + b"]" * 200_000, id="nested_200000_deep"),
    pytest.param(b'{"dv": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_001, id="nested_objects"),
    pytest.param(b'{"name": "hub_x", "dv": ' + b"[" * 900 + b"]" * 900 + b"}", id="nested_dv"),
    pytest.param(b'{"name": "' + b"x" * 1_100_000 + b'"}', id="huge"),
    pytest.param(b"\xff\xfe\xfa not utf-8", id="invalid_utf8"),
    pytest.param(b'{"name": "hub_\xed\xa0\x80"}', id="surrogate_utf8"),
    pytest.param(b"null", id="null"),
    pytest.param(b'"text"', id="string"),
    pytest.param(b"[1, 2]", id="list"),
    pytest.param(b'{"name": 5, "dv": "hub", "x": "left", "y": null}', id="wrong_types"),
    pytest.param(b'{"name": ["hub_x"], "dv": {"kind": ["hub"]}}', id="list_name"),
    pytest.param(b'{"name": "hub_x", "dv": {"kind": "hub", "sources": "raw", "business_keys": {"a": 1}}}', id="bad_dv"),
    pytest.param(b'{"name": "hub_x", "dv": {"kind": "hub"}, "file": {"path": 1}}', id="file_not_text"),
    pytest.param(b'{"name": "hub_x", "dv": {"kind": "hub"}, "description": 7}', id="description_not_text"),
    pytest.param(b'{"to": 12, "version": [], "from": {}, "positions": [1], "reset": "yes", "confirmed": 1}', id="junk"),
    pytest.param(b'{"name": "hub_x", "dv": {"kind": "hub"}, "x": 1e400, "y": NaN}', id="not_finite"),
    pytest.param(b'{"a": 1} trailing', id="trailing"),
    pytest.param(b"", id="empty"),
]
FUZZ_ROUTES = [("POST", "/api/entities"), ("PUT", "/api/entities/hub_store"), ("DELETE", "/api/entities/hub_store"),
               ("POST", "/api/entities/hub_store/rename"), ("POST", "/api/connect"), ("PUT", "/api/layout"),
               ("POST", "/api/impact"), ("POST", "/api/undo"), ("POST", "/api/redo")]


@pytest.mark.parametrize("data", FUZZ_BODIES)
def test_no_body_gives_a_500(studio, data):
    server, project = studio
    before = (project / "models/crm/_crm__design.yml").read_bytes()
    for method, path in FUZZ_ROUTES:
        status, answer = raw_request(server, method, path, data)
        assert status is None or 400 <= status < 500 or status == 200, (method, path, status, answer[:300])
        if status and status >= 400:
            assert b"Traceback" not in answer and b"internal error" not in answer
    # every route still answers afterwards, and the hub, if still there, is as written
    status, _ = raw_request(server, "GET", "/api/design", b"")
    assert status == 200
    if b"hub_store" in (project / "models/crm/_crm__design.yml").read_bytes():
        assert (project / "models/crm/_crm__design.yml").read_bytes() == before


@pytest.mark.parametrize("length", ["-1", "abc", "99999999999"])
def test_bad_content_lengths_are_refused(studio, length):
    server, _ = studio
    status, answer = raw_request(server, "POST", "/api/entities", b"{}", length=length)
    assert status in (None, 400, 413), answer


def test_a_crlf_schema_file_keeps_crlf_through_ten_edits(studio):
    server, project = studio
    crm = project / "models/crm/_crm__design.yml"
    crm.write_bytes(crm.read_bytes().replace(b"\n", b"\r\n"))
    crm.chmod(0o640)
    for number in range(10):
        _, model, _ = request(server, "GET", "/api/design")
        hub = {e["name"]: e for e in model["entities"]}["hub_store"]
        dv = dict(hub["dv"], owner=f"team-{number}")
        if number % 3 == 2:
            dv["business_keys"] = ["store_code", f"region_{number}"]
        status, answer, _ = request(server, "PUT", "/api/entities/hub_store",
                                    {"dv": dv, "description": f"A shop ({number}).", "version": hub["version"]})
        assert status == 200, answer
    status, answer, _ = request(server, "POST", "/api/entities", {"name": "sat_store", "file": "models/crm/_crm__design.yml",
                                "dv": {"kind": "sat", "parent": "hub_store", "payload": ["city"],
                                       "sources": [{"model": "raw_stores"}]}})
    assert status == 200, answer
    data = crm.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") > 20
    assert b"# aligned comment, keep me" in data and b"owner: team-9" in data
    assert crm.stat().st_mode & 0o777 == 0o640


def test_new_files_get_the_usual_mode(studio):
    server, project = studio
    status, answer, _ = request(server, "POST", "/api/entities", {"name": "hub_customer", "dv": HUB})
    assert status == 200, answer
    umask = os.umask(0)
    os.umask(umask)
    assert (project / "models/sales/_sales__design.yml").stat().st_mode & 0o777 == 0o666 & ~umask
    status, _, _ = request(server, "PUT", "/api/layout", {"positions": {"hub_store": {"x": 1, "y": 2}}})
    assert (project / ".dv-spec/layout.json").stat().st_mode & 0o777 == 0o666 & ~umask


# ------------------------------------------------------------------ undo, redo, confirmations

def test_undo_and_redo_put_the_files_back_exactly(studio):
    server, project = studio
    crm = project / "models/crm/_crm__design.yml"
    original = crm.read_bytes()
    request(server, "POST", "/api/entities", {"name": "hub_customer", "dv": HUB, "x": 10, "y": 20})
    _, model, _ = request(server, "GET", "/api/design")
    hub = {e["name"]: e for e in model["entities"]}["hub_store"]
    status, model, _ = request(server, "PUT", "/api/entities/hub_store",
                               {"dv": dict(hub["dv"], owner="ops"), "version": hub["version"]})
    assert status == 200, model
    assert model["history"]["undo"] == "edit hub_store"
    edited = crm.read_bytes()
    status, model, _ = request(server, "POST", "/api/undo", {})
    assert status == 200 and model["message"] == "undid: edit hub_store" and crm.read_bytes() == original
    assert model["history"]["redo"] == "edit hub_store"
    status, model, _ = request(server, "POST", "/api/undo", {})
    assert model["message"] == "undid: add hub_customer"
    assert not (project / "models/sales/_sales__design.yml").exists() and not (project / ".dv-spec/layout.json").exists()
    status, model, _ = request(server, "POST", "/api/redo", {})
    assert (project / "models/sales/_sales__design.yml").exists()
    status, model, _ = request(server, "POST", "/api/redo", {})
    assert crm.read_bytes() == edited
    status, body, _ = request(server, "POST", "/api/redo", {})
    assert status == 400 and body["error"] == "nothing to redo"
    # a file changed in an editor meanwhile: the undo is refused and nothing is written
    crm.write_bytes(edited.replace(b"owner: ops", b"owner: hand"))
    status, body, _ = request(server, "POST", "/api/undo", {})
    assert status == 409 and "changed since `edit hub_store`" in body["error"]
    assert b"owner: hand" in crm.read_bytes()


def test_destructive_edits_ask_first_and_name_what_they_affect(studio):
    server, project = studio
    sat = {"kind": "sat", "parent": "hub_store", "hashdiff": "store_hashdiff", "payload": ["city"],
           "sources": [{"model": "raw_stores"}]}
    request(server, "POST", "/api/entities", {"name": "sat_store", "dv": sat, "file": "models/crm/_crm__design.yml"})
    request(server, "POST", "/api/entities", {"name": "hub_customer", "dv": HUB})
    status, body, _ = request(server, "DELETE", "/api/entities/hub_store", {})
    assert status == 409 and "sat_store (sat, parent)" in body["confirm"]
    assert "hub_store" in (project / "models/crm/_crm__design.yml").read_text()
    status, body, _ = request(server, "POST", "/api/connect", {"from": "hub_customer", "to": "sat_store"})
    assert status == 409 and "`sat_store` hangs off `hub_store` now" in body["confirm"]
    status, body, _ = request(server, "POST", "/api/connect", {"from": "hub_customer", "to": "sat_store", "confirmed": True})
    assert status == 200 and {"from": "sat_store", "to": "hub_customer", "relation": "parent"} in body["edges"]
    request(server, "PUT", "/api/layout", {"positions": {"hub_store": {"x": 1, "y": 2}}})
    status, body, _ = request(server, "PUT", "/api/layout", {"reset": True})
    assert status == 409 and "forgets the 1 position(s)" in body["confirm"]
    assert (project / ".dv-spec/layout.json").exists()
    status, body, _ = request(server, "POST", "/api/impact", {"action": "rename", "name": "hub_store", "to": "hub_shop"})
    assert status == 200 and body["design_changes"] == {} and body["physical"] == {"hash_key": "shop_hk"}
    assert any("a new table `hub_shop`" in line for line in body["implications"])


def test_a_file_with_a_byte_order_mark_keeps_it(studio):
    server, project = studio
    crm = project / "models/crm/_crm__design.yml"
    crm.write_bytes(b"\xef\xbb\xbf" + crm.read_bytes())
    _, model, _ = request(server, "GET", "/api/design")
    hub = {e["name"]: e for e in model["entities"]}["hub_store"]
    status, answer, _ = request(server, "PUT", "/api/entities/hub_store",
                                {"dv": dict(hub["dv"], owner="ops"), "version": hub["version"]})
    assert status == 200, answer
    data = crm.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2) and b"owner: ops" in data
