"""`dv-spec export mermaid|lucidchart|drawio`, and the round trip: the
provider-network sample exported and imported again gives back the
diagram-representable part of its design (sources are not in a diagram)."""

import csv
import io
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.project import load_project
from dv_spec_tool.importers.diagrams.lucidchart import INFORMATION_SCHEMA
from dv_spec_tool.importers.diagrams.mermaid import mermaid_of_design
from dv_spec_tool.interfaces.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "integration_tests"
EXTENSIONS = {"mermaid": "mmd", "lucidchart": "csv", "drawio": "drawio", "lucid": "lucid"}

# What a diagram can say about an entity (sources, descriptions, owners are not drawn).
DRAWN = ("kind", "hash_key", "business_keys", "hubs", "dependent_keys", "parent", "hashdiff", "payload",
         "multi_active_keys", "effective_from", "driving_keys", "start_date", "end_date", "reference_keys", "hub",
         "satellites", "links", "effectivity_satellites", "as_of_dates")

# Lucidchart's ERD import CSV is an information-schema query result: it has
# primary, foreign and unique keys and nothing else, so these come back as
# TODOs (or, for the effective-from column, as a payload column with a TODO).
LUCIDCHART_LOSES = {
    ("eff_sat_provider_network", "driving_keys"): [],
    ("pit_provider", "as_of_dates"): None,
    ("bridge_provider_network", "as_of_dates"): None,
    ("ma_sat_provider_address", "effective_from"): None,
    ("ma_sat_provider_address", "payload"): ["street", "city", "state", "zip", "effective_date"],
}


def run(capsys, *args):
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    return code, out, err


def drawn(design) -> dict:
    return {name: {key: entry.dv.get(key) for key in DRAWN}
            for name, entry in design.entities.items() if entry.dv["kind"] != "stage"}


@pytest.fixture(scope="module")
def sample_design():
    return build_design(load_project(str(SAMPLE)))


@pytest.mark.parametrize("fmt", ["mermaid", "drawio", "lucidchart", "lucid"])
def test_sample_exported_and_imported_again_gives_back_its_design(capsys, tmp_path, sample_design, fmt):
    diagram = tmp_path / f"sample.{EXTENSIONS[fmt]}"
    code, _, err = run(capsys, "export", fmt, "--project-dir", SAMPLE, "--out", diagram)
    assert code == 0 and not err
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs", "*.duckdb"))
    for design_file in project.glob("models/**/_*__design.yml"):
        design_file.unlink()
    reader = "lucidchart" if fmt == "lucid" else fmt  # a .lucid file imports with `import lucidchart`
    code, out, err = run(capsys, "import", reader, diagram, "--project-dir", project, "--into", "models/imported.yml")
    assert not err, err
    expected = drawn(sample_design)
    if fmt == "lucidchart":
        for (name, key), value in LUCIDCHART_LOSES.items():
            expected[name][key] = value
        assert "TODO eff_sat_provider_network: driving_keys:" in out
        assert "TODO pit_provider: as_of_dates:" in out
        assert "TODO ma_sat_provider_address: payload: is effective_date the effective-from column" in out
    assert drawn(build_design(load_project(str(project)))) == expected


def test_mermaid_is_an_er_diagram_with_keys_roles_and_relationships(capsys):
    code, out, _ = run(capsys, "export", "mermaid", "--project-dir", SAMPLE)
    assert code == 0 and out.startswith("erDiagram\n")
    assert ("    %% dv: hub_provider hub\n    hub_provider {\n        binary provider_hk PK \"hash key\"\n"
            "        varchar provider_npi UK \"business key\"\n        timestamp load_datetime\n"
            "        varchar record_source\n    }\n") in out
    assert '        binary provider_address_hashdiff "hashdiff"\n' in out
    assert '        varchar address_type PK "multi-active key"\n' in out
    assert '        binary provider_hk FK "driving key"\n' in out
    assert '    hub_provider ||--o{ nh_link_referral : "referring_provider_hk"\n' in out
    assert '    hub_provider ||--o{ nh_link_referral : "referred_provider_hk"\n' in out
    assert out.count("||--o{") == 18


