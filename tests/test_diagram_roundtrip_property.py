"""Property: any small vault (hubs, links with roles and dependent keys,
satellites on hubs and links) drawn as Mermaid, draw.io or a Lucid Standard
Import file and read back gives the same diagram-representable design."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dv_spec_tool.core import macro_api
from dv_spec_tool.importers.diagrams.conventions import load_conventions
from dv_spec_tool.importers.diagrams.drawio import read_drawio, to_drawio
from dv_spec_tool.importers.diagrams.from_design import design_to_diagram
from dv_spec_tool.importers.diagrams.lucid_json import read_lucid_json, to_lucid
from dv_spec_tool.importers.diagrams.mermaid import read_mermaid, to_mermaid
from dv_spec_tool.importers.diagrams.to_design import diagram_to_design

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
COLUMNS = ["code", "name", "city", "amount", "status", "region", "score", "note"]


@st.composite
def vaults(draw):
    hubs = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=4, unique=True))
    entities = []
    for hub in hubs:
        keys = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=2, unique=True))
        entities.append((f"hub_{hub}", {"kind": "hub", "hash_key": f"{hub}_hk", "business_keys": [f"{hub}_{k}" for k in keys],
                                        "sources": [{"model": "raw"}]}))
    links = []
    for n in range(draw(st.integers(min_value=1, max_value=2))):
        pair = draw(st.lists(st.sampled_from(hubs), min_size=2, max_size=2))
        if pair[0] == pair[1]:
            refs = [{"hub": f"hub_{pair[0]}", "role": "main"}, {"hub": f"hub_{pair[0]}", "role": "other"}]
        else:
            refs = [f"hub_{h}" for h in pair]
        dv = {"kind": "link", "hash_key": f"link{n}_hk", "hubs": refs, "sources": [{"model": "raw"}]}
        if draw(st.booleans()):
            dv["dependent_keys"] = [f"line{n}_no"]
        links.append(f"link_{n}")
        entities.append((f"link_{n}", dv))
    for n in range(draw(st.integers(min_value=1, max_value=3))):
        parent = draw(st.sampled_from([f"hub_{h}" for h in hubs] + links))
        payload = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=3, unique=True))
        entities.append((f"sat_{n}", {"kind": "sat", "parent": parent, "hashdiff": f"sat{n}_hashdiff",
                                      "payload": [f"s{n}_{c}" for c in payload], "sources": [{"model": "raw"}]}))
    return entities


DRAWN = ("kind", "hash_key", "business_keys", "hubs", "dependent_keys", "parent", "hashdiff", "payload")


@pytest.mark.parametrize("fmt", ["mermaid", "drawio", "lucid"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(vault=vaults())
def test_drawn_and_read_back_is_the_same_design(fmt, vault):
    resolved = macro_api.resolve_design([{"name": n, "dv": dv, "description": "", "file": ""} for n, dv in vault], {})
    diagram = design_to_diagram(resolved)
    if fmt == "mermaid":
        read = read_mermaid("v.mmd", to_mermaid(diagram))
    elif fmt == "lucid":
        read = read_lucid_json("v.lucid", to_lucid(diagram))
    else:
        read = read_drawio("v.drawio", to_drawio(diagram))
    settings_ = resolved["settings"]
    reading = diagram_to_design(read, load_conventions(None, settings_["naming"]), settings_)
    assert not reading.problems
    back = {e.name: {k: e.dv.get(k) for k in DRAWN} for e in reading.entities}
    assert back == {n: {k: dv.get(k) for k in DRAWN} for n, dv in vault}
    assert all(todo[0] == "sources" for e in reading.entities for todo in e.todos)


FIXTURES = Path(__file__).parent / "fixtures" / "diagrams" / "conventions"
DAMAGEABLE = [("drawio", "labels_pages_colours.drawio"), ("drawio", "sk_keys_links_keyed_by_hubs.drawio"),
              ("mermaid", "german_roles_ma.mmd"), ("lucidchart", "lucid_document_contents.json"),
              ("lucidchart", "lucid_erd_no_header.tsv"), ("lucidchart", "lucid_shape_data_variants.csv")]


@pytest.mark.parametrize("fmt, fixture", DAMAGEABLE)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 40)), min_size=1, max_size=4))
def test_a_damaged_diagram_is_read_or_refused_in_one_line(tmp_path, fmt, fixture, cuts):
    """Whatever is cut out of a diagram file, the import reads what is left or says why not: no traceback."""
    from dv_spec_tool.core.errors import UsageError
    from dv_spec_tool.importers.diagrams import read_diagram

    text = (FIXTURES / fixture).read_text()
    for where, length in cuts:
        at = int(where * len(text))
        text = text[:at] + text[at + length:]
    path = tmp_path / fixture
    path.write_text(text)
    try:
        diagram = read_diagram(fmt, str(path))
    except UsageError as error:
        assert "\n" not in str(error)
        return
    diagram_to_design(diagram, load_conventions(), {})
