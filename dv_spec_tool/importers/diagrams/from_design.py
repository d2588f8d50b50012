"""From a resolved design to a diagram: every vault entity as a table, with
its keys marked and a line to each entity it references.

The writers (Mermaid, Lucidchart CSV, draw.io) draw this one `Diagram`, so
they show the same tables, columns and lines. Column types are illustrative:
the design holds no types, so hash keys are binary (16, 32 or 20 bytes by
the hash algorithm), load datetimes timestamps, dates dates and everything
else varchar.
"""

from __future__ import annotations

from dv_spec_tool.core.kinds import DIAGRAM_KINDS
from dv_spec_tool.core.resolved_design import ResolvedDesign, ResolvedEntity
from dv_spec_tool.importers.diagrams.model import Column, Diagram, Relation, Table

HASH_TYPES = {"md5": "binary(16)", "sha256": "binary(32)", "sha1": "binary(20)"}


def design_to_diagram(resolved: ResolvedDesign, names=None, title: str = "") -> Diagram:
    """The diagram of a resolved design (design.resolve()), limited to `names` when given."""
    settings = resolved["settings"]
    entities = resolved["entities"]
    chosen = [n for n in entities if (names is None or n in names) and entities[n]["kind"] in DIAGRAM_KINDS]
    chosen.sort(key=lambda n: (DIAGRAM_KINDS.index(entities[n]["kind"]), n))
    drawer = _Drawer(settings, entities, set(chosen))
    diagram = Diagram(path="", title=title)
    for name in chosen:
        table, lines = drawer.table(entities[name])
        diagram.tables.append(table)
        diagram.relations += [Relation(source=name, target=target, source_end="many", target_end="one", label=label)
                              for target, label in lines if target in drawer.chosen]
    return diagram


