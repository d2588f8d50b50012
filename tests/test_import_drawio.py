"""`dv-spec import drawio` and `import mermaid`: the same retail vault drawn in
draw.io (plain and compressed pages, ERD tables, a list shape, a container,
custom properties) gives the same design as the Lucidchart export."""

import base64
import urllib.parse
import zlib
from pathlib import Path

import pytest

from dv_spec_tool.importers.diagrams.drawio import read_drawio

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


# ---------------------------------------------------------------- labelled fixtures, one per convention
from test_import_lucidchart import CONVENTIONS, assert_reading, reading_of  # noqa: E402

SK_KEYS = {  # draw.io ERD tables: `_sk` keys, a link keyed by its hubs' key columns, metadata source_id/load_dttm
    "h_driver": {"kind": "hub", "hash_key": "driver_sk", "business_keys": ["driver_ext_id"]},
    "h_ride": {"kind": "hub", "hash_key": "ride_sk", "business_keys": ["ride_ext_id"]},  # one multi-line text cell
    "l_ride": {"kind": "link", "hash_key": "TODO", "hubs": ["h_ride", "h_driver"]},  # a free line end on h_ride
    "s_driver": {"kind": "sat", "parent": "h_driver", "hashdiff": "TODO", "payload": ["fio"]},  # both ends free
}
SK_REPORTS = ["a line joining no tables is left out", "shape 'Legend: h_ hubs, l_ links, s_ satellites' is not a table"]

LABELS = {  # labels that are not identifiers, kinds from shape data, containers and colours, a repeated shape
    "khab_nakladnaia": {"kind": "hub", "hash_key": "h_hash_nakladnaya", "business_keys": ["nomer"],
                        "description": "Drawn as “Хаб_Накладная”."},
    "customer": {"kind": "hub", "hash_key": "customer_id", "business_keys": ["customer_number"],
                 "description": "Drawn as “customer /* CRM */”."},
    "advice_line": {"kind": "hub", "hash_key": "advice_line_hk", "business_keys": ["advice_line_code"]},
    "hub_product": {"kind": "hub", "hash_key": "product_hk", "business_keys": ["product_code"]},
    "sat_product": {"kind": "sat", "parent": "hub_product", "hashdiff": "hd_product", "payload": ["product_name"]},
}
DRAWN_TWICE = "table `hub_product` is drawn twice"

MERMAID_CASES = [
    pytest.param("hk_prefix_hash_diff.md", {
        "hub_company": {"kind": "hub", "hash_key": "hk_company", "business_keys": ["object_id", "source_table"]},
        "sat_company": {"kind": "sat", "parent": "hub_company", "hashdiff": "hd_company", "payload": ["name", "city"]},
        "link_company_role": {"kind": "link", "hash_key": "hk_link_company_role", "hubs": "TODO"},
        "ref_role": {"kind": "ref_table", "reference_keys": ["role_code"]},
    }, ["the row '___' (Schema: vault_company) names no column",
        "the line between `link_company_role` (link) and `ref_role` (ref_table) is not used"],
        id="markdown_hk_prefix_hash_diff_comment_dss_metadata_note_row"),
    pytest.param("german_roles_ma.mmd", {
        "hub_customer": {"kind": "hub", "hash_key": "hk_kunde", "business_keys": ["kundennr"]},
        "hub_adresse": {"kind": "hub", "hash_key": "hk_adresse", "business_keys": ["adressnr"]},
        "link_kunde_adresse_liefer": {"kind": "link", "hash_key": "hk_link_kunde_adresse_liefer",
                                      "hubs": ["hub_customer", "hub_adresse"]},
        "link_adresse_parent": {"kind": "link", "hash_key": "hk_link_adresse_parent",
                                "hubs": ["hub_adresse", "hub_adresse"], "roles": ["child", "parent"]},
        "sat_adresse_ma": {"kind": "ma_sat", "parent": "hub_adresse", "hashdiff": "hashdiff",
                           "multi_active_keys": "TODO", "payload": ["culture", "strasse"]},
        "lsat_kunde_adresse_liefer": {"kind": "sat", "parent": "link_kunde_adresse_liefer", "hashdiff": "hashdiff",
                                      "payload": ["lieferart"]},
        "ref_kultur": {"kind": "ref_table", "reference_keys": ["culture"]},
    }, ["the line between `sat_adresse_ma` (ma_sat) and `ref_kultur` (ref_table) is not used"],
        id="front_matter_no_space_relations_german_hash_key_role_suffix_ma_suffix_link_satellite"),
    pytest.param("pit_parent_by_key.mmd", {
        "pit_company": {"kind": "pit"},
        "hub_company": {"kind": "hub", "hash_key": "hk_company", "business_keys": "TODO"},
        "sat_company": {"kind": "sat", "parent": "hub_company", "hashdiff": "TODO", "payload": ["company_name"]},
        "sat_company_ext": {"kind": "sat", "parent": "hub_company", "hashdiff": "TODO", "payload": "TODO"},
        "hub_kunde": {"kind": "hub", "hash_key": "hk_kunde", "business_keys": ["kundennr"]},
        "sat_kunde__erp": {"kind": "sat", "parent": "hub_kunde", "hashdiff": "hashdiff", "payload": ["name"]},
        "link_verkauf_kunde": {"kind": "link", "hash_key": "TODO", "hubs": "TODO"},
    }, [], id="pit_parent_by_key_column_bk_marker_entity_only_in_a_relationship"),
]


