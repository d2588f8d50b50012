"""Generate a synthetic but realistic dbt project with N Data Vault design entities.

The project is what a mid-sized vault looks like from dv-spec's side:

* design entities in `config.meta.dv` blocks, about 3:3:4 hubs, links and
  satellites plus a few nh_link, ma_sat, eff_sat, pit, bridge, ref_table and
  stage entities, spread over subject-area folders (`models/<area>/`) in
  schema files of about 20 entities each;
* a seed CSV (header and two rows) for every seed a design reads from, and a
  `sources:` block with declared columns per subject area for the tables read
  through dbt sources, so `dv-spec validate` checks every column (DV300);
* per-source business-key mappings where a source names its keys differently,
  role-playing links, links across subject areas, custom load-datetime
  columns, record-source literals, satellites that reuse their parent's
  mapping, and staging models declared as `stage` entities;
* a `dbt_project.yml` with `vars.dv_spec` settings.

The output depends only on `n_entities` and `seed` (no clock, no environment),
and the first N entities of a larger design are exactly the design of size N,
so sizes compare like for like. The design is meant to be clean: `dv-spec
validate` must report no findings at all; `benchmarks/run.py` asserts that.

Library use (benchmarks and tests)::

    from benchmarks.generate_design import generate
    info = generate("/tmp/bench", 1000, seed=0)   # writes the project
    info.counts                                    # entities per kind

`build(n_entities, seed)` returns the files as a {relative path: text} dict
without touching the disk.

Script use::

    python benchmarks/generate_design.py OUT_DIR --entities 1000 [--seed 0] [--model-sql]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import random
import sys
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["KIND_SHARES", "Generated", "build", "generate", "main"]

# Entities per 100, in the order ties are broken. Hubs:links:sats = 26:26:34,
# about 3:3:4, plus the other kinds. Any prefix of the stream keeps these
# shares (a deficit scheduler picks the next kind), so N=250 looks like N=4000.
KIND_SHARES = {
    "hub": 26,
    "link": 26,
    "sat": 34,
    "nh_link": 3,
    "ma_sat": 3,
    "eff_sat": 3,
    "pit": 2,
    "bridge": 1,
    "ref_table": 1,
    "stage": 1,
}
ENTITIES_PER_FILE = 20
ENTITIES_PER_AREA_RUN = 50  # consecutive entities go to the same subject area
LOAD_DATETIME = "load_datetime"
AS_OF_DATES = "as_of_dates"

# subject area -> (source system for dbt sources, business nouns)
AREAS = {
    "party": ("crm", ["customer", "person", "organisation", "household", "contact", "prospect", "employer",
                      "beneficiary", "guardian", "agent", "broker", "partner"]),
    "product": ("pim", ["product", "product_variant", "brand", "catalogue", "price_list", "bundle", "feature",
                        "component", "licence", "warranty_plan"]),
    "sales": ("erp", ["sales_order", "order_line", "quote", "opportunity", "campaign", "channel", "store",
                      "sales_region", "discount", "promotion", "basket"]),
    "finance": ("gl", ["ledger_account", "cost_centre", "invoice", "payment", "journal", "budget", "tax_code",
                       "bank_account", "fiscal_period", "profit_centre"]),
    "claims": ("cms", ["claim", "claim_line", "policy", "coverage", "incident", "adjuster", "settlement",
                       "recovery", "diagnosis", "procedure"]),
    "provider": ("pms", ["provider", "facility", "network", "practice", "specialty", "credential", "referral_source",
                         "clinic", "department", "affiliation"]),
    "supply_chain": ("wms", ["supplier", "purchase_order", "warehouse", "shipment", "carrier", "inventory_item",
                             "bin_location", "delivery", "goods_receipt", "supplier_site"]),
    "workforce": ("hcm", ["employee", "position", "job_profile", "org_unit", "contract", "timesheet", "skill",
                          "training_course", "payroll_run", "leave_request"]),
    "marketing": ("mkt", ["audience", "segment", "campaign_wave", "content_asset", "email_send", "web_session",
                          "lead", "survey", "offer", "loyalty_member"]),
    "logistics": ("tms", ["route", "vehicle", "driver", "depot", "consignment", "parcel", "stop", "trip",
                          "freight_rate", "terminal"]),
    "risk": ("grc", ["risk_event", "control", "audit", "finding", "mitigation", "exposure", "counterparty",
                     "limit", "rating", "scenario"]),
    "billing": ("bss", ["subscription", "billing_account", "usage_record", "tariff", "bill_cycle", "credit_note",
                        "dunning_case", "payment_plan", "meter", "service_point"]),
}
SECOND_SYSTEMS = ["legacy", "portal", "partner", "mdm", "ecom"]
# a noun used again becomes a variant of it (`corporate_customer`), then numbered (`customer_12`)
QUALIFIERS = ["corporate", "retail", "emea", "apac", "americas", "wholesale", "digital", "group", "local",
              "external", "internal", "premium"]
KEY_SUFFIXES = ["id", "code", "number"]
KEY_ALTERNATIVES = {"id": "ident", "code": "cd", "number": "no"}
SAT_TOPICS = ["details", "status", "profile", "contact", "financials", "classification", "preferences",
              "lifecycle", "metrics", "compliance"]
LINK_SAT_TOPICS = ["details", "status", "terms", "allocation", "validity"]
SELF_RELATIONS = [("parent", "child"), ("predecessor", "successor"), ("primary", "secondary")]
EVENTS = ["payment", "shipment", "transfer", "booking", "adjustment", "visit", "order_event", "scan"]
REFERENCE_NOUNS = ["currency", "country", "language", "unit_of_measure", "marital_status", "industry",
                   "channel_type", "region", "payment_method", "time_zone", "product_category", "reason"]
MA_TOPICS = [("addresses", "address_type", ["street_line", "city_name", "postal_code", "country_code"]),
             ("phones", "phone_type", ["phone_number", "extension_number", "is_preferred"]),
             ("emails", "email_type", ["email_address", "is_verified"]),
             ("identifiers", "identifier_scheme", ["identifier_value", "issuing_authority", "valid_until"])]
PAYLOAD_POOL = ["display_name", "status_code", "status_reason", "category_code", "description_text", "amount_value",
                "currency_code", "quantity_value", "opened_on", "closed_on", "email_address", "phone_number",
                "country_code", "city_name", "postal_code", "segment_code", "risk_score", "priority_level",
                "channel_code", "notes_text", "created_on", "updated_on", "is_active", "tier_code", "region_code",
                "language_code", "legal_name", "short_name", "external_reference", "source_flag", "score_value",
                "rank_value", "owner_name", "approval_status", "approved_on", "version_number", "valid_until",
                "weight_kg", "volume_m3", "colour_name", "size_code", "grade_code", "comment_text"]
EVENT_PAYLOAD = ["event_reference", "event_amount", "event_quantity", "event_on", "event_channel", "event_status"]


def _a(words: str) -> str:
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


# --- the generator's state -----------------------------------------------------------------------


@dataclass
class Table:
    """Where rows come from: a seed CSV or a dbt source table, with the columns designs read."""

    name: str  # seed name, or table name inside a dbt source
    area: str
    source_name: str | None = None  # dbt source name; None for a seed
    columns: list = field(default_factory=list)
    load_col: str = LOAD_DATETIME
    record_source: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.source_name}.{self.name}" if self.source_name else self.name

    def add(self, *columns) -> None:
        for column in columns:
            if column not in self.columns:
                self.columns.append(column)

    def fresh(self, wanted: str, forbidden=()) -> str:
        """`wanted`, or `wanted_2`, ... so that the name is new in this table and not forbidden."""
        name, n = wanted, 2
        while name in self.columns or name in forbidden:
            name, n = f"{wanted}_{n}", n + 1
        return name


@dataclass
class SourceUse:
    """A design's reading of a table: through a seed, a dbt source or a declared stage."""

    table: Table
    via_stage: str | None = None  # the stage model read instead of the table

    @property
    def item_key(self) -> str:
        return "source" if self.table.source_name and not self.via_stage else "model"

    @property
    def ref(self) -> str:
        return self.via_stage or self.table.ref


