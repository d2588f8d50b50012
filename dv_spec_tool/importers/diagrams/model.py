"""A diagram as plain data: tables with columns and key markers, and the lines between them.

Every reader (Lucidchart CSV, draw.io, Mermaid) produces a `Diagram`, and
every writer consumes one, so the Data Vault meaning of a picture is decided
in one place (`to_design`, `from_design`) whatever tool drew it.

Column roles are canonical markers:

=========  =====================================================
PK         primary key (a hub's or link's hash key; a satellite's parent key)
FK         foreign key (a link's hub keys, a satellite's parent key)
BK         business key (hubs); also written UK, NK, UNIQUE
DK         dependent key (links)
MAK        multi-active key (ma_sat; AutomateDV's src_cdk); also CDK
HD         hashdiff
DRV        driving key (eff_sat)
EFF        effective-from column
START/END  an effectivity satellite's start and end dates
=========  =====================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from text_unidecode import unidecode

ROLES = ("PK", "FK", "BK", "DK", "MAK", "HD", "DRV", "EFF", "START", "END")

# Words people and tools write in an ERD's key cell, and the role each means.
KEY_WORDS = {
    "PK": "PK", "P": "PK", "PRIMARY": "PK", "PRIMARY KEY": "PK",
    "FK": "FK", "F": "FK", "FOREIGN": "FK", "FOREIGN KEY": "FK",
    "PFK": ("PK", "FK"),
    "BK": "BK", "NK": "BK", "UK": "BK", "AK": "BK", "UNIQUE": "BK", "U": "BK",
    "DK": "DK",
    "MAK": "MAK", "CDK": "MAK",
    "HD": "HD", "HDIFF": "HD",
    "DRV": "DRV", "DRIVING": "DRV",
    "EFF": "EFF",
    "START": "START", "END": "END",
}

# The phrases dv-spec writes as column comments (Mermaid, draw.io) and reads back.
ROLE_NOTES = {
    "hash key": "PK", "business key": "BK", "dependent key": "DK", "multi-active key": "MAK",
    "hashdiff": "HD", "driving key": "DRV", "effective from": "EFF", "start date": "START", "end date": "END",
}

_TYPE = re.compile(
    r"^(big|small|tiny)?(int|integer|number|numeric|decimal|dec|float\d*|double( precision)?|real|money|serial"
    r"|varchar\d*|nvarchar|char|nchar|character( varying)?|string|text|str|uuid|guid"
    r"|date|datetime\d*|time|timestamp(_ntz|_ltz|_tz)?|timestamptz|interval"
    r"|bool|boolean|bit|binary|varbinary|bytes|bytea|blob|clob|hash"
    r"|variant|object|array|json|jsonb|xml|geography|geometry)"
    r"\s*(\(.*\))?(\s+(not\s+)?null)?\??$",
    re.IGNORECASE,
)


@dataclass
class Column:
    name: str
    type: str = ""
    roles: tuple = ()  # canonical markers, see ROLES
    note: str = ""  # a free comment
    references: str = ""  # the table a foreign key points at, when the format says so
    references_column: str = ""


@dataclass
class Table:
    id: str
    name: str
    columns: list = field(default_factory=list)
    data: dict = field(default_factory=dict)  # shape data / custom properties, keys lower-case
    containers: list = field(default_factory=list)  # names of enclosing shapes and the page, innermost first
    where: str = ""  # `file:line` or `file: cell <id>`, for findings
    colour: str = ""  # fill colour, when the format has one (`#dae8fc`)


@dataclass
class Relation:
    source: str  # table id
    target: str  # table id
    source_end: str = ""  # "one", "many" or "" (unknown)
    target_end: str = ""
    where: str = ""
    label: str = ""  # the foreign key column the line stands for, when known


@dataclass
class Diagram:
    path: str
    title: str = ""
    tables: list = field(default_factory=list)
    relations: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # (where, message): what the reader could not use


_COMMENT = re.compile(r"/\*.*?\*/|--.*$|//.*$", re.DOTALL)


def identifier(label: str) -> str:
    """A label as a snake_case SQL identifier: comments dropped, other scripts transliterated.

    >>> identifier("customer /* CRM */"), identifier("Advice Line"), identifier("Хаб_Накладная")
    ('customer', 'advice_line', 'khab_nakladnaia')
    >>> identifier("HUB_Customer"), identifier("___")
    ('hub_customer', '')
    """
    text = unidecode(_COMMENT.sub(" ", label or "")).lower()
    text = re.sub(r"[^a-z0-9_]+", "_", text.replace("-", "_"))
    text = re.sub(r"_{2,}", "__", text).strip("_")
    return f"_{text}" if text[:1].isdigit() else text


def roles_of(cell: str) -> tuple:
    """The canonical roles named in a key cell (`PK, FK`, `bk`, `PRIMARY KEY`); unknown words are ignored."""
    found = []
    text = (cell or "").strip().upper()
    if text in KEY_WORDS:
        words = [text]
    else:
        words = [w for w in re.split(r"[\s,;/|+&]+", text) if w]
    for word in words:
        role = KEY_WORDS.get(word) or KEY_WORDS.get(re.sub(r"(?<=[A-Z])\d+$", "", word))  # FK1, AK2: numbered keys
        for r in (role if isinstance(role, tuple) else (role,)):
            if r and r not in found:
                found.append(r)
    return tuple(found)


def roles_from_note(note: str) -> tuple:
    """Roles named by dv-spec's column comments (`business key`, `hashdiff`, ...)."""
    text = (note or "").lower()
    return tuple(role for phrase, role in ROLE_NOTES.items() if re.search(rf"\b{re.escape(phrase)}\b", text))


