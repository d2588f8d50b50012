"""`dv-spec import lucidchart`: a Lucidchart "CSV of shape data" export of a
small vault (3 hubs, 2 links, 4 satellites) becomes a design; what the picture
does not say becomes TODOs; resolving only those makes `dv-spec validate` pass.
"""

import difflib
import shutil
from pathlib import Path

import pytest
import yaml
from ruamel.yaml import YAML

from dv_spec_tool.importers.diagrams.model import columns_from_cells
from dv_spec_tool.interfaces.cli import main

DIAGRAMS = Path(__file__).parent / "fixtures" / "diagrams"
DESIGN = "models/retail_vault/_retail_vault__design.yml"

EXPECTED = {
    "hub_customer": {"kind": "hub", "hash_key": "customer_hk", "business_keys": ["customer_id"], "sources": []},
    "hub_product": {"kind": "hub", "hash_key": "product_hk", "business_keys": ["product_code"], "sources": []},
    "store": {"kind": "hub", "hash_key": "store_hk", "business_keys": ["store_id"], "sources": []},
    "link_customer_product": {"kind": "link", "hash_key": "customer_product_hk",
                              "hubs": ["hub_customer", "hub_product"], "sources": []},
    "link_product_store": {"kind": "link", "hash_key": "product_store_hk", "hubs": ["hub_product", "store"],
                           "sources": []},
    "sat_customer_details": {"kind": "sat", "parent": "hub_customer", "hashdiff": "customer_details_hashdiff",
                             "payload": ["customer_name", "email"], "sources": []},
    "sat_product_details": {"kind": "sat", "parent": "hub_product", "hashdiff": "product_details_hashdiff",
                            "payload": ["product_name", "list_price"], "sources": []},
    "store_details": {"kind": "sat", "parent": "store", "hashdiff": "store_details_hashdiff",
                      "payload": ["store_name", "city"], "sources": []},
    "sat_customer_product_terms": {"kind": "sat", "parent": "link_customer_product", "hashdiff": "terms_hashdiff",
                                   "payload": ["discount_pct"], "sources": []},
}

# What an architect decides after reading the TODOs: where each entity's rows come from.
SOURCES = {
    "hub_customer": [{"model": "raw_customers"}, {"model": "raw_orders"}],
    "hub_product": [{"model": "raw_products"}, {"model": "raw_orders"}],
    "store": [{"model": "raw_stores"}],
    "link_customer_product": [{"model": "raw_orders"}],
    "link_product_store": [{"model": "raw_orders"}],
    "sat_customer_details": [{"model": "raw_customers"}],
    "sat_product_details": [{"model": "raw_products"}],
    "store_details": [{"model": "raw_stores"}],
    "sat_customer_product_terms": [{"model": "raw_orders"}],
}


@pytest.fixture
def project(tmp_path):
    target = tmp_path / "retail"
    shutil.copytree(DIAGRAMS / "retail_project", target)
    return target


def run(capsys, *args):
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    return code, out, err