@dataclass
class Entity:
    name: str
    kind: str
    area: str
    description: str
    dv: dict
    # facts later entities need
    base: str = ""
    keys: list = field(default_factory=list)  # hub business keys
    refs: list = field(default_factory=list)  # link: [(hub Entity, role or None)]
    sources: list = field(default_factory=list)  # [(SourceUse, mapping or None)]
    sats: list = field(default_factory=list)  # satellites hanging off a hub (names)
    links: list = field(default_factory=list)  # links a hub takes part in (names)
    eff_sat: str | None = None
    has_pit: bool = False


class _Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.entities: list[Entity] = []
        self.by_name: dict[str, Entity] = {}
        self.tables: list[Table] = []
        self.names: set[str] = {AS_OF_DATES}  # every model, seed and entity name (one dbt namespace)
        self.hash_keys: set[str] = set()
        self.linked: set = set()  # hub-name sets already related by a link
        self.noun_use: Counter = Counter()
        self.pending_stages: list[tuple[str, Table]] = []
        self.done: Counter = Counter()
        self.area = ""
        self.area_order = list(AREAS)

    # names ---------------------------------------------------------------------------------------

    def unique(self, wanted: str, taken: set) -> str:
        name, n = wanted, 2
        while name in taken:
            name, n = f"{wanted}_{n}", n + 1
        taken.add(name)
        return name

    def noun(self, area: str) -> str:
        """A business noun of the area; repeats get a qualifier (`corporate_customer`, later `customer_14`)."""
        nouns = AREAS[area][1]
        noun = self.rng.choice(nouns)
        self.noun_use[noun] += 1
        use = self.noun_use[noun]
        if use == 1:
            return noun
        if use - 2 < len(QUALIFIERS):
            return f"{QUALIFIERS[use - 2]}_{noun}"
        return f"{noun}_{use - len(QUALIFIERS)}"

    def new_table(self, wanted: str, area: str, dbt_source: bool = False) -> Table:
        rng = self.rng
        if dbt_source:
            system = AREAS[area][0]
            name = self.unique(wanted, self.names)  # unique across the project keeps the mapping simple
            table = Table(name, area, source_name=f"{area}_{system}")
        else:
            table = Table(self.unique(f"raw_{area}_{wanted}", self.names), area)
        if rng.random() < 0.15:
            table.load_col = "loaded_at"
        if rng.random() < 0.4:
            system = table.source_name.split("_")[-1] if table.source_name else rng.choice(SECOND_SYSTEMS)
            table.record_source = f"{system}.{wanted}".upper()
        self.tables.append(table)
        table.add(table.load_col)
        return table

    def add(self, entity: Entity) -> Entity:
        self.entities.append(entity)
        self.by_name[entity.name] = entity
        self.done[entity.kind] += 1
        return entity

    def source_item(self, use: SourceUse, mapping=None) -> dict:
        item = {use.item_key: use.ref}
        if mapping:
            item["business_keys"] = mapping
        if use.table.record_source and not use.via_stage:
            item["record_source"] = use.table.record_source
        if use.table.load_col != LOAD_DATETIME:
            item["load_datetime"] = use.table.load_col
        return item

    def common(self, kind: str) -> dict:
        dv = {"kind": kind, "subject_area": self.area, "owner": f"{self.area}-data-team"}
        if kind == "sat" and self.rng.random() < 0.2:  # AutomateDV writes ghost records into sats only
            dv["ghost_record"] = True
        return dv

    # choosing what to hang things on ------------------------------------------------------------

    def pick(self, candidates: list, local_share: float = 0.85):
        """Mostly an entity of the current subject area; sometimes one from elsewhere."""
        local = [e for e in candidates if e.area == self.area]
        pool = local if local and self.rng.random() < local_share else candidates
        return self.rng.choice(pool) if pool else None

    def hubs(self) -> list:
        return [e for e in self.entities if e.kind == "hub"]

    def regular_links(self) -> list:
        return [e for e in self.entities if e.kind == "link"]

    def feasible(self, kind: str) -> bool:
        if kind in ("hub", "stage", "ref_table"):
            return True
        if kind in ("link", "nh_link"):
            return self.done["hub"] >= 2
        if kind == "sat":
            return self.done["hub"] + self.done["link"] >= 1
        if kind == "ma_sat":
            return self.done["hub"] >= 1
        if kind == "eff_sat":
            return any(e.eff_sat is None for e in self.regular_links())
        if kind == "pit":
            return any(len(e.sats) >= 2 and not e.has_pit for e in self.hubs())
        if kind == "bridge":
            return any(e.links for e in self.hubs())
        raise ValueError(kind)

    def next_kind(self) -> str:
        total = sum(self.done.values()) + 1
        order = sorted(KIND_SHARES, key=lambda k: -(KIND_SHARES[k] * total / 100 - self.done[k]))
        for kind in order:
            if self.feasible(kind):
                return kind
        return "hub"  # pragma: no cover (hubs are always feasible)

    # key columns as a table names them -------------------------------------------------------------

    def key_columns(self, table: Table, hub: Entity, role: str | None, mapped: bool) -> list:
        """The columns `table` holds the hub's keys in: the default names, or its own (mapped)."""
        prefix = f"{role}_" if role else ""
        if not mapped:
            columns = [prefix + key for key in hub.keys]
        else:
            columns = []
            for key in hub.keys:
                stem, _, suffix = key.rpartition("_")
                short = "_".join(part[:4] for part in stem.split("_"))
                columns.append(table.fresh(f"{prefix}{short}_{KEY_ALTERNATIVES.get(suffix, suffix)}"))
        table.add(*columns)
        return columns

    def payload(self, table: Table, forbidden: set, lo: int, hi: int, pool=PAYLOAD_POOL) -> list:
        count = self.rng.randint(lo, hi)
        free = [c for c in pool if c not in table.columns and c not in forbidden]
        chosen = self.rng.sample(free, min(count, len(free)))
        while len(chosen) < count:  # pool exhausted on a busy table
            chosen.append(table.fresh(f"attribute_{len(chosen) + 1}", forbidden))
        table.add(*chosen)
        return chosen

    # kinds --------------------------------------------------------------------------------------------

    def make_stage(self) -> None:
        base = self.noun(self.area)
        table = self.new_table(base, self.area)
        name = self.unique(f"stg_{self.area}__{base}", self.names)
        dv = self.common("stage")
        dv["sources"] = [{"model": table.name}]
        self.add(Entity(name, "stage", self.area, f"Staged {base.replace('_', ' ')} rows from {table.name}, "
                        "with hash keys and hashdiffs computed once.", dv, base=base))
        self.pending_stages.append((name, table))

    def make_hub(self) -> None:
        rng = self.rng
        base = self.noun(self.area)
        name = self.unique(f"hub_{base}", self.names)
        base = name[len("hub_"):]
        keys = [f"{base}_{rng.choice(KEY_SUFFIXES)}"]
        if rng.random() < 0.15:
            keys.append(f"{base}_company_code")
        hub = Entity(name, "hub", self.area, "", {}, base=base, keys=keys)
        uses = []
        if self.pending_stages:
            stage, table = self.pending_stages.pop(0)
            uses.append(SourceUse(table, via_stage=stage))
        else:
            uses.append(SourceUse(self.new_table(base, self.area, dbt_source=rng.random() < 0.25)))
        if rng.random() < 0.3:
            uses.append(SourceUse(self.new_table(f"{base}_{rng.choice(SECOND_SYSTEMS)}", self.area)))
        for index, use in enumerate(uses):
            mapped = index > 0 or rng.random() < 0.35  # second systems always name keys their own way
            columns = self.key_columns(use.table, hub, None, mapped)
            hub.sources.append((use, columns if mapped else None))
        hash_key = self.unique(f"{base}_hk", self.hash_keys)
        dv = self.common("hub")
        dv.update(hash_key=hash_key, business_keys=keys,
                  sources=[self.source_item(use, mapping) for use, mapping in hub.sources])
        hub.dv = dv
        words = base.replace("_", " ")
        hub.description = f"{_a(words).capitalize()}, identified by {' and '.join(keys)}."
        self.add(hub)

    def link_refs(self, size: int) -> list:
        """Hub references for a new link: distinct hubs, or one hub twice with roles (self-relationship)."""
        rng = self.rng
        if rng.random() < 0.07:
            hub = self.pick(self.hubs())
            roles = rng.choice(SELF_RELATIONS)
            return [(hub, roles[0]), (hub, roles[1])]
        for _attempt in range(5):  # prefer a pair of hubs not linked yet
            chosen = []
            while len(chosen) < size:
                hub = self.pick([h for h in self.hubs() if h not in chosen])
                if hub is None:
                    break
                chosen.append(hub)
            if frozenset(h.name for h in chosen) not in self.linked:
                break
        self.linked.add(frozenset(h.name for h in chosen))
        return [(hub, None) for hub in chosen]

    def make_link(self, kind: str = "link") -> None:
        rng = self.rng
        refs = self.link_refs(3 if kind == "link" and rng.random() < 0.15 and self.done["hub"] >= 3 else 2)
        if refs[0][1]:
            relation = "_".join(role for _, role in refs)
            stem = f"{refs[0][0].base}_{relation}"
        else:
            stem = "_".join(hub.base for hub, _ in refs)
        if kind == "nh_link":
            event = rng.choice(EVENTS)
            stem = f"{stem}_{event}"
        prefix = "link_" if kind == "link" else "nh_link_"
        name = self.unique(f"{prefix}{stem}", self.names)
        base = name[len(prefix):]
        link = Entity(name, kind, self.area, "", {}, base=base, refs=refs)
        table = self.new_table(base, self.area, dbt_source=rng.random() < 0.2)
        mapping = {}
        hub_items = []
        for hub, role in refs:
            mapped = rng.random() < 0.4
            columns = self.key_columns(table, hub, role, mapped)
            if mapped:
                mapping[role or hub.name] = columns
            item = hub.name
            if role:
                item = {"hub": hub.name, "role": role}
            elif rng.random() < 0.1:
                item = {"hub": hub.name, "foreign_key": f"{hub.base}_ref_hk"}
            hub_items.append(item)
            if name not in hub.links:
                hub.links.append(name)
        use = SourceUse(table)
        link.sources.append((use, mapping or None))
        dv = self.common(kind)
        dv.update(hash_key=self.unique(f"{base}_hk", self.hash_keys), hubs=hub_items)
        if kind == "nh_link":
            forbidden = {c for hub, _ in refs for c in hub.keys}
            dv["payload"] = self.payload(table, forbidden, 2, 4, EVENT_PAYLOAD)
        dv["sources"] = [self.source_item(use, mapping or None)]
        link.dv = dv
        ends = " and ".join(f"{hub.base.replace('_', ' ')}" + (f" ({role})" if role else "") for hub, role in refs)
        link.description = (f"{_a(event.replace('_', ' ')).capitalize()} between {ends}; one row per transaction." if kind == "nh_link"
                            else f"The relationship between {ends}.")
        self.add(link)

    def make_sat(self) -> None:
        rng = self.rng
        parents = self.hubs() + self.regular_links()
        if self.done["link"] and rng.random() < 0.2:
            parents = self.regular_links()
        elif self.done["hub"]:
            parents = self.hubs()
        parent = self.pick([p for p in parents if len(p.sats) < 4] or parents)
        topic = rng.choice(SAT_TOPICS if parent.kind == "hub" else LINK_SAT_TOPICS)
        name = self.unique(f"sat_{parent.base}_{topic}", self.names)
        base = name[len("sat_"):]
        targets = self.parent_key_targets(parent)
        if rng.random() < 0.65:  # read the parent's own source: its mapping applies as written there
            use, parent_mapping = rng.choice(parent.sources)
            table, mapping = use.table, None
            if parent_mapping and rng.random() < 0.15:
                mapping = parent_mapping  # spelled out again, the same
        else:  # a satellite-specific extract
            table = self.new_table(base, self.area)
            use = SourceUse(table)
            mapping = self.parent_mapping_for(table, parent)
        dv = self.common("sat")
        dv.update(parent=parent.name, hashdiff=f"{base}_hashdiff",
                  payload=self.payload(table, targets, 2, 7))
        if rng.random() < 0.25:
            dv["effective_from"] = "effective_from"
            table.add("effective_from")
        dv["sources"] = [self.source_item(use, mapping)]
        words = parent.base.replace("_", " ")
        self.add(Entity(name, "sat", self.area, f"{topic.capitalize()} of {_a(words)}, as {use.ref} reports them.", dv))
        parent.sats.append(name)

    def parent_key_targets(self, parent: Entity) -> set:
        if parent.kind == "hub":
            return set(parent.keys)
        return {(f"{role}_" if role else "") + key for hub, role in parent.refs for key in hub.keys} | {
            key for hub, _ in parent.refs for key in hub.keys}

    def parent_mapping_for(self, table: Table, parent: Entity):
        """Key columns of a new table for the parent, and the mapping to write (None: default names)."""
        rng = self.rng
        if parent.kind == "hub":
            mapped = rng.random() < 0.5
            columns = self.key_columns(table, parent, None, mapped)
            return columns if mapped else None
        mapping = {}
        for hub, role in parent.refs:
            mapped = rng.random() < 0.4
            columns = self.key_columns(table, hub, role, mapped)
            if mapped:
                mapping[role or hub.name] = columns
        return mapping or None

    def make_ma_sat(self) -> None:
        rng = self.rng
        parent = self.pick(self.hubs())
        topic, mak, payload_pool = rng.choice(MA_TOPICS)
        name = self.unique(f"ma_sat_{parent.base}_{topic}", self.names)
        base = name[len("ma_sat_"):]
        table = self.new_table(base, self.area)
        mapping = self.parent_mapping_for(table, parent)
        table.add(mak)
        dv = self.common("ma_sat")
        dv.update(parent=parent.name, hashdiff=f"{base}_hashdiff", multi_active_keys=[mak],
                  payload=self.payload(table, set(parent.keys) | {mak}, 2, len(payload_pool), payload_pool),
                  sources=[self.source_item(SourceUse(table), mapping)])
        words = parent.base.replace("_", " ")
        self.add(Entity(name, "ma_sat", self.area, f"{_a(words).capitalize()}'s {topic}, several active at once (one per {mak}).", dv))
        parent.sats.append(name)

    def make_eff_sat(self) -> None:
        rng = self.rng
        link = self.pick([e for e in self.regular_links() if e.eff_sat is None])
        name = self.unique(f"eff_sat_{link.base}", self.names)
        use, _mapping = link.sources[0]
        dv = self.common("eff_sat")
        driving = link.refs[0][1] or link.refs[0][0].name
        # The source sends each relationship's start and end dates (closing rows included).
        dv.update(parent=link.name, driving_keys=[driving], end_dating="source")
        if rng.random() < 0.3:
            dv.update(start_date="valid_from", end_date="valid_to")
            use.table.add("valid_from", "valid_to")
        else:
            use.table.add("start_date", "end_date")
        dv["sources"] = [self.source_item(use)]
        self.add(Entity(name, "eff_sat", self.area,
                        f"When each {link.base.replace('_', ' ')} relationship is in effect, driven by {driving}.", dv))
        link.eff_sat = name

    def make_pit(self) -> None:
        hub = self.pick([e for e in self.hubs() if len(e.sats) >= 2 and not e.has_pit])
        name = self.unique(f"pit_{hub.base}", self.names)
        dv = self.common("pit")
        dv.update(hub=hub.name, satellites=list(hub.sats), as_of_dates=AS_OF_DATES)
        self.add(Entity(name, "pit", self.area, f"Point-in-time view of {_a(hub.base.replace('_', ' '))}.", dv))
        hub.has_pit = True

    def make_bridge(self) -> None:
        # AutomateDV's bridge walks each link through its effectivity satellite.
        def walkable(names):
            return [self.by_name[n] for n in names if self.by_name[n].kind == "link" and self.by_name[n].eff_sat]

        if not any(walkable(e.links) for e in self.hubs()):
            self.make_eff_sat()
        hub = self.pick([e for e in self.hubs() if walkable(e.links)])
        path = [self.rng.choice(walkable(hub.links))]
        reached = {h.name for h, _ in path[0].refs}
        onward = [link for h, _ in path[0].refs if h is not hub for link in walkable(h.links)]
        onward = [link for link in onward if link not in path]
        if onward and self.rng.random() < 0.6:
            path.append(self.rng.choice(onward))
            reached |= {h.name for h, _ in path[-1].refs}
        name = self.unique(f"bridge_{hub.base}_{path[-1].base}", self.names)
        dv = self.common("bridge")
        dv.update(hub=hub.name, links=[link.name for link in path])
        eff_sats = [link.eff_sat for link in path if link.eff_sat]
        if eff_sats:
            dv["effectivity_satellites"] = eff_sats
        dv["as_of_dates"] = AS_OF_DATES
        self.add(Entity(name, "bridge", self.area,
                        f"Walks from {_a(hub.base.replace('_', ' '))} across {', '.join(l.name for l in path)}.", dv))

    def make_ref_table(self) -> None:
        noun = self.rng.choice(REFERENCE_NOUNS)
        name = self.unique(f"ref_{noun}", self.names)
        base = name[len("ref_"):]
        table = self.new_table(f"ref_{base}", self.area)
        code, label, text = f"{base}_code", f"{base}_name", f"{base}_description"
        table.add(code, label, text)
        dv = self.common("ref_table")
        dv.update(reference_keys=[code], payload=[label, text], sources=[self.source_item(SourceUse(table))])
        self.add(Entity(name, "ref_table", self.area, f"The {base.replace('_', ' ')} codes and their names.", dv))

    # driving --------------------------------------------------------------------------------------

    def run(self, n_entities: int) -> None:
        makers = {"hub": self.make_hub, "link": self.make_link, "nh_link": lambda: self.make_link("nh_link"),
                  "sat": self.make_sat, "ma_sat": self.make_ma_sat, "eff_sat": self.make_eff_sat,
                  "pit": self.make_pit, "bridge": self.make_bridge, "ref_table": self.make_ref_table,
                  "stage": self.make_stage}
        while len(self.entities) < n_entities:
            run = len(self.entities) // ENTITIES_PER_AREA_RUN
            self.area = self.area_order[run % len(self.area_order)]
            makers[self.next_kind()]()


