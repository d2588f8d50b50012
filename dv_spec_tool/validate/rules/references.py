"""Rules about what a design refers to: other entities, dbt nodes, key mappings."""

from dv_spec_tool.core.design import as_list, source_ref
from dv_spec_tool.core.findings import did_you_mean
from dv_spec_tool.core.kinds import LINK_KINDS, PARENT_KINDS, SAT_KINDS
from dv_spec_tool.validate.rules.rule import rule

# (kind, key, kinds it may name); list-valued keys are walked item by item.
_ENTITY_REFERENCES = tuple((kind, "parent", parents) for kind, parents in PARENT_KINDS.items()) + (
    ("xts", "satellites", SAT_KINDS),
    ("pit", "hub", ("hub",)),
    ("pit", "satellites", SAT_KINDS),
    ("bridge", "hub", ("hub",)),
    ("bridge", "links", LINK_KINDS),
    ("bridge", "effectivity_satellites", ("eff_sat",)),
)


def _entity_references(ctx):
    """(entry, path, name, allowed kinds) for every entity reference in the design."""
    for entry in ctx.sound_entities():
        kind = entry.dv["kind"]
        for ref_kind, key, allowed in _ENTITY_REFERENCES:
            if kind != ref_kind or key not in entry.dv:
                continue
            value = entry.dv[key]
            if isinstance(value, list):
                for index, name in enumerate(value):
                    yield entry, (key, index), name, allowed
            else:
                yield entry, (key,), value, allowed
        if kind in LINK_KINDS:
            for ref in ctx.refs(entry.name):
                path = ("hubs", ref["index"]) + (("hub",) if isinstance(entry.dv["hubs"][ref["index"]], dict) else ())
                yield entry, path, ref["hub"], ("hub",)


def _article(kinds) -> str:
    return " or ".join(f"a {k}" for k in kinds)


@rule("DV200", "unknown-entity")
def unknown_entity(ctx):
    """A reference (parent, hubs, satellites, links) names no entity of the design."""
    for entry, path, name, allowed in _entity_references(ctx):
        if ctx.design.get(name) is None:
            candidates = [e.name for e in ctx.design.of_kind(*allowed)]
            yield ctx.at(entry, path, f"`{path[0]}` names `{name}`, which is not an entity of the design",
                         did_you_mean(name, candidates) or f"declare `{name}` with a dv block, or name {_article(allowed)}")


@rule("DV203", "wrong-entity-kind")
def wrong_entity_kind(ctx):
    """A reference names an entity of the wrong kind (a satellite's parent that is not a hub or link)."""
    for entry, path, name, allowed in _entity_references(ctx):
        kind = ctx.design.kind_of(name)
        if kind is not None and kind not in allowed:
            candidates = [e.name for e in ctx.design.of_kind(*allowed)]
            yield ctx.at(entry, path, f"`{path[0]}` names `{name}`, a {kind}; it must be {_article(allowed)}",
                         did_you_mean(name, candidates))


def _node_references(ctx):
    for entry in ctx.sound_entities():
        for index, source in enumerate(as_list(entry.dv.get("sources"))):
            key = "model" if "model" in source else "source"
            yield entry, ("sources", index, key), source_ref(source), key
        if "as_of_dates" in entry.dv:
            yield entry, ("as_of_dates",), entry.dv["as_of_dates"], "model"


@rule("DV201", "unknown-source")
def unknown_source(ctx):
    """A source names no model, seed or snapshot of the project, or no table of a dbt `sources:` block."""
    nodes = ctx.project.nodes
    for entry, path, name, key in _node_references(ctx):
        if name in nodes and (nodes[name].resource_type == "source") == (key == "source"):
            continue
        if key == "source":
            candidates = [n for n, node in nodes.items() if node.resource_type == "source"]
            fallback = f"declare table `{name.split('.')[-1]}` under source `{name.split('.')[0]}` in a sources YAML"
        else:
            candidates = [n for n, node in nodes.items() if node.resource_type != "source"]
            fallback = "add the seed, model or snapshot, or fix the name"
        yield ctx.at(entry, path, f"{key} `{name}` does not exist in this project",
                     did_you_mean(name, candidates) or fallback)