class _Drawer:
    def __init__(self, settings, entities, chosen):
        self.entities = entities
        self.chosen = chosen
        self.ldts = settings["load_datetime_column"]
        self.rsrc = settings["record_source_column"]
        self.hash_type = HASH_TYPES.get(settings.get("hash_algorithm"), "binary")

    def _hash(self, name, roles, note="", references="", references_column=""):
        return Column(name, self.hash_type, tuple(roles), note, references, references_column)

    def _metadata(self, primary=False) -> list:
        return [Column(self.ldts, "timestamp", ("PK",) if primary else ()), Column(self.rsrc, "varchar")]

    def table(self, entity: ResolvedEntity) -> tuple:
        kind = entity["kind"]
        columns, lines = getattr(self, f"_{kind}")(entity)
        columns = [c for c in columns if c.name]  # a key whose entity is missing from the design has no name
        data = {"dv_type": kind}
        if entity.get("as_of_dates"):
            data["dv_as_of_dates"] = entity["as_of_dates"]
        if entity.get("description"):
            data["dv_description"] = " ".join(entity["description"].split())
        return Table(id=entity["name"], name=entity["name"], columns=columns, data=data), lines

    def _hub(self, entity):
        columns = [self._hash(entity["hash_key"], ["PK"], "hash key")]
        columns += [Column(key, "varchar", ("BK",), "business key") for key in entity["business_keys"]]
        return columns + self._metadata(), []

    def _link(self, entity):
        columns = [self._hash(entity["hash_key"], ["PK"], "hash key")]
        lines = []
        for ref in entity["refs"]:
            columns.append(self._hash(ref["foreign_key"], ["FK"], "", ref["hub"], ref["hash_key"] or ""))
            lines.append((ref["hub"], ref["foreign_key"]))
        columns += [Column(key, "varchar", ("DK",), "dependent key") for key in entity["dependent_keys"]]
        if entity["kind"] == "nh_link":
            columns += [Column(column, "varchar") for column in entity["payload"]]
            if entity.get("effective_from"):
                columns.append(Column(entity["effective_from"], "date", ("EFF",), "effective from"))
        return columns + self._metadata(), lines

    _nh_link = _link

    def _parent_key(self, entity):
        return self._hash(entity["parent_hash_key"] or "", ["PK", "FK"], "", entity["parent"], entity["parent_hash_key"] or "")

    def _sat(self, entity):
        columns = [self._parent_key(entity)]
        columns += [Column(key, "varchar", ("PK", "MAK"), "multi-active key") for key in entity.get("multi_active_keys", [])]
        columns.append(Column(self.ldts, "timestamp", ("PK",)))
        columns.append(self._hash(entity["hashdiff"], ["HD"], "hashdiff"))
        columns += [Column(column, "varchar") for column in entity["payload"]]
        if entity.get("effective_from"):
            columns.append(Column(entity["effective_from"], "date", ("EFF",), "effective from"))
        return columns + [Column(self.rsrc, "varchar")], [(entity["parent"], entity["parent_hash_key"] or "")]

    _ma_sat = _sat

    def _eff_sat(self, entity):
        columns = [self._parent_key(entity)]
        link = self.entities.get(entity["parent"]) or {}
        by_key = {ref["foreign_key"]: ref for ref in link.get("refs", [])}
        for key in entity["driving_foreign_keys"]:
            ref = by_key.get(key, {})
            columns.append(self._hash(key, ["FK", "DRV"], "driving key", ref.get("hub", ""), ref.get("hash_key") or ""))
        for key in entity["secondary_foreign_keys"]:
            ref = by_key.get(key, {})
            columns.append(self._hash(key, ["FK"], "", ref.get("hub", ""), ref.get("hash_key") or ""))
        columns.append(Column(entity["start_date"], "date", ("START",), "start date"))
        columns.append(Column(entity["end_date"], "date", ("END",), "end date"))
        if entity.get("effective_from"):
            columns.append(Column(entity["effective_from"], "date", ("EFF",), "effective from"))
        return columns + self._metadata(primary=True), [(entity["parent"], entity["parent_hash_key"] or "")]

    def _ref_table(self, entity):
        columns = [Column(key, "varchar", ("PK",)) for key in entity["reference_keys"]]
        columns += [Column(column, "varchar") for column in entity["payload"]]
        return columns + self._metadata(), []

    def _pit(self, entity):
        columns = [self._hash(entity["hub_hash_key"] or "", ["PK", "FK"], "", entity["hub"], entity["hub_hash_key"] or ""),
                   Column("as_of_date", "timestamp", ("PK",), f"as of dates: {entity['as_of_dates']}")]
        lines = [(entity["hub"], entity["hub_hash_key"] or "")]
        for sat in entity["satellites"]:
            parent_key = (self.entities.get(sat["name"]) or {}).get("parent_hash_key") or ""
            columns.append(self._hash(sat["foreign_key"], ["FK"], "", sat["name"], parent_key))
            columns.append(Column(sat["foreign_load_datetime"], "timestamp"))
            lines.append((sat["name"], sat["foreign_key"]))
        return columns, lines

    def _bridge(self, entity):
        columns = [self._hash(entity["hub_hash_key"] or "", ["PK", "FK"], "", entity["hub"], entity["hub_hash_key"] or ""),
                   Column("as_of_date", "timestamp", ("PK",), f"as of dates: {entity['as_of_dates']}")]
        lines = [(entity["hub"], entity["hub_hash_key"] or "")]
        for link in entity["links"]:
            columns.append(self._hash(link["foreign_key"], ["FK"], "", link["name"], link["hash_key"] or ""))
            lines.append((link["name"], link["foreign_key"]))
            if link["effectivity_satellite"]:
                columns.append(Column(link["bridge_end_date"], "date", ("FK",), "", link["effectivity_satellite"],
                                      link["end_date"] or ""))
                columns.append(Column(link["bridge_load_date"], "timestamp"))
                lines.append((link["effectivity_satellite"], link["bridge_end_date"]))
        return columns, lines
