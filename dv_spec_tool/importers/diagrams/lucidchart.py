"""Lucidchart: read "Export as CSV of shape data"; write (and read) the CSV its ERD import takes.

**CSV of shape data** (File > Export > CSV of Shape Data): one row per page,
shape and line. Columns are found by header name, never by position, because
exports differ by version: `Id, Name, Shape Library, Page ID, Contained By,
Group, Line Source, Line Destination, Source Arrow, Destination Arrow,
[Status,] Text Area 1..n, Comments`, plus one column per custom shape-data
key (e.g. `dv_type`). Newer exports start with a `Document` row and `Page`
rows; older ones have no `Status` column. An ERD table is a row whose
`Shape Library` is `Entity Relationship` (its `Name` is `Entity`); its
`Text Area 1` is the table name and the following text areas are its cells
row by row, in the order of the shape variant (name / type / key, in any of
the variants' orders), which is detected from the cells. `Contained By`
lists enclosing shapes' ids separated by `|`. A line's `Line Source` and
`Line Destination` are shape ids; its arrows (`CFN ERD Many Arrow`, `CFN ERD
Exactly One Arrow`, ...) give each end's cardinality.

**ERD import CSV** (File > Import Data > Entity Relationship): the result of
Lucidchart's information-schema query, one row per column and constraint:
`dbms, TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME,
ORDINAL_POSITION, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, CONSTRAINT_TYPE,
FK_TABLE_SCHEMA, FK_TABLE_NAME, FK_COLUMN_NAME`; CONSTRAINT_TYPE is
`PRIMARY KEY`, `FOREIGN KEY` or `UNIQUE`, and the FK_ columns name the
referenced table and column. dv-spec writes it with TABLE_SCHEMA set to the
kind's group (`hubs`, `links`, `satellites`, ...) and reads it back.
"""

from __future__ import annotations

import csv
import io
import re

from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.importers.diagrams.model import Column, Diagram, Relation, Table, columns_from_cells

INFORMATION_SCHEMA = ("dbms", "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME", "ORDINAL_POSITION",
                      "DATA_TYPE", "CHARACTER_MAXIMUM_LENGTH", "CONSTRAINT_TYPE", "FK_TABLE_SCHEMA", "FK_TABLE_NAME",
                      "FK_COLUMN_NAME")
SCHEMA_OF_KIND = {"hub": "hubs", "link": "links", "nh_link": "non-historised links", "sat": "satellites",
                  "ma_sat": "multi-active satellites", "eff_sat": "effectivity satellites", "ref_table": "reference tables",
                  "pit": "point-in-time tables", "bridge": "bridges"}
_STANDARD = {"id", "name", "shape library", "page id", "contained by", "group", "line source", "line destination",
             "source arrow", "destination arrow", "status", "comments", "tags", "text"}
_TEXT_AREA = re.compile(r"^text area (\d+)$", re.IGNORECASE)


DBMS = ("postgresql", "postgres", "mysql", "mariadb", "sqlserver", "mssql", "oracle", "snowflake", "redshift",
        "bigquery", "db2", "sqlite", "azure", "synapse", "databricks")


def _header_key(name: str) -> str:
    """A header as written in any export version (`Text Area 1`, `TextArea1`, `text_area_1`) in one spelling."""
    squeezed = re.sub(r"[^a-z0-9]", "", name.lower())
    standard = {re.sub(r"[^a-z0-9]", "", key): key for key in _STANDARD}
    if squeezed in standard:
        return standard[squeezed]
    match = re.match(r"^textarea(\d+)$", squeezed)
    return f"text area {match.group(1)}" if match else name.strip().lower()