@rule("DV209", "dependency-cycle")
def dependency_cycle(ctx):
    """Entities depend on each other in a cycle (through parents, hubs, links or sources), so none can load first."""
    graph = {}
    for entry, _path, name, _allowed in _entity_references(ctx):
        graph.setdefault(entry.name, set()).add(name)
    for entry, _path, name, _key in _node_references(ctx):
        if ctx.design.get(name) is not None:
            graph.setdefault(entry.name, set()).add(name)
    reported = set()
    for cycle in _cycles(graph):
        key = frozenset(cycle)
        if key in reported:
            continue
        reported.add(key)
        first = min(cycle)
        start = cycle.index(first)
        ordered = cycle[start:] + cycle[:start]
        entry = ctx.design.get(first)
        yield ctx.at(entry, ("kind",), f"dependency cycle: {' -> '.join(ordered + [first])}",
                     "a vault loads from sources towards hubs, links and satellites; break the loop")


def _cycles(graph):
    """Each elementary cycle found by a depth-first search (enough to report every loop once)."""
    state = {}
    stack = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                yield stack[stack.index(target):]
            elif target not in state:
                yield from visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            yield from visit(node)


def _mapping_parent_link(ctx, entry):
    """The link whose hub references a source mapping of this entity must name."""
    kind = entry.dv["kind"]
    if kind in LINK_KINDS:
        return entry.name
    if kind in PARENT_KINDS and ctx.design.kind_of(entry.dv.get("parent")) in LINK_KINDS:
        return entry.dv["parent"]
    return None


@rule("DV212", "unknown-mapping-reference")
def unknown_mapping_reference(ctx):
    """A per-source `business_keys` mapping names a hub reference the link does not have, or has the wrong shape for the parent."""
    for entry in ctx.sound_entities():
        link = _mapping_parent_link(ctx, entry)
        parent_is_hub = entry.dv["kind"] in PARENT_KINDS and ctx.design.kind_of(entry.dv.get("parent")) == "hub"
        names = [ref["name"] for ref in ctx.refs(link)] if link else []
        for index, source in enumerate(as_list(entry.dv.get("sources"))):
            mapping = source.get("business_keys")
            path = ("sources", index, "business_keys")
            if isinstance(mapping, dict) and parent_is_hub:
                yield ctx.at(entry, path, "the parent is a hub: `business_keys` must be a list of source columns",
                             "e.g. `business_keys: [npi]`")
            elif isinstance(mapping, list) and link is not None:
                yield ctx.at(entry, path, "the parent is a link: `business_keys` must map each hub reference to columns",
                             f"e.g. `business_keys: {{{names[0] if names else 'hub_x'}: [col]}}`")
            elif isinstance(mapping, dict) and link is not None:
                for ref_name in mapping:
                    if ref_name not in names:
                        yield ctx.at(entry, path + (ref_name,),
                                     f"`{ref_name}` is not a hub reference of the link (it has: {', '.join(names)})",
                                     did_you_mean(ref_name, names))


@rule("DV213", "unknown-driving-key")
def unknown_driving_key(ctx):
    """An effectivity satellite's driving key is not a hub reference of its link."""
    for entry in ctx.sound_entities():
        if entry.dv["kind"] != "eff_sat":
            continue
        link = ctx.design.get(entry.dv["parent"])
        if link is None or not isinstance(link.dv, dict) or link.dv.get("kind") not in LINK_KINDS:
            continue
        names = [ref["name"] for ref in ctx.refs(link.name)]
        for index, key in enumerate(entry.dv["driving_keys"]):
            if key not in names:
                yield ctx.at(entry, ("driving_keys", index),
                             f"driving key `{key}` is not a hub reference of `{link.name}` ({', '.join(names)})",
                             did_you_mean(key, names))
        if len(set(entry.dv["driving_keys"])) >= len(names) and names:
            yield ctx.at(entry, ("driving_keys",), "every hub of the link is a driving key; effectivity needs a secondary key",
                         "list only the driving side, e.g. the hub whose relationship changes over time")


