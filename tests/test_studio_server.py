"""The studio server without a browser: loopback only, other origins and
requests without the session token refused, bad input answered with one
clear error, edits written through design_edit, positions in a side file."""

from __future__ import annotations

import http.client
import json
import shutil
import threading
from pathlib import Path

import pytest
import yaml

from dv_spec_tool.studio.server import make_server

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


def request(server, method, path, body=None, headers=None, token=True):
    host, port = server.server_address
    connection = http.client.HTTPConnection(host, port, timeout=20)
    sent = {"Host": f"127.0.0.1:{port}"}
    if token:
        sent["X-DV-Spec-Token"] = server.studio.token
    data = None
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
    from dv_spec_tool import cli

    assert cli.main(["studio", "--no-browser", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
