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

from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.importers.diagrams.from_design import design_to_diagram
from dv_spec_tool.importers.diagrams.model import Column, Diagram, Relation, Table, roles_from_note, roles_of

_MERMAID_KEYS = {"PK": "PK", "FK": "FK", "BK": "UK"}
_NOTES = {"PK": "", "FK": "", "BK": "business key", "DK": "dependent key", "MAK": "multi-active key",
          "HD": "hashdiff", "DRV": "driving key", "EFF": "effective from", "START": "start date", "END": "end date"}


def mermaid_of_design(resolved: dict, names=None) -> str:
    """The Mermaid erDiagram of a resolved design (all vault entities, or `names`)."""
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

# As Mermaid's own erDiagram grammar accepts them: names may be quoted or carry an alias (`A["Label"]`);
# relationships need no spaces around the cardinality (`A||--o{B:""`) and may be written in words
# (`A one or more to zero or one B`); `%%` starts a comment anywhere; `direction TB`, `title`, accTitle/accDescr
# lines and YAML front matter (`---` ... `---`) before `erDiagram` carry no tables.
_NAME = r'(?:"[^"]+"|[^\s{}|o"\[\]:]+?|[A-Za-z_][\w-]*)'
_ENTITY = re.compile(rf'^\s*({_NAME})\s*(?:\[\s*"([^"]*)"\s*\])?\s*\{{\s*(?:([^{{}}]*?)\s*(\}}))?\s*$')
_ATTRIBUTE = re.compile(r'^\s*([^\s"]+)\s+([^\s",]+)((?:\s*,?\s*[A-Za-z]{1,7}\b)*)\s*(?:"([^"]*)")?\s*$')
_CARDINALITY = r'(?:\|o|\|\||\}o|\}\||o\||o\{|\|\{|\|\})'
_RELATION = re.compile(rf'^\s*({_NAME})\s*({_CARDINALITY})\s*(--|\.\.)\s*({_CARDINALITY})\s*({_NAME})\s*(?::\s*(.*))?$')
_WORDS = {"only one": "||", "exactly one": "||", "one": "||", "zero or one": "|o", "one or zero": "|o",
          "zero or more": "}o", "zero or many": "}o", "many(0)": "}o", "0+": "}o", "one or more": "}|",
          "one or many": "}|", "many(1)": "}|", "1+": "}|", "many": "}o"}
_WORD_RELATION = re.compile(r'^\s*(' + _NAME + r')\s+(' + "|".join(re.escape(w) for w in sorted(_WORDS, key=len, reverse=True))
                            + r')\s+(to|optionally to)\s+(' + "|".join(re.escape(w) for w in sorted(_WORDS, key=len, reverse=True))
                            + r')\s+(' + _NAME + r')\s*(?::\s*(.*))?$')
_KIND = re.compile(r"^\s*%%\s*dv:\s*([A-Za-z_]\w*)\s+([A-Za-z_]\w*)\s*$")
_IGNORED = re.compile(r"^\s*(direction\s+(TB|BT|LR|RL)|title\s|accTitle\s*:|accDescr\s*[:{]|style\s|classDef\s|class\s)")


def _unquote(name: str) -> str:
    return name[1:-1] if name.startswith('"') and name.endswith('"') else name


def _strip_comment(line: str) -> str:
    """The line without a trailing `%%` comment (outside quotes); dv-spec's own `%% dv:` lines are kept."""
    if _KIND.match(line):
        return line
    quoted = False
    for n, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif not quoted and line.startswith("%%", n):
            return line[:n].rstrip()
    return line


def _start(lines: list) -> int | None:
    """The index of the `erDiagram` line, after any front matter, in a .mmd file or a Markdown fence."""
    for n, line in enumerate(lines):
        if re.match(r"^\s*erDiagram\b", _strip_comment(line)):
            return n
    return None


