"""Lucid's JSON: read a document's contents, write a Lucid Standard Import file (`.lucid`).

**Reading.** Two shapes of the same idea are read:

* the *document contents* Lucid's REST API returns for a document
  (`GET https://api.lucid.co/documents/{id}/contents`): `{id, title, product,
  pages: [{id, title, index, items: {shapes, lines, groups, layers},
  customData}]}`; a shape has `id`, `class`, `textAreas: [{label, text}]` and
  `customData: [{key, value}]`; a line has `endpoint1`/`endpoint2`, each
  naming the shape it is `connectedTo`;
* a Standard Import `document.json` (or the `.lucid` ZIP holding it):
  `{version, pages: [{id, title, shapes, lines}]}`; a shape has `id`, `type`,
  `boundingBox`, `text` and `customData`; a line's endpoints are
  `{type: "shapeEndpoint", shapeId}`.

A shape's first text line (or first text area) is its table name; the other
lines (or areas) are its columns, `KEYS name type` as in an ERD row. Custom
data keys are shape data (`dv_type` names the kind, as everywhere).

**Writing.** `to_lucid(diagram)` is a `.lucid` file: a ZIP with one
`document.json` of one page, each table a `rectangle` whose text is its name
and one line per column (key markers, name, type), its kind and other
dv-spec data as custom data, and one `straight` line per reference with
`shapeEndpoint`s on the two tables. Import it into Lucidchart with its
Import Document API (`POST /documents`, `type=x-application/vnd.lucid.standardImport`,
`product=lucidchart`) or by opening the file in Lucidchart.
"""

from __future__ import annotations

import io
import json
import zipfile

from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.importers.diagrams.drawio import HEADER, ROW_HEIGHT, WIDTH, _layout
from dv_spec_tool.importers.diagrams.model import Diagram, Relation, Table, columns_from_cells, columns_of_row

ZIP_SIGNATURE = b"PK\x03\x04"


def is_lucid_json(raw: bytes) -> bool:
    """A `.lucid` ZIP, or JSON text (the document contents or a Standard Import document.json)."""
    return raw.startswith(ZIP_SIGNATURE) or raw.lstrip()[:1] in (b"{", b"[")


def read_lucid_json(path: str, raw: bytes, page: str | None = None) -> Diagram:
    document = _document(path, raw)
    pages = document.get("pages")
    if not isinstance(pages, list) or not pages:
        raise UsageError(f"{path}: not a Lucid document: expected `pages`, a list of pages "
                         "(the Get Document Contents response, or a Standard Import document.json)")
    diagram = Diagram(path=path, title=str(document.get("title") or ""))
    pages = [p for p in pages if isinstance(p, dict)]
    names = [str(p.get("title") or p.get("id") or f"page {n}") for n, p in enumerate(pages, start=1)]
    if page is not None and page not in names:
        raise UsageError(f"{path}: no page named {page!r}; its pages: {', '.join(repr(n) for n in names)}")
    for name, content in zip(names, pages):
        if page is not None and name != page:
            diagram.problems.append((f"{path}: page {name!r}", f"page {name!r} is not read (--page {page!r})"))
            continue
        _read_page(diagram, path, name, content)
    return diagram


def _document(path: str, raw: bytes) -> dict:
    if raw.startswith(ZIP_SIGNATURE):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                raw = archive.read("document.json")
        except KeyError:
            raise UsageError(f"{path}: a .lucid file must hold a document.json") from None
        except zipfile.BadZipFile as exc:
            raise UsageError(f"{path}: not a readable .lucid (ZIP) file: {exc}") from None
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f":{exc.lineno}:{exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise UsageError(f"{path}{where}: not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise UsageError(f"{path}: not a Lucid document (expected a JSON object with `pages`)")
    return document


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _texts(shape: dict) -> list:
    """The text lines of a shape: its text areas in order, each area's lines split."""
    if isinstance(shape.get("textAreas"), list):
        areas = [str(a.get("text") or "") for a in shape["textAreas"] if isinstance(a, dict)]
    else:
        text = shape.get("text")
        areas = [str(text.get("text") if isinstance(text, dict) else text or "")]
    return [line.strip() for area in areas for line in area.replace("\r", "").split("\n")] if len(areas) == 1 \
        else [area.strip() for area in areas]


def _data(item: dict) -> dict:
    out = {}
    for pair in _list(item.get("customData")):
        if isinstance(pair, dict) and pair.get("key") is not None:
            out[str(pair["key"]).strip().lower()] = str(pair.get("value") if pair.get("value") is not None else "")
    return out