@rule("DV214", "satellite-elsewhere")
def satellite_elsewhere(ctx):
    """A PIT or xts lists a satellite that does not hang off the PIT's hub or the xts's parent."""
    for entry in ctx.sound_entities():
        kind = entry.dv["kind"]
        if kind not in ("pit", "xts"):
            continue
        owner = entry.dv["hub"] if kind == "pit" else entry.dv["parent"]
        for index, name in enumerate(entry.dv["satellites"]):
            sat = ctx.design.get(name)
            if sat is not None and isinstance(sat.dv, dict) and sat.dv.get("kind") in SAT_KINDS:
                parent = sat.dv.get("parent")
                if parent != owner:
                    yield ctx.at(entry, ("satellites", index),
                                 f"satellite `{name}` describes `{parent}`, not the {'PIT' if kind == 'pit' else 'xts'}'s "
                                 f"{'hub' if kind == 'pit' else 'parent'} `{owner}`",
                                 "a PIT joins satellites of one hub; drop it or build a PIT on its parent" if kind == "pit"
                                 else "an xts tracks satellites of its parent's key; drop it or track it in an xts on its parent")


@rule("DV220", "unknown-member")
def unknown_member(ctx):
    """A per-member mapping (a bridge's `link_columns`, an xts's `satellite_name_columns`) names a link or satellite the entity does not list."""
    for entry in ctx.sound_entities():
        for key, members in (("link_columns", "links"), ("satellite_name_columns", "satellites")):
            listed = as_list(entry.dv.get(members))
            for name in entry.dv.get(key) or {}:
                if name not in listed:
                    yield ctx.at(entry, (key, name), f"`{key}` names `{name}`, which is not in `{members}`",
                                 did_you_mean(name, listed) or f"add `{name}` to `{members}` or drop its entry")


@rule("DV215", "broken-bridge-path")
def broken_bridge_path(ctx):
    """A bridge's links do not form a path from its hub, or an effectivity satellite sits on a link off the path."""
    for entry in ctx.sound_entities():
        if entry.dv["kind"] != "bridge":
            continue
        reached = {entry.dv["hub"]}
        for index, name in enumerate(entry.dv["links"]):
            link = ctx.design.get(name)
            if link is None or not isinstance(link.dv, dict) or link.dv.get("kind") not in LINK_KINDS:
                break
            hubs = {ref["hub"] for ref in ctx.refs(name)}
            if not hubs & reached:
                yield ctx.at(entry, ("links", index),
                             f"link `{name}` connects {', '.join(sorted(hubs))}, none reached from `{entry.dv['hub']}` so far",
                             "order the links so each one shares a hub with the path before it")
                break
            reached |= hubs
        for index, name in enumerate(as_list(entry.dv.get("effectivity_satellites"))):
            parent = ctx.design.get(name).dv.get("parent") if ctx.design.kind_of(name) == "eff_sat" else None
            if parent is not None and parent not in entry.dv["links"]:
                yield ctx.at(entry, ("effectivity_satellites", index),
                             f"effectivity satellite `{name}` dates `{parent}`, which is not on the bridge's path",
                             f"add `{parent}` to `links` or drop the satellite")


@rule("DV219", "bridge-link-without-effectivity", severity="warning")
def bridge_link_without_effectivity(ctx):
    """A bridge walks a link that has no effectivity satellite in `effectivity_satellites`; AutomateDV's bridge needs one per link, so scaffolding refuses it."""
    for entry in ctx.sound_entities():
        if entry.dv["kind"] != "bridge":
            continue
        dated = {ctx.design.get(name).dv.get("parent") for name in as_list(entry.dv.get("effectivity_satellites"))
                 if ctx.design.kind_of(name) == "eff_sat"}
        for index, name in enumerate(entry.dv["links"]):
            if ctx.design.kind_of(name) in LINK_KINDS and name not in dated:
                yield ctx.at(entry, ("links", index), f"link `{name}` has no effectivity satellite on this bridge",
                             f"design an eff_sat on `{name}` and list it in `effectivity_satellites`")