def designs(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    return {m["name"]: m["config"]["meta"]["dv"] for m in data["models"] if "config" in m}


@pytest.mark.parametrize("fixture", [
    pytest.param("lucidchart_retail.csv", id="document_and_page_rows_with_status"),
    pytest.param("lucidchart_retail_no_status.csv", id="older_export_without_status_or_page_rows"),
    pytest.param("lucidchart_retail_tags.csv", id="tags_column_nested_containers_extra_shape_data"),
])
def test_every_header_variant_gives_the_same_design(capsys, project, fixture):
    code, out, err = run(capsys, "import", "lucidchart", DIAGRAMS / fixture, "--project-dir", project,
                         "--into", DESIGN)
    assert code == 1 and not err  # TODOs remain for the architect
    assert designs(project / DESIGN) == EXPECTED
    assert "9 added, 0 replaced, 0 kept; 10 TODO(s) for the architect" in out


def test_todos_point_at_the_written_yaml_and_sit_above_their_keys(capsys, project):
    code, out, _ = run(capsys, "import", "lucidchart", DIAGRAMS / "lucidchart_retail.csv", "--project-dir", project)
    lines = (project / DESIGN).read_text().splitlines()
    todos = [line for line in out.splitlines() if " TODO " in line]
    assert len(todos) == 10
    for todo in todos:
        where, _, message = todo.partition(": TODO ")
        path, line = where.rsplit(":", 1)
        assert path == DESIGN
        entity, _, what = message.partition(": ")
        assert lines[int(line) - 1].strip() == f"# TODO(dv-spec): {what}"
    hashdiff = next(t for t in todos if "hashdiff" in t)
    assert "sat_product_details: hashdiff:" in hashdiff and "`product_details_hashdiff` is proposed" in hashdiff
    line = int(hashdiff.split(":")[1])
    assert lines[line].strip() == "hashdiff: product_details_hashdiff"


def test_resolving_only_the_reported_todos_makes_validate_pass(capsys, project):
    """Done when: the architect adds the sources the TODOs ask for (and keeps
    the proposed hashdiff name); `dv-spec validate` then exits 0."""
    run(capsys, "import", "lucidchart", DIAGRAMS / "lucidchart_retail.csv", "--project-dir", project)
    code, out, _ = run(capsys, "validate", "--project-dir", project)
    assert code == 1 and out.count("`sources` must not be empty") == 9
    path = project / DESIGN
    loader = YAML()
    data = loader.load(path.read_text())
    for model in data["models"]:
        model["config"]["meta"]["dv"]["sources"] = SOURCES[model["name"]]
    with path.open("w") as handle:
        loader.dump(data, handle)
    assert "# TODO(dv-spec): hashdiff:" in path.read_text()  # comments survive the architect's edit
    code, out, _ = run(capsys, "validate", "--project-dir", project)
    assert code == 0, out
    assert "0 error" in out or "no findings" in out or "error" not in out


def test_import_into_an_existing_file_adds_and_keeps_every_byte(capsys, project):
    path = project / "models" / "retail.yml"
    original = ("# Retail design, hand written.\nversion: 2\n\nmodels:\n"
                "  - name: hub_customer   # drawn before\n    description: 'A customer.'\n    config:\n      meta:\n"
                "        dv: {kind: hub, hash_key: customer_hk, business_keys: [customer_id], sources: [{model: raw_customers}]}\n"
                "\n  - name: raw_customers_view\n    description: not a vault model\n")
    path.write_text(original)
    code, out, _ = run(capsys, "import", "lucidchart", DIAGRAMS / "lucidchart_retail.csv", "--project-dir", project,
                       "--into", "models/retail.yml")
    updated = path.read_text()
    matcher = difflib.SequenceMatcher(a=original.splitlines(True), b=updated.splitlines(True), autojunk=False)
    assert all(op[0] in ("equal", "insert") for op in matcher.get_opcodes())
    assert "kept  hub_customer  (models/retail.yml already holds its design; --force replaces it)" in out
    assert designs(path)["hub_customer"]["sources"] == [{"model": "raw_customers"}]
    assert "8 added, 0 replaced, 1 kept" in out
    code, out, _ = run(capsys, "import", "lucidchart", DIAGRAMS / "lucidchart_retail.csv", "--project-dir", project,
                       "--into", "models/retail.yml")
    assert path.read_text() == updated and "0 added, 0 replaced, 9 kept" in out
    code, out, _ = run(capsys, "import", "lucidchart", DIAGRAMS / "lucidchart_retail.csv", "--project-dir", project,
                       "--into", "models/retail.yml", "--force")
    assert "replaced the design of  hub_customer" in out
    forced = path.read_text()
    assert "  - name: hub_customer   # drawn before\n    description: 'A customer.'\n" in forced
    assert designs(path)["hub_customer"] == EXPECTED["hub_customer"]


def test_dry_run_shows_a_diff_and_writes_nothing(capsys, project):
    before = sorted(p.name for p in project.rglob("*"))
    code, out, _ = run(capsys, "import", "lucidchart", DIAGRAMS / "lucidchart_retail.csv", "--project-dir", project,
                       "--dry-run")
    assert sorted(p.name for p in project.rglob("*")) == before
    assert out.startswith(f"--- /dev/null\n+++ b/{DESIGN}\n")
    assert "+  - name: sat_customer_product_terms\n" in out and "would add  store" in out


def test_output_is_deterministic(capsys, project, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(project, other)
    run(capsys, "import", "lucidchart", DIAGRAMS / "lucidchart_retail.csv", "--project-dir", project)
    run(capsys, "import", "lucidchart", DIAGRAMS / "lucidchart_retail.csv", "--project-dir", other)
    assert (project / DESIGN).read_bytes() == (other / DESIGN).read_bytes()


HEADER = "Id,Name,Shape Library,Page ID,Contained By,Group,Line Source,Line Destination,Source Arrow,Destination Arrow,Text Area 1,Text Area 2,Text Area 3,Text Area 4,Text Area 5,Text Area 6,Text Area 7\n"


@pytest.mark.parametrize("rows, expected_todo", [
    pytest.param("1,Entity,Entity Relationship,,,,,,,,hub_customer,customer_id,varchar,customer_name,varchar,,\n",
                 "business_keys: customer_id, customer_name of hub `hub_customer` are not marked BK",
                 id="hub_without_key_markers"),
    pytest.param("1,Entity,Entity Relationship,,,,,,,,customer,PK,customer_id,,,,\n",
                 "cannot tell whether it is a hub, link or satellite", id="unclassified_table"),
    pytest.param("1,Entity,Entity Relationship,,,,,,,,hub_customer,PK,customer_id,,,,\n"
                 "2,Entity,Entity Relationship,,,,,,,,link_customer_x,PK,customer_x_hk,FK,customer_hk,,\n"
                 "3,Line,,,,,2,1,CFN ERD Many Arrow,CFN ERD Exactly One Arrow,,,,,,,\n",
                 "joins 1 hub(s); a link joins two or more", id="link_with_one_hub"),
    pytest.param("1,Entity,Entity Relationship,,,,,,,,hub_customer,PK,customer_hk,BK,customer_id,,\n"
                 "2,Entity,Entity Relationship,,,,,,,,sat_customer,,name,,email,,\n",
                 "parent: no line joins `sat_customer` to its parent", id="satellite_without_parent"),
    pytest.param("1,Entity,Entity Relationship,,,,,,,,hub_customer,PK,customer_hk,,,,\n",
                 "business_keys: the diagram shows no business key column of hub `hub_customer`",
                 id="hub_with_only_its_hash_key"),
])
def test_what_a_picture_does_not_decide_is_a_todo(capsys, project, tmp_path, rows, expected_todo):
    diagram = tmp_path / "small.csv"
    diagram.write_text(HEADER + rows)
    code, out, err = run(capsys, "import", "lucidchart", diagram, "--project-dir", project)
    assert code == 1 and not err
    assert expected_todo in out


def test_a_hubs_only_unmarked_column_is_its_business_key_and_its_hash_key_is_proposed(capsys, project, tmp_path):
    diagram = tmp_path / "small.csv"
    diagram.write_text(HEADER + "1,Entity,Entity Relationship,,,,,,,,hub_customer,customer_id,varchar,,,,\n")
    _, out, _ = run(capsys, "import", "lucidchart", diagram, "--project-dir", project)
    dv = designs(project / "models" / "small" / "_small__design.yml")["hub_customer"]
    assert dv["business_keys"] == ["customer_id"] and dv["hash_key"] == "customer_hk"
    assert "TODO hub_customer: hash_key: the diagram shows no hash key column" in out
    assert "TODO hub_customer: business_keys: customer_id of hub `hub_customer` are not marked BK" in out


def test_a_label_that_is_not_an_identifier_is_normalised_and_kept_in_the_description(capsys, project, tmp_path):
    diagram = tmp_path / "small.csv"
    diagram.write_text(HEADER + "1,Entity,Entity Relationship,,,,,,,,Хаб Клиент /* CRM */,PK,Клиент HK,BK,Номер,,\n")
    run(capsys, "import", "lucidchart", diagram, "--project-dir", project)
    text = (project / "models" / "small" / "_small__design.yml").read_text()
    dv = designs(project / "models" / "small" / "_small__design.yml")["khab_klient"]
    assert dv["hash_key"] == "klient_hk" and dv["business_keys"] == ["nomer"]
    assert "Drawn as “Хаб Клиент /* CRM */”." in text


def test_sources_drawn_as_tables_are_read(capsys, project, tmp_path):
    diagram = tmp_path / "with_sources.csv"
    diagram.write_text(HEADER
                       + "1,Entity,Entity Relationship,,,,,,,,hub_customer,PK,customer_hk,BK,customer_id,,\n"
                       + "2,Entity,Entity Relationship,,,,,,,,raw_customers,,customer_id,,name,,\n"
                       + "3,Line,,,,,2,1,None,Arrow,,,,,,,\n")
    code, out, _ = run(capsys, "import", "lucidchart", diagram, "--project-dir", project)
    dv = designs(project / "models" / "with_sources" / "_with_sources__design.yml")["hub_customer"]
    assert dv["sources"] == [{"model": "raw_customers"}]
    assert code == 0 and "0 TODO(s)" in out


@pytest.mark.parametrize("text, message", [
    pytest.param("", "empty file", id="empty"),
    pytest.param("a,b,c\n1,2,3\n", ":1: not a Lucidchart CSV of shape data", id="no_id_name_headers"),
    pytest.param('Id,Name\n1,"unterminated\n', "not valid CSV", id="broken_quoting"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, project, tmp_path, text, message):
    diagram = tmp_path / "bad.csv"
    diagram.write_text(text)
    code, out, err = run(capsys, "import", "lucidchart", diagram, "--project-dir", project)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_file_is_a_usage_error(capsys, project):
    code, _, err = run(capsys, "import", "lucidchart", project / "nope.csv", "--project-dir", project)
    assert code == 2 and "cannot be read" in err


@pytest.mark.parametrize("into, message", [
    pytest.param("../outside.yml", "outside the project", id="outside"),
    pytest.param("models/x.txt", "ends with .yml or .yaml", id="not_yaml"),
    pytest.param("seeds/x.yml", "under the model paths", id="not_under_models"),
])
def test_into_must_be_a_schema_file_under_the_model_paths(capsys, project, into, message):
    code, _, err = run(capsys, "import", "lucidchart", DIAGRAMS / "lucidchart_retail.csv", "--project-dir", project,
                       "--into", into)
    assert code == 2 and message in err


@pytest.mark.parametrize("cells, layout, expected", [
    pytest.param(["customer_hk", "binary", "PK", "customer_id", "varchar(20)", "BK", "load_datetime", "timestamp", ""],
                 ("name", "type", "key"), [("customer_hk", ("PK",)), ("customer_id", ("BK",)), ("load_datetime", ())],
                 id="name_type_key"),
    pytest.param(["PK", "customer_hk", "binary", "", "customer_name", "varchar"], ("key", "name", "type"),
                 [("customer_hk", ("PK",)), ("customer_name", ())], id="key_name_type"),
    pytest.param(["PK, FK", "customer_hk", "PK", "load_datetime", "", "email"], ("key", "name"),
                 [("customer_hk", ("PK", "FK")), ("load_datetime", ("PK",)), ("email", ())], id="key_name"),
    pytest.param(["customer_id", "integer", "email", "text"], ("name", "type"),
                 [("customer_id", ()), ("email", ())], id="name_type"),
    pytest.param(["customer_id", "email", "load_datetime"], ("name",),
                 [("customer_id", ()), ("email", ()), ("load_datetime", ())], id="names_only"),
    pytest.param(["customer_hk", "PK", "customer_id", "BK", "name", ""], ("name", "key"),
                 [("customer_hk", ("PK",)), ("customer_id", ("BK",)), ("name", ())], id="name_key"),
])
def test_entity_shape_variants_are_detected(cells, layout, expected):
    columns, found = columns_from_cells(cells)
    assert found == layout
    assert [(c.name, c.roles) for c in columns] == expected


def test_conventions_file_replaces_the_defaults(capsys, project, tmp_path):
    conventions = tmp_path / "conventions.yml"
    conventions.write_text("prefixes:\n  hub: [H_]\n  sat: [S_]\nshape_data:\n  kind: [DV Type]\n")
    diagram = tmp_path / "house.csv"
    diagram.write_text(HEADER.replace("Text Area 7\n", "Text Area 7,DV Type\n")
                       + "1,Entity,Entity Relationship,,,,,,,,H_CUSTOMER,PK,CUSTOMER_HK,BK,CUSTOMER_ID,,,\n"
                       + "2,Entity,Entity Relationship,,,,,,,,S_CUSTOMER,PK,CUSTOMER_HK,HD,CUSTOMER_HD,,NAME,\n"
                       + "3,Entity,Entity Relationship,,,,,,,,CUSTOMER_ORDERS,PK,CO_HK,FK,CUSTOMER_HK,,,link\n"
                       + "4,Line,,,,,2,1,CFN ERD Many Arrow,CFN ERD Exactly One Arrow,,,,,,,,\n")
    code, out, _ = run(capsys, "import", "lucidchart", diagram, "--project-dir", project, "--conventions", conventions)
    found = designs(project / "models" / "house" / "_house__design.yml")
    assert found["h_customer"]["business_keys"] == ["customer_id"]  # names are written as snake_case identifiers
    assert found["s_customer"] == {"kind": "sat", "parent": "h_customer", "hashdiff": "customer_hd", "payload": ["name"],
                                   "sources": []}
    assert found["customer_orders"]["kind"] == "link"  # from the shape data column named in the conventions


@pytest.mark.parametrize("text, message", [
    pytest.param("prefix:\n  hub: [H_]\n", "unknown conventions key `prefix`; did you mean `prefixes`?", id="typo"),
    pytest.param("prefixes:\n  hubs: [H_]\n", "`prefixes.hubs` is not one of", id="unknown_kind"),
    pytest.param("prefixes: [H_]\n", "`prefixes` must be a mapping", id="not_a_mapping"),
    pytest.param("prefixes:\n  hub: [1, 2]\n", "must be a list of strings", id="not_strings"),
    pytest.param("prefixes: [\n", "invalid YAML", id="bad_yaml"),
])
def test_bad_conventions_are_usage_errors(capsys, project, tmp_path, text, message):
    conventions = tmp_path / "conventions.yml"
    conventions.write_text(text)
    code, _, err = run(capsys, "import", "lucidchart", DIAGRAMS / "lucidchart_retail.csv", "--project-dir", project,
                       "--conventions", conventions)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------- labelled fixtures, one per convention
# Each fixture reproduces a convention found in real diagrams (docs/diagrams.md, "Tried on real
# diagrams"). Its label is the design it means: every attribute must come out so, or ("TODO") carry a
# TODO naming that attribute; and every report must be one of the expected ones, so nothing is
# dropped without a line saying so.
CONVENTIONS = DIAGRAMS / "conventions"
ATTRIBUTES = ("kind", "hash_key", "business_keys", "hubs", "parent", "hashdiff", "payload", "multi_active_keys",
              "reference_keys")


def reading_of(fmt: str, fixture: str, page=None, conventions=None):
    from dv_spec_tool.importers.diagrams import read_diagram
    from dv_spec_tool.importers.diagrams.conventions import load_conventions
    from dv_spec_tool.importers.diagrams.to_design import diagram_to_design

    settings = {"load_datetime_column": "load_datetime", "record_source_column": "record_source"}
    diagram = read_diagram(fmt, str(CONVENTIONS / fixture), page)
    return diagram_to_design(diagram, load_conventions(str(CONVENTIONS / conventions) if conventions else None), settings)


def _hub_names(value):
    return [item if isinstance(item, str) else item["hub"] for item in value]


def assert_reading(reading, expected: dict, reports: list) -> None:
    """Every labelled attribute right or a TODO naming it; only the expected reports, each once."""
    got = {entity.name: entity for entity in reading.entities}
    assert sorted(got) == sorted(expected)
    for name, label in expected.items():
        entity = got[name]
        flagged = {key for key, _ in entity.todos} | {m.split(":")[0] for _, m in entity.todos}
        for attribute in ATTRIBUTES:
            if attribute not in label:
                continue
            want, value = label[attribute], entity.dv.get(attribute)
            if want == "TODO":
                assert attribute in flagged, f"{name}.{attribute}: expected a TODO, got {value!r} silently"
            elif attribute == "hubs":
                assert _hub_names(value) == want, f"{name}.hubs: {value!r}"
            else:
                assert value == want, f"{name}.{attribute}: {value!r} != {want!r}"
        if "roles" in label:
            assert [item.get("role") for item in entity.dv["hubs"]] == label["roles"]
        if "description" in label:
            assert entity.description == label["description"]
    messages = [message for _, message in reading.problems]
    for report in reports:
        matching = [m for m in messages if report in m]
        assert len(matching) == 1, f"report {report!r}: {matching or messages}"
        messages.remove(matching[0])
    assert not messages, f"unexpected reports: {messages}"


LUCID_CASES = [
    pytest.param("lucid_erd_no_header.tsv", {
        "hub_patient": {"kind": "hub", "hash_key": "hub_patient_hk", "business_keys": ["mrn"]},
        "hub_visit": {"kind": "hub", "hash_key": "hub_visit_hk", "business_keys": ["visit_number"]},
        "link_patient_visit": {"kind": "link", "hash_key": "link_patient_visit_hk", "hubs": ["hub_patient", "hub_visit"]},
        "sat_patient": {"kind": "sat", "parent": "hub_patient", "hashdiff": "hd_patient", "payload": ["first_name"]},
    }, [], id="erd_import_tsv_without_header_unmarked_business_key_hd_prefix"),
    pytest.param("lucid_shape_data_variants.csv", {
        "hub_clinic": {"kind": "hub", "hash_key": "clinic_sk", "business_keys": ["clinic_code"]},
        "clinic_details": {"kind": "sat", "parent": "hub_clinic", "hashdiff": "TODO", "payload": ["clinic_name"],
                           "description": "Drawn as “Clinic Details”."},
    }, ["shape 5 (Text, 'Draft - do not build') is not an ERD table"], id="header_without_spaces_kind_in_shape_data"),
    pytest.param("lucid_document_contents.json", {
        "hub_member": {"kind": "hub", "hash_key": "member_hk", "business_keys": ["member_id"]},
        "hub_claim": {"kind": "hub", "hash_key": "claim_hk", "business_keys": ["claim_number"]},
        "hub_provider": {"kind": "hub", "hash_key": "provider_hk", "business_keys": ["npi"]},
        "link_member_claim": {"kind": "link", "hash_key": "member_claim_hk", "hubs": ["hub_member", "hub_claim"]},
        "link_claim_provider": {"kind": "link", "hash_key": "claim_provider_hk", "hubs": ["hub_claim", "hub_provider"]},
        "sat_member_details": {"kind": "sat", "parent": "hub_member", "hashdiff": "member_hashdiff",
                               "payload": ["birth_date"]},
        "sat_claim_details": {"kind": "sat", "parent": "hub_claim", "hashdiff": "claim_hashdiff",
                              "payload": ["claim_amount"]},
        "provider_details": {"kind": "sat", "parent": "hub_provider", "hashdiff": "TODO", "payload": ["provider_name"]},
        "sat_member_claim_status": {"kind": "sat", "parent": "link_member_claim", "hashdiff": "hd_member_claim_status",
                                    "payload": ["claim_status"]},
    }, ["1 shape(s) without text left out (shapes t1)", "a line from `sat_member_claim_status` ends on no table"],
        id="document_contents_json_3_hubs_2_links_4_satellites"),
]


@pytest.mark.parametrize("fixture, expected, reports", LUCID_CASES)
def test_lucid_conventions_are_read_right_or_flagged(fixture, expected, reports):
    assert_reading(reading_of("lucidchart", fixture), expected, reports)


def test_lucid_document_contents_subject_area_validates_once_its_todos_are_resolved(capsys, project):
    """The architect's path through Lucid's API: 3 hubs, 2 links, 4 satellites; only `sources` left to add."""
    (project / "seeds" / "raw_claims.csv").write_text(
        "member_id,claim_number,npi,birth_date,claim_amount,provider_name,claim_status,load_datetime,record_source\n")
    into = "models/claims/_claims__design.yml"
    code, out, _ = run(capsys, "import", "lucidchart", CONVENTIONS / "lucid_document_contents.json",
                       "--project-dir", project, "--into", into)
    assert code == 1 and "9 added" in out
    path = project / into
    loader = YAML()
    data = loader.load(path.read_text())
    for model in data["models"]:
        model["config"]["meta"]["dv"]["sources"] = [{"model": "raw_claims"}]
    with path.open("w") as handle:
        loader.dump(data, handle)
    code, out, _ = run(capsys, "validate", "--project-dir", project)
    assert code == 0, out


@pytest.mark.parametrize("column, table, metadata", [
    pytest.param(name, table, expected, id=f"{name}_in_{table}")
    for name, table, expected in [
        ("load_dttm", "h_driver", True), ("ldts", "sat_x", True), ("load_dts", "hub_x", True),
        ("dss_load_date", "sat_x", True), ("HUB_Load_DTS", "hub_x", True), ("source_id", "s_x", True),
        ("rsrc", "sat_x", True), ("load_end_date", "sat_x", True), ("valid_from_dttm", "sat_x", True),
        ("hub_rec_src", "hub_location", True), ("Hub_ProdNum_LDTS", "hub_prodnum", True),
        ("dss_is_current", "sat_x", True), ("customer_id", "hub_customer", False), ("load_type", "sat_x", False),
        ("source_table", "hub_company", False), ("end_dttm", "s_ride", False),
    ]])
def test_load_metadata_variants_are_recognised_by_default(column, table, metadata):
    from dv_spec_tool.importers.diagrams.conventions import is_metadata, load_conventions

    assert is_metadata(column, table, load_conventions()) is metadata


@pytest.mark.parametrize("column, hash_like", [
    ("customer_hk", True), ("driver_sk", True), ("hub_customer_key", True), ("hk_customer", True),
    ("H_Hash_Invoice", True), ("dv_hkey_hub_customer", True), ("customer_id", False), ("customer_number", False),
])
def test_hash_key_spellings(column, hash_like):
    from dv_spec_tool.importers.diagrams.conventions import hash_like as looks_hashed, load_conventions

    assert looks_hashed(column, load_conventions()) is hash_like


@pytest.mark.parametrize("name, note, roles, hashdiff", [
    ("hd_company", "", (), True), ("customer_hashdiff", "", (), True), ("diff", "Hash Diff", (), True),
    ("checksum", "", ("HD",), True), ("hashdiff", "", (), True), ("hd", "", (), True), ("hood", "", (), False),
])
def test_hashdiff_spellings(name, note, roles, hashdiff):
    from dv_spec_tool.importers.diagrams.conventions import hashdiff_like, load_conventions
    from dv_spec_tool.importers.diagrams.model import Column

    assert hashdiff_like(Column(name, "", roles, note), load_conventions()) is hashdiff


def test_a_hub_key_in_a_link_satellite_stays_out_of_its_payload_with_a_todo(capsys, project, tmp_path):
    diagram = tmp_path / "small.csv"
    diagram.write_text(HEADER
                       + "1,Entity,Entity Relationship,,,,,,,,hub_customer,PK,customer_hk,BK,customer_id,,\n"
                       + "2,Entity,Entity Relationship,,,,,,,,hub_product,PK,product_hk,BK,product_code,,\n"
                       + "3,Entity,Entity Relationship,,,,,,,,link_sale,PK,sale_hk,FK,customer_hk,FK,product_hk\n"
                       + "4,Entity,Entity Relationship,,,,,,,,sat_sale,PK FK,sale_hk,FK,customer_hk,,amount\n"
                       + "5,Line,,,,,3,1,,,,,,,,,\n6,Line,,,,,3,2,,,,,,,,,\n7,Line,,,,,4,3,,,,,,,,,\n")
    _, out, _ = run(capsys, "import", "lucidchart", diagram, "--project-dir", project)
    dv = designs(project / "models" / "small" / "_small__design.yml")["sat_sale"]
    assert dv["parent"] == "link_sale" and dv["payload"] == ["amount"]
    assert "TODO sat_sale: payload: customer_hk of `sat_sale` hold(s) the hash key of another hub or link" in out
