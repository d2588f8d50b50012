"""Where shapes go: an automatic Data Vault layout, and the positions a person
chose, kept in a side file (`.dv-spec/layout.json`) so the design YAML stays clean.

The automatic layout is deterministic (same design, same picture): one block
per subject area, hubs on a row, links above the hubs they join, satellites
stacked under their hub (or above their link), everything else on a last row.
"""

from __future__ import annotations

import json
import math
import os

from ..errors import UsageError
from ..files import load_json, write_atomic

LAYOUT_FILE = ".dv-spec/layout.json"
LAYOUT_VERSION = 1

# Shape sizes (centre-based positions); the page draws with the same numbers.
WIDTH, HEIGHT = 190, 64
COLUMN = 240  # distance between neighbouring shapes on a row
ROW = 96  # distance between stacked satellites
AREA_GAP = 120
AREA_PADDING = 60
ASPECT = 1.7  # width / height the areas are arranged to

HUB_KINDS = ("hub",)
LINK_KINDS = ("link", "nh_link")
SAT_KINDS = ("sat", "ma_sat", "eff_sat")


def layout_path(root: str) -> str:
    return os.path.join(root, *LAYOUT_FILE.split("/"))


def read_positions(root: str) -> dict:
    """{entity: (x, y)} from the side file; {} when there is none.

    A side file that cannot be read is a usage error: it names the file, so a
    person can fix or delete it (it only holds positions).
    """
    path = layout_path(root)
    if not os.path.isfile(path):
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            data = load_json(handle.read())
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{LAYOUT_FILE}: cannot be read ({exc}); fix it or delete it (it only holds positions)") from None
    positions = data.get("positions") if isinstance(data, dict) else None
    if not isinstance(positions, dict):
        raise UsageError(f"{LAYOUT_FILE}: expected {{\"positions\": {{entity: {{\"x\": .., \"y\": ..}}}}}}; "
                         "fix it or delete it (it only holds positions)")
    result = {}
    for name, point in positions.items():
        if isinstance(point, dict) and _is_number(point.get("x")) and _is_number(point.get("y")):
            result[str(name)] = (round(point["x"]), round(point["y"]))
    return result


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and abs(value) < 1e7


def positions_text(positions: dict) -> str:
    """The side file's text: sorted, integer coordinates, so it diffs well."""
    body = {name: {"x": int(x), "y": int(y)} for name, (x, y) in sorted(positions.items())}
    return json.dumps({"version": LAYOUT_VERSION, "positions": body}, indent=2, sort_keys=True) + "\n"


def write_positions(root: str, positions: dict) -> None:
    write_atomic(layout_path(root), positions_text(positions))


def clean_positions(value) -> dict:
    """Positions sent by a client ({name: {x, y}}), checked; bad input is a UsageError."""
    if not isinstance(value, dict):
        raise UsageError("positions must be an object of {entity: {x, y}}")
    result = {}
    for name, point in value.items():
        if not isinstance(point, dict) or not _is_number(point.get("x")) or not _is_number(point.get("y")):
            raise UsageError(f"position of `{name}` must be {{\"x\": number, \"y\": number}}")
        result[str(name)] = (round(point["x"]), round(point["y"]))
    return result


# ------------------------------------------------------------ automatic layout

def references(dv) -> list:
    """(target, relation) pairs an entity's raw design block points at, in order.

    Tolerant of broken blocks: only well-formed references are returned.

    >>> references({"kind": "link", "hubs": ["hub_a", {"hub": "hub_b", "role": "to"}]})
    [('hub_a', 'hub'), ('hub_b', 'hub:to')]
    """
    if not isinstance(dv, dict):
        return []
    kind = dv.get("kind")
    found = []
    if kind in LINK_KINDS:
        for item in dv.get("hubs") if isinstance(dv.get("hubs"), list) else []:
            if isinstance(item, str):
                found.append((item, "hub"))
            elif isinstance(item, dict) and isinstance(item.get("hub"), str):
                role = item.get("role")
                found.append((item["hub"], f"hub:{role}" if isinstance(role, str) and role else "hub"))
    if kind in SAT_KINDS and isinstance(dv.get("parent"), str):
        found.append((dv["parent"], "parent"))
    if kind in ("pit", "bridge") and isinstance(dv.get("hub"), str):
        found.append((dv["hub"], "hub"))
    for key, relation in (("satellites", "satellite"), ("links", "link"), ("effectivity_satellites", "effectivity")):
        if kind in ("pit", "bridge") and isinstance(dv.get(key), list):
            found += [(item, relation) for item in dv[key] if isinstance(item, str)]
    return found