# --- rendering ---------------------------------------------------------------------------------------


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_PLAIN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9_ .,'()/-]*[A-Za-z0-9_.)]")
_NOT_PLAIN = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def _scalar(value, text_ok: bool = True) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value.lower() not in _NOT_PLAIN and (
            _PLAIN.fullmatch(value) or (text_ok and _PLAIN_TEXT.fullmatch(value) and ": " not in value)):
        return value
    return json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar


def _emit(value, indent: int, out: list) -> None:
    """Block YAML like people write it: lists of names in flow style (`business_keys: [a, b]`)."""
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item and not _flow(item):
                out.append(f"{pad}{key}:")
                _emit(item, indent + 2, out)
            else:
                out.append(f"{pad}{key}: {_inline(item)}")
    else:
        for item in value:
            if isinstance(item, (dict, list)) and item and not _flow(item):
                lines: list = []
                _emit(item, indent + 2, lines)
                out.append(f"{pad}- {lines[0][indent + 2:]}")
                out.extend(lines[1:])
            else:
                out.append(f"{pad}- {_inline(item)}")


def _flow(value) -> bool:
    return isinstance(value, list) and len(value) <= 8 and all(isinstance(v, str) and _PLAIN.fullmatch(v) for v in value)


def _inline(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v, text_ok=False) for v in value) + "]"
    if isinstance(value, dict):
        return "{}"
    return _scalar(value)


