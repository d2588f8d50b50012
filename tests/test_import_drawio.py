"""`dv-spec import drawio` and `import mermaid`: the same retail vault drawn in
draw.io (plain and compressed pages, ERD tables, a list shape, a container,
custom properties) gives the same design as the Lucidchart export."""

import base64
import urllib.parse
import zlib
from pathlib import Path

import pytest

from dv_spec_tool.diagrams.drawio import read_drawio

from test_import_lucidchart import EXPECTED, designs, project, run  # noqa: F401  (project is a fixture)

DIAGRAMS = Path(__file__).parent / "fixtures" / "diagrams"
INTO = "models/retail/_retail__design.yml"


@pytest.mark.parametrize("fixture", [
    pytest.param("drawio_retail.drawio", id="plain_xml"),
    pytest.param("drawio_retail_compressed.drawio", id="compressed_page"),
])
def test_drawio_gives_the_same_design_as_lucidchart(capsys, project, fixture):
    code, out, err = run(capsys, "import", "drawio", DIAGRAMS / fixture, "--project-dir", project, "--into", INTO)
    assert code == 1 and not err
    assert designs(project / INTO) == EXPECTED
    assert "9 added" in out and "10 TODO(s)" in out


def test_compressed_page_is_base64_of_deflated_url_encoded_xml():
    packed = (DIAGRAMS / "drawio_retail_compressed.drawio").read_text()
    body = packed.split('name="Retail vault">')[1].split("</diagram>")[0]
    xml = urllib.parse.unquote(zlib.decompress(base64.b64decode(body), -15).decode())
    assert xml.startswith("<mxGraphModel") and "hub_customer" in xml


def test_list_shapes_containers_and_properties_are_read():
    diagram = read_drawio("retail.drawio", (DIAGRAMS / "drawio_retail.drawio").read_text())
    tables = {t.name: t for t in diagram.tables}
    satellite = tables["sat_customer_details"]  # a list shape: `+ name: type KEYS` rows
    assert [(c.name, c.type, c.roles) for c in satellite.columns][:2] == [
        ("customer_hk", "binary", ("PK", "FK")), ("load_datetime", "timestamp", ("PK",))]
    assert tables["store_details"].containers == ["Satellites", "Retail vault"]
    assert tables["store"].data == {"dv_type": "hub"}
    assert len(diagram.relations) == 8  # lines attached to rows count for their table


@pytest.mark.parametrize("text, message", [
    pytest.param("<mxfile><diagram name='p'>not base64 at all!</diagram></mxfile>", "cannot decompress", id="bad_page"),
    pytest.param("<html><body/></html>", "not a draw.io file", id="not_drawio"),
    pytest.param("<mxfile><diagram>", "invalid XML", id="broken_xml"),
])
def test_bad_drawio_is_one_line_and_exit_2(capsys, project, tmp_path, text, message):
    path = tmp_path / "bad.drawio"
    path.write_text(text)
    code, _, err = run(capsys, "import", "drawio", path, "--project-dir", project)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


MERMAID = """\
# Retail vault

```mermaid
erDiagram
    hub_customer {
        binary customer_hk PK
        varchar customer_id UK "business key"
    }
    sat_customer_details {
        binary customer_hk PK, FK
        timestamp load_datetime PK
        binary customer_details_hashdiff "hashdiff"
        varchar customer_name
    }
    hub_customer ||--o{ sat_customer_details : "describes"
```
"""


def test_mermaid_in_markdown_is_read(capsys, project, tmp_path):
    path = tmp_path / "README.md"
    path.write_text(MERMAID)
    code, out, _ = run(capsys, "import", "mermaid", path, "--project-dir", project, "--into", INTO)
    assert designs(project / INTO) == {
        "hub_customer": EXPECTED["hub_customer"],
        "sat_customer_details": {"kind": "sat", "parent": "hub_customer", "hashdiff": "customer_details_hashdiff",
                                 "payload": ["customer_name"], "sources": []},
    }
