"""draw.io (diagrams.net): read `.drawio` files and write one in Data Vault colours.

A `.drawio` file is an `<mxfile>` with one `<diagram>` per page; a page holds
an `<mxGraphModel>` either as XML or compressed (the page text is base64 of
raw-deflated, URL-encoded XML). Cells are `<mxCell>`s, or `<object>` /
`<UserObject>` elements carrying custom properties ("Edit Data") around an
`<mxCell>`; `parent` makes containment, `source`/`target` make lines.

Tables are read from draw.io's ERD shapes:

* `shape=table` (Entity Relation > Table): rows are `shape=tableRow`
  children, cells are the rows' children left to right (key | name | type,
  in any variant, detected as for Lucidchart);
* list shapes (`swimlane` with text rows, e.g. `+ customer_id: varchar`);
* a plain box whose first text line is a name and whose other lines are
  columns, when it is classified or joined by a line.

Other shapes with children are containers (their text is a container name),
and the page name is one too. The written file draws hubs blue, links green,
satellites yellow (multi-active and effectivity satellites orange),
reference tables grey and PITs and bridges purple; hubs sit in a row, links
in a row below them between their hubs, satellites beside their parent.
"""

from __future__ import annotations

import base64
import html
import re
import urllib.parse
import zlib
from xml.etree import ElementTree

from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.kinds import LINK_KINDS, PARENTED_KINDS
from dv_spec_tool.importers.diagrams.model import Diagram, Relation, Table, columns_from_cells, columns_of_row

COLOURS = {  # kind: (fill, stroke)
    "hub": ("#dae8fc", "#6c8ebf"), "link": ("#d5e8d4", "#82b366"), "nh_link": ("#d5e8d4", "#82b366"),
    "sat": ("#fff2cc", "#d6b656"), "ma_sat": ("#ffe6cc", "#d79b00"), "eff_sat": ("#ffe6cc", "#d79b00"),
    "ref_table": ("#f5f5f5", "#666666"), "pit": ("#e1d5e7", "#9673a6"), "bridge": ("#e1d5e7", "#9673a6"),
}
ROW_HEIGHT, HEADER, KEY_WIDTH, NAME_WIDTH, TYPE_WIDTH = 26, 30, 70, 190, 90
WIDTH = KEY_WIDTH + NAME_WIDTH + TYPE_WIDTH
GAP = 60


# ---------------------------------------------------------------- reading

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TOUCH = 12  # a line end this close to a table's border (in draw.io units) is read as attached to it


def drawio_text(path: str, raw: bytes) -> str:
    """The draw.io XML of a file: a `.drawio` as it is, or the copy draw.io embeds in a `.drawio.png`."""
    if not raw.startswith(PNG_SIGNATURE):
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UsageError(f"{path}: not UTF-8 text (byte {exc.start}) and not a PNG; save the diagram again "
                             "as .drawio, .drawio.svg or .drawio.png") from None
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(raw):
        length = int.from_bytes(raw[position:position + 4], "big")
        kind = raw[position + 4:position + 8]
        body = raw[position + 8:position + 8 + length]
        position += 12 + length
        if kind not in (b"tEXt", b"zTXt", b"iTXt") or b"\0" not in body:
            continue
        keyword, rest = body.split(b"\0", 1)
        if keyword != b"mxfile":
            continue
        try:
            if kind == b"zTXt":
                value = zlib.decompress(rest[1:]).decode("latin-1")
            elif kind == b"iTXt":
                compressed, rest = rest[0], rest[2:]
                _, _, rest = rest.split(b"\0", 2)
                value = (zlib.decompress(rest) if compressed else rest).decode("utf-8")
            else:
                value = rest.decode("latin-1")
        except (zlib.error, ValueError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path}: the PNG's `mxfile` chunk cannot be read ({exc})") from None
        return urllib.parse.unquote(value) if value.lstrip().startswith("%3C") else value
    raise UsageError(f"{path}: a PNG without a draw.io diagram in it (no `mxfile` text chunk): in draw.io, "
                     "File > Export as > PNG with \"Include a copy of my diagram\" ticked")