def _dump(data) -> str:
    out: list = []
    _emit(data, 0, out)
    return "\n".join(out) + "\n"


def _value(column: str, row: int, table: Table) -> str:
    if column == table.load_col:
        return f"2024-0{row}-01 06:00:00"
    if column in ("start_date", "valid_from", "opened_on", "created_on", "event_on", "approved_on"):
        return f"2023-0{row}-15"
    if column in ("end_date", "valid_to", "valid_until", "closed_on"):
        return "9999-12-31"
    if column == "effective_from":
        return f"2023-1{row}-01"
    if column.startswith("is_"):
        return "true" if row == 1 else "false"
    if any(column.endswith(s) for s in ("_value", "_amount", "_quantity", "_score", "_kg", "_m3", "_level")):
        return str(row * 10 + 5)
    if column.endswith(("_id", "_ident", "_number", "_no")):
        return f"{1000 + row}"
    if column.endswith(("_code", "_cd", "_type", "_scheme")):
        return f"{column.split('_')[0][:3].upper()}{row}"
    return f"{column.replace('_', ' ')} {row}"


def _csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    for row in (1, 2):
        writer.writerow([_value(column, row, table) for column in table.columns])
    return out.getvalue()


def _project_yml(name: str) -> str:
    config = {
        "name": name,
        "version": "1.0.0",
        "config-version": 2,
        "profile": name,
        "model-paths": ["models"],
        "seed-paths": ["seeds"],
        "clean-targets": ["target"],
        "vars": {
            "enable_ghost_records": True,  # AutomateDV's switch; some sats set `ghost_record: true`
            "dv_spec": {
                "hash_algorithm": "sha256",
                "load_datetime_column": LOAD_DATETIME,
                "record_source_column": "record_source",
                "naming": {"hashdiff": {"suffix": "_hashdiff"}},
            },
        },
    }
    return "# Generated by benchmarks/generate_design.py; do not edit.\n" + _dump(config)