def read_lucidchart(path: str, text: str, page: str | None = None) -> Diagram:
    """A Lucidchart CSV of shape data, or an ERD import CSV or TSV, with or without its header row."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    rows = _rows(path, text, delimiter)
    if not rows:
        raise UsageError(f"{path}: empty file: export the diagram with File > Export > CSV of Shape Data")
    header = [_header_key(h) for h in rows[0][1]]
    if "table_name" in header and "column_name" in header:
        if page is not None:
            raise UsageError("--page: an ERD import CSV has no pages")
        return _read_information_schema(path, header, rows[1:])
    head = [cell.strip().lower() for cell in rows[0][1]]
    if head and (head[0] in DBMS or (len(head) in (11, 12) and len(head) > 5 and head[5].isdigit())):
        # the ERD import query's output as Lucidchart's database import saves it: no header row
        names = [n.lower() for n in INFORMATION_SCHEMA]
        return _read_information_schema(path, names if len(head) == 12 else names[1:], rows)
    if "id" not in header or "name" not in header:
        raise UsageError(f"{path}:1: not a Lucidchart CSV of shape data: the header has no `Id` and `Name` columns "
                         "(export with File > Export > CSV of Shape Data)")
    return _read_shape_data(path, header, rows[1:], page)


def _rows(path: str, text: str, delimiter: str = ",") -> list:
    """(line number, cells) of each CSV record; the line is where the record starts."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter, strict=True)
    rows, line = [], 1
    try:
        for record in reader:
            rows.append((line, record))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise UsageError(f"{path}:{reader.line_num}: not valid CSV ({exc})") from None
    return [(n, r) for n, r in rows if any(cell.strip() for cell in r)]


def _read_shape_data(path: str, header: list, rows: list, page: str | None = None) -> Diagram:
    lowered = [h.lower() for h in header]
    index = {name: lowered.index(name) for name in _STANDARD if name in lowered}
    text_areas = sorted((int(m.group(1)), n) for n, h in enumerate(header) if (m := _TEXT_AREA.match(h)))
    custom = [(h.strip().lower(), n) for n, h in enumerate(header)
              if h.strip().lower() not in _STANDARD and not _TEXT_AREA.match(h.strip()) and h.strip()]
    diagram = Diagram(path=path)

    def cell(record, name):
        n = index.get(name)
        return record[n].strip() if n is not None and n < len(record) else ""

    def areas(record):
        return [record[n] if n < len(record) else "" for _, n in text_areas]

    pages, shapes, lines = {}, {}, []
    for number, record in rows:
        kind = cell(record, "name")
        texts = areas(record)
        first = " ".join(texts[0].split()) if texts else ""
        if kind.lower() == "document":
            diagram.title = first
        elif kind.lower() == "page":
            pages[cell(record, "id")] = first
        elif kind.lower() == "line":
            lines.append((number, record))
        else:
            shapes[cell(record, "id")] = (number, record, kind, texts)
    if page is not None and page not in pages.values():
        raise UsageError(f"{path}: no page named {page!r}; its pages: {', '.join(repr(n) for n in pages.values()) or 'none named'}")
    for name in pages.values():
        if page is not None and name != page:
            diagram.problems.append((path, f"page {name!r} is not read (--page {page!r})"))
    containers = {sid: " ".join(texts[0].split()) for sid, (_, _, _, texts) in shapes.items() if texts and texts[0].strip()}
    def is_table(record, kind):
        return "entity relationship" in cell(record, "shape library").lower() or kind.lower().startswith("entity")

    def inside(record):
        return {c.strip() for c in cell(record, "contained by").split("|") if c.strip()}

    holders = {c for _, record, kind, _ in shapes.values() if is_table(record, kind) for c in inside(record)}
    while True:  # the shapes holding a table, or holding a shape that holds one
        more = {c for sid in holders if sid in shapes for c in inside(shapes[sid][1])} - holders
        if not more:
            break
        holders |= more
    for sid, (number, record, kind, texts) in shapes.items():
        if not is_table(record, kind):
            on_page = pages.get(cell(record, "page id"))
            if sid not in holders and (page is None or on_page == page):
                label = " ".join(" ".join(texts).split())[:60]
                diagram.problems.append((f"{path}:{number}", f"shape {sid} ({kind or 'no type'}"
                                         + (f", {label!r}" if label else "") + ") is not an ERD table; left out"))
            continue
        where = f"{path}:{number}"
        name = " ".join(texts[0].split()) if texts else ""
        columns, layout = columns_from_cells(texts[1:])
        if not layout:
            diagram.problems.append((where, f"table `{name}`: cannot tell which of its cells are column names, types "
                                     "and key markers; its columns are left out"))
        inside = [containers[c.strip()] for c in cell(record, "contained by").split("|")
                  if c.strip() in containers and c.strip() != sid]
        on_page = pages.get(cell(record, "page id"))
        if page is not None and on_page != page:
            continue
        data = {key: record[n].strip() for key, n in custom if n < len(record) and record[n].strip()}
        diagram.tables.append(Table(id=sid, name=name, columns=columns, data=data,
                                    containers=inside + ([on_page] if on_page else []), where=where))
    tables = {t.id for t in diagram.tables}
    for number, record in lines:
        source, target = cell(record, "line source"), cell(record, "line destination")
        if source in tables and target in tables:
            diagram.relations.append(Relation(source, target, _end(cell(record, "source arrow")),
                                              _end(cell(record, "destination arrow")), f"{path}:{number}"))
        elif source in tables or target in tables:
            diagram.problems.append((f"{path}:{number}", "a line with one end on no ERD table is left out"))
        elif page is None or any(s in shapes and pages.get(cell(shapes[s][1], "page id")) == page for s in (source, target)):
            diagram.problems.append((f"{path}:{number}", "a line joining no ERD tables is left out"))
    return diagram