def auto_layout(entities: list) -> dict:
    """{name: (x, y)} for entities given as dicts with name, kind, subject_area, dv.

    >>> pos = auto_layout([
    ...     {"name": "hub_a", "kind": "hub", "subject_area": "s", "dv": {}},
    ...     {"name": "hub_b", "kind": "hub", "subject_area": "s", "dv": {}},
    ...     {"name": "link_ab", "kind": "link", "subject_area": "s", "dv": {"kind": "link", "hubs": ["hub_a", "hub_b"]}},
    ...     {"name": "sat_a", "kind": "sat", "subject_area": "s", "dv": {"kind": "sat", "parent": "hub_a"}}])
    >>> pos["hub_a"][1] == pos["hub_b"][1], pos["link_ab"][0] == (pos["hub_a"][0] + pos["hub_b"][0]) // 2
    (True, True)
    >>> pos["sat_a"][0] == pos["hub_a"][0] and pos["sat_a"][1] > pos["hub_a"][1] > pos["link_ab"][1]
    True
    """
    areas: dict = {}
    for entity in sorted(entities, key=lambda e: e["name"]):
        areas.setdefault(entity.get("subject_area") or "", []).append(entity)
    blocks = []
    for area in sorted(areas, key=lambda a: (a == "", a)):
        local = _area_layout(areas[area])
        min_x = min(x for x, _ in local.values()) - WIDTH // 2
        min_y = min(y for _, y in local.values()) - HEIGHT // 2
        width = max(x for x, _ in local.values()) + WIDTH // 2 - min_x
        height = max(y for _, y in local.values()) + HEIGHT // 2 - min_y
        blocks.append((local, min_x, min_y, width, height))
    # rows of areas about as wide as a screen is wider than high
    surface = sum((w + 2 * AREA_PADDING + AREA_GAP) * (h + 2 * AREA_PADDING + AREA_GAP) for _, _, _, w, h in blocks)
    wrap = max([int(math.sqrt(surface * ASPECT))] + [w + 2 * AREA_PADDING for _, _, _, w, _ in blocks])
    positions = {}
    origin_x, origin_y, row_height = 0, 0, 0
    for local, min_x, min_y, width, height in blocks:
        if origin_x > 0 and origin_x + width + 2 * AREA_PADDING > wrap:
            origin_x, origin_y, row_height = 0, origin_y + row_height + AREA_GAP, 0
        for name, (x, y) in local.items():
            positions[name] = (origin_x + AREA_PADDING + x - min_x, origin_y + AREA_PADDING + y - min_y)
        origin_x += width + 2 * AREA_PADDING + AREA_GAP
        row_height = max(row_height, height + 2 * AREA_PADDING)
    return positions


def _area_layout(entities: list) -> dict:
    by_name = {e["name"]: e for e in entities}
    hubs = [e["name"] for e in entities if e.get("kind") in HUB_KINDS]
    links = [e["name"] for e in entities if e.get("kind") in LINK_KINDS]
    link_hubs = {name: [t for t, _ in references(by_name[name]["dv"]) if t in hubs] for name in links}

    # Hubs in an order that keeps linked hubs next to each other.
    order, placed = [], set()
    for start in hubs:
        if start in placed:
            continue
        queue = [start]
        while queue:
            hub = queue.pop(0)
            if hub in placed:
                continue
            placed.add(hub)
            order.append(hub)
            for link in links:
                if hub in link_hubs[link]:
                    queue += [h for h in link_hubs[link] if h not in placed]
    positions = {hub: (index * COLUMN, 0) for index, hub in enumerate(order)}

    wanted = []
    for link in links:
        xs = [positions[h][0] for h in link_hubs[link]]
        wanted.append((sum(xs) // len(xs) if xs else len(order) * COLUMN, link))
    for x, link in _spread(sorted(wanted)):
        positions[link] = (x, -2 * ROW)

    others = []
    stacks: dict = {}
    for entity in entities:
        name, kind = entity["name"], entity.get("kind")
        if name in positions:
            continue
        parent = next((t for t, r in references(entity["dv"]) if r == "parent"), None)
        if kind in SAT_KINDS and parent in positions:
            stacks.setdefault(parent, []).append(name)
        else:
            others.append(name)
    for parent, sats in stacks.items():
        x, y = positions[parent]
        step = -ROW if parent in links else ROW
        start = y + (step if parent in links else int(ROW * 1.4))
        for index, sat in enumerate(sats):
            positions[sat] = (x, start + index * step)
    bottom = max([y for _, y in positions.values()] + [0]) + int(ROW * 1.6)
    for index, name in enumerate(others):
        positions[name] = (index * COLUMN, bottom)
    return positions


def _spread(wanted: list) -> list:
    """Row positions as close to the wanted x as possible, at least COLUMN apart."""
    result, last = [], None
    for x, name in wanted:
        if last is not None and x < last + COLUMN:
            x = last + COLUMN
        result.append((x, name))
        last = x
    return result