def is_key_cell(cell: str) -> bool:
    """Empty, or only key words: what an ERD's key column holds."""
    text = (cell or "").strip()
    if not text:
        return True
    words = [re.sub(r"(?<=[A-Z])\d+$", "", w) for w in re.split(r"[\s,;/|+&]+", text.upper()) if w]
    return text.upper() in KEY_WORDS or all(w in KEY_WORDS for w in words)


def is_type_cell(cell: str) -> bool:
    return bool(_TYPE.match((cell or "").strip()))


_LAYOUTS = (
    ("name", "type", "key"), ("key", "name", "type"), ("name", "key", "type"), ("key", "type", "name"),
    ("type", "name", "key"), ("type", "key", "name"),
    ("name", "type"), ("key", "name"), ("name", "key"), ("type", "name"),
    ("name",),
)


def columns_from_cells(cells: list, width: int | None = None) -> tuple:
    """Columns from an ERD shape's cells read row by row, and the layout found.

    ERD shapes come in variants (name only; name and type; key and name; key,
    name and type; ...), and exports list their cells row by row without
    saying which. The layout is detected: a key cell holds only key words
    (PK, FK, ...), a type cell looks like a SQL type, a name cell is neither.
    With `width`, only layouts of that many cells per row are tried (a
    format that keeps rows apart, like draw.io's tables). Returns (columns,
    layout); layout is () when no layout fits.
    """
    cells = [(c or "").strip() for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    if not cells:
        return [], ("name",)
    best, best_score = None, None
    for rank, layout in enumerate(_LAYOUTS):
        size = len(layout)
        if width is not None and size != width:
            continue
        padded = cells + [""] * (-len(cells) % size)
        rows = [dict(zip(layout, padded[i:i + size])) for i in range(0, len(padded), size)]
        rows = [row for row in rows if any(row.values())]
        score = 0
        for row in rows:
            if "key" in row and not is_key_cell(row["key"]):
                score = None
                break
            name = row["name"]
            if not name or is_type_cell(name) or (name.upper() in KEY_WORDS):
                score -= 2
            else:
                score += 1
            if "type" in row:
                score += 1 if is_type_cell(row["type"]) else (0 if not row["type"] else -2)
            if "key" in row and row["key"]:
                score += 1
        if score is None:
            continue
        if best_score is None or score > best_score:
            best, best_score = (rows, layout, rank), score
    if best is None:
        return [], ()
    rows, layout, _ = best
    columns = [Column(name=row["name"], type=row.get("type", ""), roles=roles_of(row.get("key", "")))
               for row in rows if row["name"]]
    return columns, layout


def columns_of_row(text: str) -> list:
    """A column from a list row such as `+ customer_id: varchar(20) PK`, `PK | customer_hk | binary`."""
    text = text.strip()
    if not text:
        return []
    text = re.sub(r"^[+#~-]\s+", "", text)
    if "|" in text or "\t" in text:
        columns, _ = columns_from_cells([p for p in re.split(r"[|\t]", text)])
        return columns[:1]
    words = text.replace(":", " ").replace(",", " ").split()
    roles, name, kind = [], "", ""
    for word in words:
        if not name and is_key_cell(word):
            roles += [r for r in roles_of(word) if r not in roles]
        elif not name:
            name = word
        elif not kind and is_type_cell(word):
            kind = word
        elif is_key_cell(word):
            roles += [r for r in roles_of(word) if r not in roles]
    return [Column(name, kind, tuple(roles))] if name else []