def _end(arrow: str) -> str:
    text = arrow.lower()
    if "many" in text or "more" in text:
        return "many"
    if "one" in text:
        return "one"
    return ""


def _read_information_schema(path: str, header: list, rows: list) -> Diagram:
    lowered = [h.lower() for h in header]
    missing = [name for name in ("table_name", "column_name") if name not in lowered]
    if missing:
        raise UsageError(f"{path}:1: the ERD import CSV has no {', '.join(missing)} column")
    diagram = Diagram(path=path)
    tables, order = {}, {}

    def value(record, name):
        name = name.lower()
        return record[lowered.index(name)].strip() if name in lowered and lowered.index(name) < len(record) else ""

    for number, record in rows:
        table_name, column_name = value(record, "table_name"), value(record, "column_name")
        if not table_name:
            continue
        table = tables.get(table_name)
        if table is None:
            schema = value(record, "table_schema")
            table = tables[table_name] = Table(id=table_name, name=table_name, containers=[schema] if schema else [],
                                               where=f"{path}:{number}")
        if not column_name:
            continue
        column = next((c for c in table.columns if c.name == column_name), None)
        if column is None:
            kind = value(record, "data_type")
            length = value(record, "character_maximum_length")
            column = Column(column_name, f"{kind}({length})" if kind and length else kind)
            table.columns.append(column)
            position = value(record, "ordinal_position")
            order[(table_name, column_name)] = int(position) if position.isdigit() else len(order) + 10 ** 6
        constraint = value(record, "constraint_type").upper()
        role = {"PRIMARY KEY": "PK", "FOREIGN KEY": "FK", "UNIQUE": "BK"}.get(constraint)
        if role and role not in column.roles:
            column.roles = column.roles + (role,)
        if role == "FK" and value(record, "fk_table_name"):
            column.references = value(record, "fk_table_name")
            column.references_column = value(record, "fk_column_name")
            diagram.relations.append(Relation(table_name, column.references, "many", "one", f"{path}:{number}"))
    for table in tables.values():
        table.columns.sort(key=lambda c: order.get((table.name, c.name), 0))
        diagram.tables.append(table)
    return diagram


def to_lucidchart_csv(diagram: Diagram, catalog: str = "", dbms: str = "postgresql") -> str:
    """The ERD import CSV of a diagram: one row per column and constraint, with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(INFORMATION_SCHEMA)
    for table in diagram.tables:
        schema = SCHEMA_OF_KIND.get(table.data.get("dv_type"), "vault")
        for position, column in enumerate(table.columns, start=1):
            kind, length = _split_type(column.type)
            base = [dbms, catalog, schema, table.name, column.name, position, kind, length]
            constraints = []
            if "PK" in column.roles:
                constraints.append(("PRIMARY KEY", "", "", ""))
            if "FK" in column.roles and column.references:
                target = next((t for t in diagram.tables if t.name == column.references), None)
                target_schema = SCHEMA_OF_KIND.get(target.data.get("dv_type"), "vault") if target else ""
                constraints.append(("FOREIGN KEY", target_schema, column.references, column.references_column))
            if "BK" in column.roles or "DK" in column.roles:
                constraints.append(("UNIQUE", "", "", ""))
            for constraint in constraints or [("", "", "", "")]:
                writer.writerow(base + list(constraint))
    return out.getvalue()


def _split_type(text: str) -> tuple:
    match = re.match(r"^\s*([^(]*?)\s*\(\s*(\d+)\s*\)\s*$", text or "")
    if match:
        return match.group(1), match.group(2)
    return (text or ""), ""