@pytest.mark.parametrize("fixture, expected, reports", MERMAID_CASES)
def test_mermaid_conventions_are_read_right_or_flagged(fixture, expected, reports):
    assert_reading(reading_of("mermaid", fixture), expected, reports)


def _embedded(tmp_path, kind: str) -> Path:
    """The SK fixture as draw.io embeds it: an SVG's `content` attribute, a PNG's `mxfile` text chunk."""
    import html
    import struct

    xml = (CONVENTIONS / "sk_keys_links_keyed_by_hubs.drawio").read_text()
    if kind == "svg":
        path = tmp_path / "vault.drawio.svg"
        path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" content="{html.escape(xml, quote=True)}"><g/></svg>')
        return path
    body = b"mxfile\0" + urllib.parse.quote(xml).encode("latin-1")
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    ihdr = struct.pack(">I", 13) + b"IHDR" + header + struct.pack(">I", zlib.crc32(b"IHDR" + header))
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    path = tmp_path / "vault.drawio.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + ihdr + chunk + end)
    return path


@pytest.mark.parametrize("kind", ["drawio", "svg", "png"])
def test_drawio_sk_keys_free_line_ends_and_list_cells_in_every_file_form(tmp_path, kind):
    from dv_spec_tool.importers.diagrams import read_diagram
    from dv_spec_tool.importers.diagrams.conventions import load_conventions
    from dv_spec_tool.importers.diagrams.to_design import diagram_to_design

    path = CONVENTIONS / "sk_keys_links_keyed_by_hubs.drawio" if kind == "drawio" else _embedded(tmp_path, kind)
    reading = diagram_to_design(read_diagram("drawio", str(path)), load_conventions(), {})
    assert_reading(reading, SK_KEYS, SK_REPORTS)


def test_drawio_labels_one_page_and_a_colour_from_the_conventions():
    expected = dict(LABELS, product_prices={"kind": "sat", "parent": "hub_product", "hashdiff": "price_hashdiff",
                                            "payload": ["list_price"]})
    reading = reading_of("drawio", "labels_pages_colours.drawio", page="Vault", conventions="colours.yml")
    assert_reading(reading, expected, [DRAWN_TWICE, "page 'Notes' is not read (--page 'Vault')"])


def test_drawio_all_pages_without_conventions_reports_what_it_cannot_classify():
    reading = reading_of("drawio", "labels_pages_colours.drawio")
    assert_reading(reading, LABELS, [DRAWN_TWICE, "2 pages read as one diagram",
                                     "table `product_prices`: cannot tell whether it is a hub",
                                     "table `orders`: cannot tell whether it is a hub",
                                     "the line between `hub_product` and `product_prices` (left out) is left out"])


@pytest.mark.parametrize("text, message", [
    pytest.param("<svg xmlns='http://www.w3.org/2000/svg'/>", "an SVG without a draw.io diagram in it", id="plain_svg"),
    pytest.param(b"\x89PNG\r\n\x1a\n", "a PNG without a draw.io diagram in it", id="plain_png"),
])
def test_images_without_a_diagram_are_one_line_and_exit_2(capsys, project, tmp_path, text, message):
    path = tmp_path / "picture.drawio.png"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    code, _, err = run(capsys, "import", "drawio", path, "--project-dir", project)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_an_unknown_page_is_a_usage_error(capsys, project):
    code, _, err = run(capsys, "import", "drawio", CONVENTIONS / "labels_pages_colours.drawio", "--project-dir", project,
                       "--page", "Raw vault")
    assert code == 2 and "no page named 'Raw vault'; its pages: 'Vault', 'Notes'" in err


def test_a_bare_graph_model_with_an_html_table_label_and_a_stereotype_property():
    reading = reading_of("drawio", "html_table_label.drawio")
    assert_reading(reading, {
        "hub_customer": {"kind": "hub", "hash_key": "customer_hk", "business_keys": ["customer_id"]},  # AK1: numbered key
        "customer_details": {"kind": "sat", "parent": "hub_customer", "hashdiff": "TODO", "payload": ["name", "email"],
                             "description": "Drawn as “Customer Details”."},  # kind from a `stereotype` property
    }, [])


def test_a_free_line_end_between_two_tables_is_not_attached_to_either():
    cell = ('<mxCell id="{0}" value="{0}&#10;PK {0}_hk" style="rounded=0;" vertex="1" parent="1">'
            '<mxGeometry x="{1}" y="0" width="100" height="40" as="geometry"/></mxCell>')
    text = ('<mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/>'
            + cell.format("hub_a", 0) + cell.format("hub_b", 110) + cell.format("sat_c", 0).replace('y="0"', 'y="300"')
            + '<mxCell id="e" edge="1" parent="1" target="sat_c"><mxGeometry relative="1" as="geometry">'
            '<mxPoint x="105" y="20" as="sourcePoint"/></mxGeometry></mxCell></root></mxGraphModel>')
    diagram = read_drawio("near.drawio", text)
    assert not diagram.relations
    assert [m for _, m in diagram.problems] == [
        "a line end at (105, 20) is near 'hub_a' and 'hub_b'; not attached",
        "a line from `sat_c` ends on no table; left out"]