@dataclass
class Generated:
    """What `build`/`generate` produced."""

    files: dict  # relative path -> text
    counts: Counter  # entities per kind
    entities: list  # entity names, in generation order
    seeds: int
    source_tables: int
    schema_files: int
    root: str | None = None

    @property
    def n_entities(self) -> int:
        return len(self.entities)


def build(n_entities: int, seed: int = 0, model_sql: bool = False, project_name: str = "dv_bench") -> Generated:
    """The project's files as {relative path: text}; deterministic in (n_entities, seed, model_sql).

    `model_sql` adds `models/<area>/<entity>.sql` (`select 1 as x`) for every
    design entity, for tools that want each designed model to exist.
    """
    if n_entities < 0:
        raise ValueError("n_entities must be >= 0")
    gen = _Generator(seed)
    gen.run(n_entities)
    files = {"dbt_project.yml": _project_yml(project_name)}

    by_area: dict = {}
    for entity in gen.entities:
        by_area.setdefault(entity.area, []).append(entity)
    schema_files = 0
    for area, entities in by_area.items():
        for start in range(0, len(entities), ENTITIES_PER_FILE):
            chunk = entities[start:start + ENTITIES_PER_FILE]
            models = [{"name": e.name, "description": e.description, "config": {"meta": {"dv": e.dv}}}
                      for e in chunk]
            path = f"models/{area}/_{area}__vault_{start // ENTITIES_PER_FILE + 1:02d}.yml"
            files[path] = _dump({"version": 2, "models": models})
            schema_files += 1
            if model_sql:
                for e in chunk:
                    files[f"models/{area}/{e.name}.sql"] = "select 1 as x\n"

    sources: dict = {}
    seeds = 0
    for table in gen.tables:
        if table.source_name:
            sources.setdefault(table.area, {}).setdefault(table.source_name, []).append(table)
        else:
            files[f"seeds/{table.area}/{table.name}.csv"] = _csv(table)
            seeds += 1
    if any(e.kind in ("pit", "bridge") for e in gen.entities):
        files[f"seeds/{AS_OF_DATES}.csv"] = "as_of_date\n2024-01-01\n2024-02-01\n"
        seeds += 1
    for area, blocks in sources.items():
        doc = {"version": 2, "sources": [
            {"name": source_name, "description": f"The {source_name.split('_')[-1].upper()} system's {area} tables.",
             "tables": [{"name": t.name, "columns": [{"name": c} for c in t.columns]} for t in tables]}
            for source_name, tables in blocks.items()]}
        files[f"models/{area}/_{area}__sources.yml"] = _dump(doc)
        schema_files += 1

    return Generated(files=files, counts=Counter(e.kind for e in gen.entities),
                     entities=[e.name for e in gen.entities], seeds=seeds,
                     source_tables=sum(len(t) for b in sources.values() for t in b.values()),
                     schema_files=schema_files)