def test_mermaid_generator_is_a_plain_function(sample_design):
    text = mermaid_of_design(sample_design.resolve(), {"hub_provider", "sat_provider_details"})
    assert text.splitlines()[0] == "erDiagram"
    assert "sat_provider_details {" in text and "hub_network" not in text
    assert '    hub_provider ||--o{ sat_provider_details : "provider_hk"\n' in text


def test_lucidchart_csv_has_the_erd_import_columns(capsys):
    code, out, _ = run(capsys, "export", "lucidchart", "--project-dir", SAMPLE)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(csv.reader(io.StringIO(out)).__next__()) == INFORMATION_SCHEMA
    link = [r for r in rows if r["TABLE_NAME"] == "nh_link_referral"]
    assert {(r["COLUMN_NAME"], r["CONSTRAINT_TYPE"], r["FK_TABLE_NAME"], r["FK_COLUMN_NAME"]) for r in link if r["CONSTRAINT_TYPE"]} == {
        ("referral_hk", "PRIMARY KEY", "", ""), ("referring_provider_hk", "FOREIGN KEY", "hub_provider", "provider_hk"),
        ("referred_provider_hk", "FOREIGN KEY", "hub_provider", "provider_hk"), ("referral_id", "UNIQUE", "", "")}
    hub = [r for r in rows if r["TABLE_NAME"] == "hub_provider"]
    assert hub[0]["DATA_TYPE"] == "binary" and hub[0]["CHARACTER_MAXIMUM_LENGTH"] == "16"
    assert {r["TABLE_SCHEMA"] for r in rows} == {"hubs", "links", "non-historised links", "satellites",
                                                 "multi-active satellites", "effectivity satellites",
                                                 "reference tables", "point-in-time tables", "bridges"}
    assert all(r["dbms"] == "postgresql" and r["TABLE_CATALOG"] == "dv_spec_integration_tests" for r in rows)


def test_drawio_colours_kinds_and_lays_them_out_by_role(capsys):
    code, out, _ = run(capsys, "export", "drawio", "--project-dir", SAMPLE)
    root = ElementTree.fromstring(out)
    tables, boxes = {}, {}
    for element in root.iter("object"):
        cell = element.find("mxCell")
        style = dict(part.split("=", 1) for part in cell.get("style").split(";") if "=" in part)
        geometry = cell.find("mxGeometry")
        tables[element.get("label")] = (element.get("dv_type"), style["fillColor"], float(geometry.get("x")),
                                        float(geometry.get("y")))
        boxes[element.get("label")] = [float(geometry.get(k)) for k in ("x", "y", "width", "height")]
    colours = {kind: fill for kind, fill, _, _ in tables.values()}
    assert colours["hub"] == "#dae8fc" and colours["link"] == "#d5e8d4" and colours["sat"] == "#fff2cc"
    assert len({colours["hub"], colours["link"], colours["sat"]}) == 3
    hubs = [t for t in tables.values() if t[0] == "hub"]
    assert len({y for *_, y in hubs}) == 1  # hubs in one row
    links = [t for t in tables.values() if t[0] in ("link", "nh_link")]
    assert all(y > hubs[0][3] for *_, y in links)  # links below the hubs
    hub_x = tables["hub_provider"][2]
    assert tables["sat_provider_details"][2] > hub_x and tables["sat_provider_details"][3] == tables["hub_provider"][3]
    def overlap(a, b):
        return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]

    assert not [(a, b) for a in boxes for b in boxes if a < b and overlap(boxes[a], boxes[b])]
    for link in ("link_provider_agreement", "link_provider_network"):  # below and between their hubs
        assert tables["hub_agreement"][2] < tables[link][2] <= tables["hub_provider"][2]


def test_select_and_out(capsys, tmp_path):
    target = tmp_path / "provider.mmd"
    code, out, _ = run(capsys, "export", "mermaid", "--project-dir", SAMPLE, "--select", "hub_provider,sat_provider_details",
                       "--out", target)
    assert code == 0 and out == ""
    text = target.read_text()
    assert "hub_provider {" in text and "sat_provider_details {" in text and "hub_network" not in text


@pytest.mark.parametrize("fmt", ["mermaid", "lucidchart", "drawio"])
def test_export_is_deterministic(capsys, fmt):
    first = run(capsys, "export", fmt, "--project-dir", SAMPLE)[1]
    assert run(capsys, "export", fmt, "--project-dir", SAMPLE)[1] == first