def read_mermaid(path: str, text: str) -> Diagram:
    """The tables and lines of a Mermaid erDiagram (the first one, if the text is Markdown)."""
    lines = text.splitlines()
    start = _start(lines)
    diagram = Diagram(path=path)
    if start is None:
        raise UsageError(f"{path}: no `erDiagram` line: not a Mermaid ER diagram")
    others = sum(1 for line in lines[start + 1:] if re.match(r"^\s*erDiagram\b", line))
    if others:
        diagram.problems.append((f"{path}:{start + 1}", f"{others} more erDiagram(s) further on are not read: "
                                 "one diagram per import (put each in its own .mmd file)"))
    title = re.match(r"^\s*erDiagram\b\s*(.*)$", lines[start]).group(1).strip()
    tables, kinds, current = {}, {}, None

    def table_named(raw, where, label=""):
        name = _unquote(raw)
        table = tables.get(name)
        if table is None:
            table = tables[name] = Table(id=name, name=label or name, where=where)
        elif label:
            table.name = label
        return table

    inline = _strip_comment(lines[start])[len(lines[start].split("erDiagram")[0]) + len("erDiagram"):].strip()
    body = ([(start, inline)] if inline and not title else []) + \
        [(n, lines[n]) for n in range(start + 1, len(lines))]
    for number, raw_line in body:
        where = f"{path}:{number + 1}"
        if raw_line.strip().startswith("```"):
            break
        match = _KIND.match(raw_line)
        if match:
            kinds[match.group(1)] = match.group(2)
            continue
        line = _strip_comment(raw_line)
        if not line.strip() or _IGNORED.match(line):
            continue
        if current is not None:
            stripped = line.strip()
            closing = stripped.endswith("}")
            stripped = stripped[:-1].strip() if closing else stripped
            if stripped:
                attribute = _ATTRIBUTE.match(stripped)
                if not attribute:
                    diagram.problems.append((where, f"cannot read attribute line {stripped!r} of `{current.name}`; "
                                             "left out"))
                else:
                    kind, name, keys, note = attribute.groups()
                    roles, unknown = [], []
                    for word in re.findall(r"[A-Za-z]+", keys or ""):
                        found = roles_of(word)
                        unknown += [] if found else [word]
                        roles += [r for r in found if r not in roles]
                    for role in roles_from_note(note or ""):
                        if role not in roles:
                            roles.append(role)
                    if unknown:
                        diagram.problems.append((where, f"`{current.name}.{name}`: key marker(s) {', '.join(unknown)} "
                                                 "are not PK, FK, UK (or BK, DK, MAK, HD, DRV, EFF); ignored"))
                    current.columns.append(Column(name, kind, tuple(roles), note or ""))
            if closing:
                current = None
            continue
        entity = _ENTITY.match(line)
        if entity:
            table = table_named(entity.group(1), where, entity.group(2) or "")
            if table.where != where and table.columns:
                diagram.problems.append((where, f"`{table.name}` has a second block; its attributes are added"))
            current = table
            if entity.group(4):  # `NAME { type name PK }` on one line: its body is read as the next line
                inside = (entity.group(3) or "").strip()
                if inside:
                    body.insert(body.index((number, raw_line)) + 1, (number, inside + " }"))
                else:
                    current = None
            continue
        relation = _RELATION.match(line) or _WORD_RELATION.match(line)
        if relation:
            groups = relation.groups()
            if relation.re is _RELATION:
                left, left_end, _, right_end, right = groups[:5]
            else:
                left, left_end, _, right_end, right = groups[0], _WORDS[groups[1]], groups[2], _WORDS[groups[3]], groups[4]
            label = (groups[-1] or "").strip().strip('"')
            left_table, right_table = table_named(left, where), table_named(right, where)
            left_many, right_many = "{" in left_end or "}" in left_end, "{" in right_end or "}" in right_end
            if left_many and not right_many:
                diagram.relations.append(Relation(left_table.id, right_table.id, "many", "one", where, label))
            else:
                diagram.relations.append(Relation(right_table.id, left_table.id, "many" if right_many else "one",
                                                  "many" if left_many else "one", where, label))
            continue
        diagram.problems.append((where, f"cannot read line {line.strip()!r}; left out"))
    for name, table in tables.items():
        if name in kinds:
            table.data["dv_type"] = kinds[name]
        diagram.tables.append(table)
    return diagram
