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

from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.files import load_json, write_atomic
from dv_spec_tool.core.kinds import LINK_KINDS, PARENTED_KINDS
from dv_spec_tool.generate.impact import references  # noqa: F401 - the page's edges and the layout read the same references

LAYOUT_FILE = ".dv-spec/layout.json"
LAYOUT_VERSION = 1

# The size of a shape the model gives none (centre-based positions); shapes
# sized by their columns (view.shape_size) carry "w" and "h".
WIDTH, HEIGHT = 190, 64
COLUMN = 240  # where a link without hubs goes, right of the hubs
GAP_X = 50  # space between neighbouring shapes on a row
GAP_Y = 30  # space between stacked shapes
AREA_GAP = 120
AREA_PADDING = 60
ASPECT = 1.7  # width / height the areas are arranged to



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
        sized = {e["name"]: _size(e) for e in areas[area]}
        min_x = min(x - sized[n][0] // 2 for n, (x, _) in local.items())
        min_y = min(y - sized[n][1] // 2 for n, (_, y) in local.items())
        width = max(x + sized[n][0] // 2 for n, (x, _) in local.items()) - min_x
        height = max(y + sized[n][1] // 2 for n, (_, y) in local.items()) - min_y
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


def _size(entity: dict) -> tuple:
    """A shape's (width, height): as the diagram model sized it, else the plain box."""
    return int(entity.get("w") or WIDTH), int(entity.get("h") or HEIGHT)


def _area_layout(entities: list) -> dict:
    """Centre positions inside one subject area: hubs on a row, their satellites stacked
    under them, links on a row above with their satellites stacked above, the rest below."""
    by_name = {e["name"]: e for e in entities}
    size = {e["name"]: _size(e) for e in entities}
    hubs = [e["name"] for e in entities if e.get("kind") == "hub"]
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

    stacks: dict = {}
    others = []
    for entity in entities:
        name, kind = entity["name"], entity.get("kind")
        if name in hubs or name in links:
            continue
        parent = next((t for t, r in references(entity["dv"]) if r == "parent"), None)
        if kind in PARENTED_KINDS and parent in by_name and (parent in hubs or parent in links):
            stacks.setdefault(parent, []).append(name)
        else:
            others.append(name)

    def column_width(name):
        return max([size[name][0]] + [size[s][0] for s in stacks.get(name, [])])

    positions, x = {}, 0
    for index, hub in enumerate(order):
        if index:
            x += column_width(order[index - 1]) // 2 + GAP_X + column_width(hub) // 2
        positions[hub] = (x, 0)
    hub_row = max([size[h][1] for h in hubs] + [HEIGHT])
    link_row = max([size[name][1] for name in links] + [HEIGHT])
    link_y = -(hub_row // 2 + GAP_Y * 2 + link_row // 2)
    wanted = []
    for link in links:
        xs = [positions[h][0] for h in link_hubs[link]]
        wanted.append((sum(xs) // len(xs) if xs else x + COLUMN, link))
    for at, link in _spread(sorted(wanted), column_width):
        positions[link] = (at, link_y)

    for parent, sats in stacks.items():
        px, py = positions[parent]
        if parent in links:  # stacked upwards above the link
            edge = py - size[parent][1] // 2
            for sat in sats:
                edge -= GAP_Y
                positions[sat] = (px, edge - size[sat][1] // 2)
                edge -= size[sat][1]
        else:
            edge = py + size[parent][1] // 2
            for sat in sats:
                edge += GAP_Y
                positions[sat] = (px, edge + size[sat][1] // 2)
                edge += size[sat][1]
    bottom = max([y + size[n][1] // 2 for n, (_, y) in positions.items()] + [0]) + GAP_Y * 2
    x = 0
    for index, name in enumerate(others):
        if index:
            x += size[others[index - 1]][0] // 2 + GAP_X + size[name][0] // 2
        positions[name] = (x, bottom + size[name][1] // 2)
    return positions


def _spread(wanted: list, width) -> list:
    """Row positions as close to the wanted x as possible, never overlapping."""
    result, last = [], None
    for x, name in wanted:
        if last is not None and x < last[0] + width(last[1]) // 2 + GAP_X + width(name) // 2:
            x = last[0] + width(last[1]) // 2 + GAP_X + width(name) // 2
        result.append((x, name))
        last = (x, name)
    return result