def test_entities_with_errors_are_skipped_and_said(capsys, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests" / "fixtures" / "validate_base", project)
    design = project / "models" / "design.yml"
    design.write_text(design.read_text().replace("hubs: [hub_provider, hub_network]", "hubs: [hub_provider]"))
    code, out, err = run(capsys, "export", "mermaid", "--project-dir", project)
    assert code == 1 and "skipped link_provider_network: its design has errors" in err
    assert "link_provider_network {" not in out and "hub_provider {" in out


def _as_document_contents(standard_import: dict) -> dict:
    """What Lucid's Get Document Contents returns for a document made from a Standard Import file, as its
    reference documents the response (pages with `items`; shapes with `class`, `textAreas` and `customData`;
    line endpoints `connectedTo` a shape). Built here because nothing can reach lucid.app from the tests."""
    pages = []
    for index, page in enumerate(standard_import["pages"]):
        shapes = [{"id": s["id"], "class": "DefaultSquareBlock", "textAreas": [{"label": "Text", "text": s["text"]}],
                   "customData": s.get("customData", []), "linkedData": []} for s in page["shapes"]]
        lines = [{"id": line["id"], "class": "Line", "textAreas": [], "customData": [], "linkedData": [],
                  "endpoint1": {"style": "None", "connectedTo": line["endpoint1"]["shapeId"]},
                  "endpoint2": {"style": "Arrow", "connectedTo": line["endpoint2"]["shapeId"]}} for line in page["lines"]]
        pages.append({"id": page["id"], "title": page["title"], "index": index,
                      "items": {"shapes": shapes, "lines": lines, "groups": [], "layers": []},
                      "customData": [], "linkedData": []})
    return {"id": "8e7b19ec-27ff-40e3-beb8-03f51b1661b2", "title": "provider network", "product": "lucidchart",
            "accountId": 1, "pages": pages, "data": {"collections": []}}


def _standard_import(path) -> dict:
    import json
    import zipfile

    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["document.json"]
        return json.loads(archive.read("document.json"))


def test_lucid_export_then_document_contents_import_gives_back_the_design(capsys, tmp_path, sample_design):
    import json

    exported = tmp_path / "sample.lucid"
    assert run(capsys, "export", "lucid", "--project-dir", SAMPLE, "--out", exported)[0] == 0
    contents = tmp_path / "contents.json"
    contents.write_text(json.dumps(_as_document_contents(_standard_import(exported))))
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs", "*.duckdb"))
    for design_file in project.glob("models/**/_*__design.yml"):
        design_file.unlink()
    _, _, err = run(capsys, "import", "lucidchart", contents, "--project-dir", project, "--into", "models/imported.yml")
    assert not err, err
    assert drawn(build_design(load_project(str(project)))) == drawn(sample_design)


def test_lucid_document_json_has_the_documented_structure(capsys, tmp_path):
    """Lucid publishes no JSON Schema for Standard Import; these are the required properties its reference lists."""
    exported = tmp_path / "sample.lucid"
    run(capsys, "export", "lucid", "--project-dir", SAMPLE, "--out", exported)
    document = _standard_import(exported)
    assert document["version"] == 1 and len(document["pages"]) == 1
    page = document["pages"][0]
    assert {"id", "title"} <= set(page)
    ids = [item["id"] for item in page["shapes"] + page["lines"]]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z0-9_.~-]{1,36}", i) for i in ids)
    for shape in page["shapes"]:
        assert {"id", "type", "boundingBox"} <= set(shape) and shape["type"] == "rectangle"
        assert set(shape["boundingBox"]) == {"x", "y", "w", "h"}
        assert all(set(pair) == {"key", "value"} for pair in shape["customData"])
    shape_ids = {s["id"] for s in page["shapes"]}
    for line in page["lines"]:
        assert {"id", "lineType", "endpoint1", "endpoint2"} <= set(line) and line["lineType"] == "straight"
        for end in (line["endpoint1"], line["endpoint2"]):
            assert end["type"] == "shapeEndpoint" and end["shapeId"] in shape_ids


def test_lucid_export_needs_a_file(capsys):
    code, _, err = run(capsys, "export", "lucid", "--project-dir", SAMPLE)
    assert code == 2 and "give --out FILE.lucid" in err