def read_drawio(path: str, text: str, page: str | None = None) -> Diagram:
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        line, col = getattr(exc, "position", (1, 1))
        raise UsageError(f"{path}:{line}:{col}: not a draw.io file (invalid XML: {exc.msg if hasattr(exc, 'msg') else exc})") from None
    if root.tag.endswith("}svg") or root.tag == "svg":
        content = root.get("content") or ""
        if not content.strip():
            raise UsageError(f"{path}: an SVG without a draw.io diagram in it (no `content` attribute): in draw.io, "
                             "File > Export as > SVG with \"Include a copy of my diagram\" ticked")
        if not content.lstrip().startswith("<"):
            content = urllib.parse.unquote(content) if content.lstrip().startswith("%3C") else _inflate(path, content)
        return read_drawio(path, content, page)
    if root.tag == "mxGraphModel":
        pages = [("", root)]
    elif root.tag == "mxfile":
        pages = [(element.get("name", ""), element) for element in root.findall("diagram")]
    else:
        raise UsageError(f"{path}:1: not a draw.io file (the root element is <{root.tag}>, not <mxfile>)")
    diagram = Diagram(path=path)
    names = [name or f"page {number}" for number, (name, _) in enumerate(pages, start=1)]
    if page is not None and page not in names:
        raise UsageError(f"{path}: no page named {page!r}; its pages: {', '.join(repr(n) for n in names)}")
    for number, (name, element) in enumerate(pages, start=1):
        if page is not None and names[number - 1] != page:
            diagram.problems.append((f"{path}: page {names[number - 1]!r}", f"page {names[number - 1]!r} is not "
                                     f"read (--page {page!r})"))
            continue
        model = element if element.tag == "mxGraphModel" else _page_model(path, element)
        if model is not None:
            _read_page(diagram, path, names[number - 1], model, page_given=bool(name), key=f"p{number}:")
    if page is None and len(pages) > 1:
        diagram.problems.append((path, f"{len(pages)} pages read as one diagram ({', '.join(repr(n) for n in names)}); "
                                 "--page NAME reads one"))
    return diagram


