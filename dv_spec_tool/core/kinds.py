"""The one table of entity kinds, read by Python, the macros and the studio.

`kinds.json` beside this module is the source. The macros cannot read a file
under `dbt run-operation`, so `macros/design/kinds.sql` (`dv_spec.kinds()`)
is generated from it (`python -m dv_spec_tool.core.kinds`) and tests/test_kinds.py
fails when the two differ. The studio is served the same table
with the design (`kind_table` in `GET /api/design`). Every list of kinds elsewhere is a selection from it.
"""

from __future__ import annotations

import json
import os
import sys

TABLE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kinds.json")
MACRO_FILE = os.path.join("design", "kinds.sql")  # under jinja.macros_root()

with open(TABLE_FILE, encoding="utf-8") as _handle:
    _DOCUMENT = json.load(_handle)

# kind -> its row (label, prefix, family, parents, payload, hashdiff, macro, macro_aliases, rank, model, staged, keyed, checked, diagram)
TABLE = {row["kind"]: {k: v for k, v in row.items() if k != "kind"} for row in _DOCUMENT["kinds"]}


def kinds(**where) -> tuple:
    """The kinds whose rows have every given column value, in table order (`kinds(family="link")`)."""
    return tuple(kind for kind, row in TABLE.items() if all(row[column] == value for column, value in where.items()))


KINDS = kinds()
LINK_KINDS = kinds(family="link")
SAT_KINDS = kinds(hashdiff=True)  # satellites with a payload and a hashdiff
PARENTED_KINDS = kinds(family="sat")  # every satellite with a `parent`, effectivity included
HASH_KEY_KINDS = kinds(family="hub") + LINK_KINDS  # entities with a hash key of their own
PARENT_KINDS = {kind: tuple(row["parents"]) for kind, row in TABLE.items() if row["parents"]}
MODEL_KINDS = kinds(model=True)
PAYLOAD_KINDS = kinds(payload=True)
STAGED_KINDS = kinds(staged=True)
KEYED_KINDS = kinds(keyed=True)
CHECKED_KINDS = kinds(checked=True)
DIAGRAM_KINDS = kinds(diagram=True)
RANK = {kind: row["rank"] for kind, row in TABLE.items()}
# an AutomateDV model macro (or alias) -> the kind it builds
KIND_OF_MACRO = {macro: kind for kind in MODEL_KINDS for macro in (TABLE[kind]["macro"], *TABLE[kind]["macro_aliases"])}


def macro_source() -> str:
    """The text of macros/design/kinds.sql: the table as a Jinja literal returned by `kinds()`."""
    if "null" in json.dumps(TABLE):
        raise ValueError("kinds.json: a null is not a Jinja literal; write false, [] or a string")
    body = ",\n".join(f"        {json.dumps(kind)}: {json.dumps(row)}" for kind, row in TABLE.items())
    return ("{#- Generated from dv_spec_tool/core/kinds.json by `python -m dv_spec_tool.core.kinds`: edit the JSON, not this file.\n"
            "    kinds(): the table of entity kinds, {kind: {" + ", ".join(next(iter(TABLE.values()))) + "}},\n"
            "    in table order (docs/design-contract.md, \"Adding a kind\"). -#}\n"
            "{%- macro kinds() -%}\n"
            "    {{- return({\n" + body + "\n    }) -}}\n"
            "{%- endmacro -%}\n"
            "\n\n"
            "{#- The kinds whose `column` is `value`, in table order: dv_spec._kinds_where(\"model\"). -#}\n"
            "{%- macro _kinds_where(column, value=true) -%}\n"
            "    {%- set found = [] -%}\n"
            "    {%- for kind, row in dv_spec.kinds().items() if row[column] == value -%}{%- do found.append(kind) -%}{%- endfor -%}\n"
            "    {{- return(found) -}}\n"
            "{%- endmacro -%}\n")


def main() -> int:
    from dv_spec_tool.core.jinja import macros_root  # here, not on top: every command imports kinds, few need Jinja

    path = os.path.join(macros_root(), MACRO_FILE)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(macro_source())
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
