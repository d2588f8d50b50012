"""Mermaid `erDiagram`: written for pull requests (GitHub and GitLab render it), read back for round trips.

`to_mermaid(diagram)` is the plain generator other modules reuse (the spec
writer embeds it); `mermaid_of_design(resolved)` draws a resolved design.

Each entity is a block of `type name keys "comment"` attributes. Mermaid
knows only PK, FK and UK keys, so business keys are written UK and the Data
Vault role of a column (hash key, business key, hashdiff, driving key,
multi-active key, ...) is its comment. A `%% dv: <name> <kind>` line before
each block records the kind, for readers that do not know the naming
conventions.
"""

from __future__ import annotations

import re

from .model import Column, Diagram, Relation, Table, roles_from_note

_MERMAID_KEYS = {"PK": "PK", "FK": "FK", "BK": "UK"}
_NOTES = {"PK": "", "FK": "", "BK": "business key", "DK": "dependent key", "MAK": "multi-active key",
          "HD": "hashdiff", "DRV": "driving key", "EFF": "effective from", "START": "start date", "END": "end date"}


def mermaid_of_design(resolved: dict, names=None) -> str:
    """The Mermaid erDiagram of a resolved design (all vault entities, or `names`)."""
    from .from_design import design_to_diagram

    return to_mermaid(design_to_diagram(resolved, names))


def to_mermaid(diagram: Diagram) -> str:
    lines = ["erDiagram"]
    names = {table.id: table.name for table in diagram.tables}
    for table in diagram.tables:
        kind = table.data.get("dv_type")
        if kind:
            lines.append(f"    %% dv: {table.name} {kind}")
        lines.append(f"    {table.name} {{")
        for column in table.columns:
            lines.append("        " + _attribute(column))
        lines.append("    }")
    for relation in diagram.relations:
        child, parent = names.get(relation.source), names.get(relation.target)
        if child and parent:
            label = _label(diagram, relation)
            lines.append(f'    {parent} ||--o{{ {child} : "{label}"')
    return "\n".join(lines) + "\n"


def _attribute(column: Column) -> str:
    kind = re.sub(r"\(.*\)", "", column.type or "varchar").strip().replace(" ", "_") or "varchar"
    keys = [_MERMAID_KEYS[r] for r in column.roles if r in _MERMAID_KEYS]
    note_parts = [column.note] if column.note else []
    note_parts += [_NOTES[r] for r in column.roles if _NOTES.get(r) and _NOTES[r] not in " ".join(note_parts)]
    text = f"{kind} {column.name}"
    if keys:
        text += " " + ", ".join(dict.fromkeys(keys))
    if note_parts:
        text += ' "' + "; ".join(note_parts).replace('"', "'") + '"'
    return text


def _label(diagram: Diagram, relation: Relation) -> str:
    if relation.label:
        return relation.label
    child = next((t for t in diagram.tables if t.id == relation.source), None)
    parent = next((t for t in diagram.tables if t.id == relation.target), None)
    if child and parent:
        for column in child.columns:
            if column.references == parent.name and column.name:
                return column.name
    return ""


# ---------------------------------------------------------------- reading

_ENTITY = re.compile(r'^\s*([A-Za-z_][\w-]*)(?:\s*\[\s*"[^"]*"\s*\])?\s*\{\s*$')
_ATTRIBUTE = re.compile(r'^\s*([A-Za-z_][\w()\[\],.-]*)\s+([A-Za-z_*][\w-]*)\s*((?:\s*(?:PK|FK|UK)\s*,?)*)\s*(?:"([^"]*)")?\s*$')
_RELATION = re.compile(r'^\s*([A-Za-z_][\w-]*)\s+([|}][|o])\s*(?:--|\.\.)\s*([|o][|{])\s+([A-Za-z_][\w-]*)\s*(?::\s*(.*))?$')
_KIND = re.compile(r"^\s*%%\s*dv:\s*([A-Za-z_]\w*)\s+([A-Za-z_]\w*)\s*$")


def read_mermaid(path: str, text: str) -> Diagram:
    """The tables and lines of a Mermaid erDiagram (the first one, if the text is Markdown)."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip() == "erDiagram"), None)
    diagram = Diagram(path=path)
    if start is None:
        from ..errors import UsageError

        raise UsageError(f"{path}: no `erDiagram` line: not a Mermaid ER diagram")
    tables, kinds, current = {}, {}, None
    for number in range(start + 1, len(lines)):
        line = lines[number]
        where = f"{path}:{number + 1}"
        if line.strip().startswith("```"):
            break
        match = _KIND.match(line)
        if match:
            kinds[match.group(1)] = match.group(2)
            continue
        if not line.strip() or line.strip().startswith("%%"):
            continue
        if current is not None:
            if line.strip() == "}":
                current = None
                continue
            attribute = _ATTRIBUTE.match(line)
            if not attribute:
                diagram.problems.append((where, f"cannot read attribute line {line.strip()!r} of `{current.name}`"))
                continue
            kind, name, keys, note = attribute.groups()
            roles = []
            for key in re.findall(r"PK|FK|UK", keys or ""):
                roles.append({"PK": "PK", "FK": "FK", "UK": "BK"}[key])
            for role in roles_from_note(note or ""):
                if role not in roles:
                    roles.append(role)
            current.columns.append(Column(name, kind, tuple(roles), note or ""))
            continue
        entity = _ENTITY.match(line)
        if entity:
            name = entity.group(1)
            current = tables.get(name) or Table(id=name, name=name, where=where)
            tables[name] = current
            continue
        relation = _RELATION.match(line)
        if relation:
            left, left_end, right_end, right = relation.group(1), relation.group(2), relation.group(3), relation.group(4)
            for name in (left, right):
                tables.setdefault(name, Table(id=name, name=name, where=where))
            left_many, right_many = "{" in left_end or "}" in left_end, "{" in right_end or "}" in right_end
            if left_many and not right_many:
                diagram.relations.append(Relation(left, right, "many", "one", where))
            else:
                diagram.relations.append(Relation(right, left, "many" if right_many else "one",
                                                  "many" if left_many else "one", where))
            continue
        diagram.problems.append((where, f"cannot read line {line.strip()!r}"))
    for name, table in tables.items():
        if name in kinds:
            table.data["dv_type"] = kinds[name]
        diagram.tables.append(table)
    return diagram