def _end(endpoint) -> str:
    if not isinstance(endpoint, dict):
        return ""
    return str(endpoint.get("connectedTo") or endpoint.get("shapeId") or "")


def _read_page(diagram: Diagram, path: str, page: str, content: dict) -> None:
    items = content.get("items") if isinstance(content.get("items"), dict) else content
    shapes = [s for s in _list(items.get("shapes")) if isinstance(s, dict)]
    lines = [line for line in _list(items.get("lines")) if isinstance(line, dict)]
    tables, blank = {}, []
    for shape in shapes:
        sid = str(shape.get("id") or "")
        where = f"{path}: page {page!r}, shape {sid}"
        texts = [t for t in _texts(shape)]
        while texts and not texts[-1]:
            texts.pop()
        if not texts or not texts[0]:
            blank.append(sid)
            continue
        if len([a for a in _list(shape.get("textAreas")) if isinstance(a, dict)]) > 1:
            columns, layout = columns_from_cells(texts[1:])
            if not layout:
                diagram.problems.append((where, f"table `{texts[0]}`: cannot tell which of its cells are column names, "
                                         "types and key markers; its columns are left out"))
        else:
            columns = [c for line in texts[1:] for c in columns_of_row(line)]
        table = Table(id=f"{page}:{sid}", name=texts[0], columns=columns, data=_data(shape), containers=[page], where=where)
        tables[sid] = table
        diagram.tables.append(table)
    if blank:
        diagram.problems.append((f"{path}: page {page!r}", f"{len(blank)} shape(s) without text left out "
                                 f"(shapes {', '.join(blank[:12])}{', ...' if len(blank) > 12 else ''})"))
    for line in lines:
        lid = str(line.get("id") or "")
        where = f"{path}: page {page!r}, line {lid}"
        source, target = _end(line.get("endpoint1")), _end(line.get("endpoint2"))
        if source in tables and target in tables:
            diagram.relations.append(Relation(tables[source].id, tables[target].id, _style(line.get("endpoint1")),
                                              _style(line.get("endpoint2")), where))
        elif source in tables or target in tables:
            end = tables[source] if source in tables else tables[target]
            diagram.problems.append((where, f"a line from `{end.name}` ends on no table; left out"))
        else:
            diagram.problems.append((where, "a line joining no tables is left out"))


def _style(endpoint) -> str:
    style = str((endpoint or {}).get("style") or "").lower() if isinstance(endpoint, dict) else ""
    return "many" if "many" in style or "crow" in style else ("one" if "one" in style else "")


# ---------------------------------------------------------------- writing

def lucid_document(diagram: Diagram, title: str = "Data Vault") -> dict:
    """The Standard Import document.json of a diagram (one page)."""
    positions = _layout(diagram)
    ids, shapes, lines = {}, [], []
    for number, table in enumerate(diagram.tables, start=1):
        ids[table.id] = f"table{number}"
        x, y = positions[table.id]
        rows = [" ".join(part for part in (", ".join(c.roles), c.name, c.type) if part) for c in table.columns]
        data = [{"key": key, "value": str(value)} for key, value in sorted(table.data.items())]
        shapes.append({"id": ids[table.id], "type": "rectangle",
                       "boundingBox": {"x": x, "y": y, "w": WIDTH, "h": HEADER + ROW_HEIGHT * len(table.columns)},
                       "text": "\n".join([table.name, *rows]), "customData": data})
    for number, relation in enumerate(diagram.relations, start=1):
        source, target = ids.get(relation.source), ids.get(relation.target)
        if source and target:
            lines.append({"id": f"line{number}", "lineType": "straight",
                          "endpoint1": {"type": "shapeEndpoint", "style": "none", "shapeId": source,
                                        "position": {"x": 0.5, "y": 0}},
                          "endpoint2": {"type": "shapeEndpoint", "style": "arrow", "shapeId": target,
                                        "position": {"x": 0.5, "y": 1}}})
    return {"version": 1, "pages": [{"id": "page1", "title": title, "shapes": shapes, "lines": lines}]}


def to_lucid(diagram: Diagram, title: str = "") -> bytes:
    """A `.lucid` Standard Import file (a ZIP holding document.json) of the diagram."""
    out = io.BytesIO()
    entry = zipfile.ZipInfo("document.json", date_time=(1980, 1, 1, 0, 0, 0))  # the same design, the same bytes
    entry.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(entry, json.dumps(lucid_document(diagram, title or diagram.title or "Data Vault"),
                                                     indent=1, ensure_ascii=False))
    return out.getvalue()