def generate(root: str, n_entities: int, seed: int = 0, model_sql: bool = False,
             project_name: str = "dv_bench") -> Generated:
    """Write the project into `root` (created if missing; must not already hold a dbt project)."""
    result = build(n_entities, seed, model_sql, project_name)
    if os.path.exists(os.path.join(root, "dbt_project.yml")):
        raise FileExistsError(f"{root} already holds a dbt project; generate into an empty directory")
    for rel, text in result.files.items():
        path = os.path.join(root, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    result.root = os.path.abspath(root)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", help="directory to write the dbt project into (created if missing)")
    parser.add_argument("--entities", "-n", type=int, default=1000, help="number of design entities (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--model-sql", action="store_true",
                        help="also write a trivial .sql file (`select 1 as x`) for every design entity")
    args = parser.parse_args(argv)
    try:
        result = generate(args.out_dir, args.entities, args.seed, args.model_sql)
    except FileExistsError as exc:
        print(f"generate_design: {exc}", file=sys.stderr)
        return 2
    kinds = ", ".join(f"{kind} {result.counts[kind]}" for kind in KIND_SHARES if result.counts[kind])
    print(f"{result.n_entities} entities ({kinds}) in {result.schema_files} schema files, "
          f"{result.seeds} seeds, {result.source_tables} dbt source tables -> {result.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