def _inflate(path: str, packed: str) -> str:
    try:
        return urllib.parse.unquote(zlib.decompress(base64.b64decode(packed), -15).decode("utf-8"))
    except (ValueError, zlib.error, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot decompress the embedded diagram (expected base64 of deflated XML: {exc})") from None


def _page_model(path: str, page):
    model = page.find("mxGraphModel")
    if model is not None:
        return model
    packed = (page.text or "").strip()
    if not packed:
        return None
    try:
        raw = zlib.decompress(base64.b64decode(packed), -15)
        xml = urllib.parse.unquote(raw.decode("utf-8"))
        return ElementTree.fromstring(xml)
    except (ValueError, zlib.error, UnicodeDecodeError, ElementTree.ParseError) as exc:
        raise UsageError(f"{path}: page {page.get('name', '')!r}: cannot decompress it "
                         f"(expected base64 of deflated XML: {exc})") from None


def _label(value: str) -> str:
    """A cell's text without HTML: line breaks kept, tags dropped, entities decoded."""
    text = re.sub(r"(?i)<br\s*/?>|</div>|</p>|</tr>", "\n", value or "")
    text = re.sub(r"(?i)</t[dh]>", "\t", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\xa0", " ")
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def _style(text: str) -> dict:
    out = {}
    for part in (text or "").split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            out[key.strip()] = value.strip()
        elif part.strip():
            out[part.strip()] = ""
    return out


def _number(element, name: str) -> float:
    """A geometry attribute as a number (0 when absent or not a number: geometry only helps attach lines)."""
    try:
        return float(element.get(name, 0)) if element is not None else 0.0
    except ValueError:
        return 0.0


def _cells(model) -> dict:
    cells = {}
    root = model.find("root")
    for element in (list(root) if root is not None else []):
        if element.tag == "mxCell":
            cell, data = element, {}
            label = element.get("value", "")
        elif element.tag in ("object", "UserObject"):
            cell = element.find("mxCell")
            if cell is None:
                continue
            label = element.get("label", "")
            data = {k.lower(): v for k, v in element.attrib.items() if k not in ("id", "label", "placeholders")}
        else:
            continue
        geometry = cell.find("mxGeometry")
        points = {p.get("as"): (_number(p, "x"), _number(p, "y"))
                  for p in (geometry.findall("mxPoint") if geometry is not None else [])}
        cells[element.get("id")] = {
            "id": element.get("id"), "label": _label(label), "style": _style(cell.get("style")),
            "parent": cell.get("parent"), "vertex": cell.get("vertex") == "1", "edge": cell.get("edge") == "1",
            "source": cell.get("source"), "target": cell.get("target"), "data": data,
            "x": _number(geometry, "x"), "y": _number(geometry, "y"),
            "w": _number(geometry, "width"), "h": _number(geometry, "height"),
            "points": points,
        }
    return cells


def _read_page(diagram: Diagram, path: str, page: str, model, page_given: bool, key: str) -> None:
    cells = _cells(model)
    children = {}
    for cell in cells.values():
        children.setdefault(cell["parent"], []).append(cell)
    for items in children.values():
        items.sort(key=lambda c: (c["y"], c["x"]))

    def where(cell):
        return f"{path}: page {page!r}, cell {cell['id']}"

    tables = {}
    for cell in cells.values():
        if not cell["vertex"]:
            continue
        kids = [k for k in children.get(cell["id"], []) if k["vertex"]]
        if "table" == cell["style"].get("shape"):
            rows = [k for k in kids if k["style"].get("shape") == "tableRow"]
            grid = [[c["label"].replace("\n", " ") for c in sorted(children.get(r["id"], []), key=lambda c: c["x"])
                     if c["vertex"]] for r in rows]
            width = max((len(r) for r in grid), default=1)
            flat = [value for r in grid for value in r + [""] * (width - len(r))]
            columns, layout = columns_from_cells(flat, width=width)
            if not layout and flat:
                diagram.problems.append((where(cell), f"table `{cell['label']}`: cannot tell which of its cells are "
                                         "column names, types and key markers; its columns are left out"))
            tables[cell["id"]] = (cell, cell["label"].split("\n")[0], columns)
        elif kids and all(not children.get(k["id"]) for k in kids) and "swimlane" in cell["style"] \
                and not any(k["style"].get("shape") == "table" for k in kids):
            # a list shape: one row per child, or all rows in one multi-line text child
            rows = [line for k in kids for line in k["label"].split("\n")]
            tables[cell["id"]] = (cell, cell["label"].split("\n")[0], [c for line in rows for c in columns_of_row(line)])
    edges = [c for c in cells.values() if c["edge"]]

    def owner(cell_id):
        seen = set()
        while cell_id and cell_id not in tables and cell_id not in seen:
            seen.add(cell_id)
            cell_id = cells.get(cell_id, {}).get("parent")
        return cell_id if cell_id in tables else None

    ended = {c for e in edges for c in (e["source"], e["target"]) if c}
    for cell in cells.values():  # plain boxes: a name line and column lines
        if cell["vertex"] and cell["id"] not in tables and not children.get(cell["id"]) and owner(cell["id"]) is None \
                and cell["label"] and (cell["id"] in ended or cell["data"].get("dv_type") or cell["data"].get("dv_kind")
                                       or "\n" in cell["label"]):
            lines = cell["label"].split("\n")
            tables[cell["id"]] = (cell, lines[0], [c for line in lines[1:] for c in columns_of_row(line)])

    def ancestors(cell_id):
        """The cells enclosing a cell, innermost first (a file whose parents loop stops at the loop)."""
        found, parent = [], cells.get(cell_id, {}).get("parent")
        while parent in cells and parent not in found and parent != cell_id:
            found.append(parent)
            parent = cells[parent]["parent"]
        return found

    def containers(cell):
        names = [cells[p]["label"].split("\n")[0] for p in ancestors(cell["id"]) if cells[p]["label"] and p not in tables]
        return names + ([page] if page_given else [])

    def origin(cell_id):
        """The absolute position of a cell's coordinate origin (its parent's top-left corner)."""
        x = y = 0.0
        for parent in ancestors(cell_id):
            if not cells[parent]["vertex"]:
                break
            x, y = x + cells[parent]["x"], y + cells[parent]["y"]
        return x, y

    boxes = {}
    for cell_id, (cell, _, _) in tables.items():
        ox, oy = origin(cell_id)
        boxes[cell_id] = (ox + cell["x"], oy + cell["y"], ox + cell["x"] + cell["w"], oy + cell["y"] + cell["h"])

    def touching(edge, end):
        """The table a free line end rests on or nearly touches (draw.io keeps no `source`/`target` then)."""
        point = edge["points"].get(f"{end}Point")
        if point is None:
            return None
        ox, oy = origin(edge["id"])
        px, py = ox + point[0], oy + point[1]
        near = [tid for tid, (x1, y1, x2, y2) in boxes.items()
                if x1 - TOUCH <= px <= x2 + TOUCH and y1 - TOUCH <= py <= y2 + TOUCH]
        if len(near) > 1:  # two tables this close: which one the line means is not for us to guess
            diagram.problems.append((where(edge), f"a line end at ({px:g}, {py:g}) is near "
                                     f"{' and '.join(repr(tables[t][1]) for t in near)}; not attached"))
            return None
        return near[0] if near else None

    prefix = key  # cell ids are unique within a page only
    for cell_id, (cell, name, columns) in tables.items():
        data = dict(cell["data"])
        diagram.tables.append(Table(id=prefix + cell_id, name=name.strip(), columns=columns, data=data,
                                    containers=containers(cell), where=where(cell),
                                    colour=cell["style"].get("fillColor", "")))
    for edge in edges:
        source = owner(edge["source"]) or (None if edge["source"] in cells else touching(edge, "source"))
        target = owner(edge["target"]) or (None if edge["target"] in cells else touching(edge, "target"))
        text = f" ({edge['label']!r})" if edge["label"] else ""
        if source and target:
            diagram.relations.append(Relation(prefix + source, prefix + target, _end(edge["style"].get("startArrow", "")),
                                              _end(edge["style"].get("endArrow", "")), where(edge)))
        elif source or target:
            end = tables[source or target][1]
            diagram.problems.append((where(edge), f"a line{text} from `{end}` ends on no table; left out"))
        else:
            diagram.problems.append((where(edge), f"a line{text} joining no tables is left out"))
    _report_unused_shapes(diagram, cells, tables, children, where)


def _report_unused_shapes(diagram, cells, tables, children, where) -> None:
    """Every shape that is not a table, a part of one or a container of tables, with its id and text."""
    def inside_table(cell_id):
        seen = set()
        while cell_id in cells and cell_id not in seen:
            if cell_id in tables:
                return True
            seen.add(cell_id)
            cell_id = cells[cell_id]["parent"]
        return False

    holders = set()  # the cells with a table somewhere inside
    for table_id in tables:
        seen, parent = {table_id}, cells[table_id]["parent"]
        while parent in cells and parent not in seen:
            holders.add(parent)
            seen.add(parent)
            parent = cells[parent]["parent"]

    def holds_tables(cell_id):
        return cell_id in holders

    blank = []
    for cell in cells.values():
        if not cell["vertex"] or inside_table(cell["id"]) or holds_tables(cell["id"]):
            continue
        if cell["label"]:
            diagram.problems.append((where(cell), f"shape {cell['label'][:60]!r} is not a table; left out"))
        else:
            blank.append(cell["id"])
    if blank:
        diagram.problems.append((where(cells[blank[0]]), f"{len(blank)} shape(s) without text left out "
                                 f"(cells {', '.join(blank[:12])}{', ...' if len(blank) > 12 else ''})"))


def _end(arrow: str) -> str:
    text = arrow.lower()
    if "many" in text:
        return "many"
    if "one" in text:
        return "one"
    return ""


# ---------------------------------------------------------------- writing

def to_drawio(diagram: Diagram, page: str = "Data Vault") -> str:
    """A draw.io file of the diagram: ERD tables coloured by kind, laid out by role."""
    positions = _layout(diagram)
    lines = ['<mxfile host="dv-spec" agent="dv-spec" type="device">',
             f'  <diagram id="dv-spec" name="{_attr(page)}">',
             '    <mxGraphModel grid="1" gridSize="10" guides="1" tooltips="1" connect="1" arrows="1" fold="1" '
             'page="0" pageScale="1" math="0" shadow="0">',
             "      <root>", '        <mxCell id="0"/>', '        <mxCell id="1" parent="0"/>']
    ids = {}
    for number, table in enumerate(diagram.tables, start=1):
        tid = f"t{number}"
        ids[table.id] = tid
        kind = table.data.get("dv_type", "")
        fill, stroke = COLOURS.get(kind, ("#ffffff", "#000000"))
        x, y = positions[table.id]
        height = HEADER + ROW_HEIGHT * len(table.columns)
        data = "".join(f' {_key(k)}="{_attr(v)}"' for k, v in sorted(table.data.items()))
        tooltip = f' tooltip="{_attr(table.data["dv_description"])}"' if table.data.get("dv_description") else ""
        lines.append(f'        <object id="{tid}" label="{_attr(table.name)}"{data}{tooltip}>')
        lines.append(f'          <mxCell style="shape=table;startSize={HEADER};container=1;collapsible=0;childLayout=tableLayout;'
                     f'fixedRows=1;rowLines=0;fontStyle=1;align=center;resizeLast=1;html=1;fillColor={fill};'
                     f'strokeColor={stroke};" vertex="1" parent="1">')
        lines.append(f'            <mxGeometry x="{x}" y="{y}" width="{WIDTH}" height="{height}" as="geometry"/>')
        lines.append("          </mxCell>")
        lines.append("        </object>")
        for row, column in enumerate(table.columns):
            rid = f"{tid}r{row}"
            lines.append(f'        <mxCell id="{rid}" value="" style="shape=tableRow;horizontal=0;startSize=0;swimlaneHead=0;'
                         'swimlaneBody=0;fillColor=none;collapsible=0;dropTarget=0;points=[[0,0.5],[1,0.5]];'
                         f'portConstraint=eastwest;top=0;left=0;right=0;bottom=0;" vertex="1" parent="{tid}">')
            lines.append(f'          <mxGeometry y="{HEADER + row * ROW_HEIGHT}" width="{WIDTH}" height="{ROW_HEIGHT}" '
                         'as="geometry"/>')
            lines.append("        </mxCell>")
            key = ", ".join(column.roles)
            bold = "fontStyle=1;" if "PK" in column.roles else ""
            offsets = ((KEY_WIDTH, key, 0), (NAME_WIDTH, column.name, KEY_WIDTH), (TYPE_WIDTH, column.type, KEY_WIDTH + NAME_WIDTH))
            for n, (width, value, cx) in enumerate(offsets):
                lines.append(f'        <mxCell id="{rid}c{n}" value="{_attr(value)}" style="shape=partialRectangle;'
                             f'connectable=0;fillColor=none;top=0;left=0;bottom=0;right=0;align=left;spacingLeft=6;'
                             f'overflow=hidden;html=1;{bold}" vertex="1" parent="{rid}">')
                lines.append(f'          <mxGeometry x="{cx}" width="{width}" height="{ROW_HEIGHT}" as="geometry">'
                             f'<mxRectangle width="{width}" height="{ROW_HEIGHT}" as="alternateBounds"/></mxGeometry>')
                lines.append("        </mxCell>")
    for number, relation in enumerate(diagram.relations, start=1):
        source, target = ids.get(relation.source), ids.get(relation.target)
        if not source or not target:
            continue
        start = "ERmany" if relation.source_end == "many" else "ERmandOne"
        end = "ERmandOne" if relation.target_end != "many" else "ERmany"
        lines.append(f'        <mxCell id="e{number}" style="edgeStyle=orthogonalEdgeStyle;html=1;rounded=0;'
                     f'startArrow={start};endArrow={end};startFill=0;endFill=0;" edge="1" parent="1" '
                     f'source="{source}" target="{target}">')
        lines.append('          <mxGeometry relative="1" as="geometry"/>')
        lines.append("        </mxCell>")
    lines += ["      </root>", "    </mxGraphModel>", "  </diagram>", "</mxfile>"]
    return "\n".join(lines) + "\n"


def _attr(value) -> str:
    return html.escape(str(value), quote=True).replace("\n", "&#10;")


def _key(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name) or "data"


def _layout(diagram: Diagram) -> dict:
    """x, y of every table: hubs in a row; links in a row below, between their hubs; satellites beside their parent."""
    by_id = {t.id: t for t in diagram.tables}
    kind = {t.id: t.data.get("dv_type", "") for t in diagram.tables}
    parents = {}
    for relation in diagram.relations:
        if kind.get(relation.source) in PARENTED_KINDS and relation.source not in parents:
            parents[relation.source] = relation.target
    height = {t.id: HEADER + ROW_HEIGHT * len(t.columns) for t in diagram.tables}
    positions, column_width = {}, WIDTH * 2 + GAP * 2

    def satellites_of(parent):
        return [t for t in diagram.tables if parents.get(t.id) == parent]

    def place_column(owner, x, y):
        """The owner at (x, y) and its satellites stacked to its right; returns the bottom."""
        positions[owner] = (x, y)
        bottom, sy = y + height[owner], y
        for sat in satellites_of(owner):
            positions[sat.id] = (x + WIDTH + GAP, sy)
            sy += height[sat.id] + GAP // 2
        return max(bottom, sy)

    hubs = [t.id for t in diagram.tables if kind[t.id] == "hub"]
    bottom = 0
    for n, hub in enumerate(hubs):
        bottom = max(bottom, place_column(hub, n * column_width, 0))
    links = [t.id for t in diagram.tables if kind[t.id] in LINK_KINDS]
    rows = []  # each a list of (link, x): a link goes in the first row where its place is free
    for link in links:
        ends = [positions[r.target][0] for r in diagram.relations if r.source == link and r.target in positions
                and kind.get(r.target) == "hub"]
        x = (int(sum(ends) / len(ends)) + column_width // 2) // 10 * 10 if ends else 0
        row = next((r for r in rows if all(abs(x - other) >= column_width for _, other in r)), None)
        if row is None:
            rows.append(row := [])
        row.append((link, x))
    for row in rows:
        row_y, top = bottom + GAP * 2, bottom
        for link, x in row:
            bottom = max(bottom, place_column(link, x, row_y))
        bottom = max(bottom, top)
    rest = [t.id for t in diagram.tables if t.id not in positions and t.id not in parents]
    rest += [t.id for t in diagram.tables if t.id not in positions and t.id not in rest]
    row_y = bottom + GAP * 2
    for n, other in enumerate(rest):
        positions[other] = (n * (WIDTH + GAP), row_y)
    return {tid: positions.get(tid, (0, 0)) for tid in by_id}
