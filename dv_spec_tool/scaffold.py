"""`dv-spec scaffold`: plan the generated files, then write them safely.

The text of every model comes from the dbt macro `scaffold_model` and every
acceptance test from `scaffold_tests` (macros/scaffold/), the same macros
`dbt run-operation scaffold_vault` prints. This module decides where files
go, whether a person has edited them since they were generated, and writes
them atomically; it never overwrites a person's edit without `force`.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass

from .design import Design
from .errors import UsageError
from .files import write_atomic
from .yamledit import plain

MODEL_KINDS = ("hub", "link", "nh_link", "sat", "ma_sat", "eff_sat", "pit", "bridge", "ref_table")
_CHECKSUM = re.compile(r"dv-spec-checksum: ([0-9a-f]{32}) -#}\n")


@dataclass(frozen=True)
class Planned:
    path: str  # relative to the project root
    content: str
    origin: str  # entity or stage name
    kind: str  # model | tests


@dataclass(frozen=True)
class Outcome:
    path: str
    action: str  # created | updated | unchanged | kept (edited by a person) | would create | would update


def plan(design: Design, select=None) -> list:
    """Every file scaffolding would write for the selected entities (all by default)."""
    from .validate import require_valid

    require_valid(design)
    resolved = design.resolve()
    chosen = sorted(select) if select else None
    files = design.runner.call("scaffold_plan", resolved, chosen, design.project.model_paths[0])
    planned = [Planned(f["path"], f["content"], f["name"], "model") for f in files]
    names = [n for n in (chosen or sorted(resolved["entities"])) if resolved["entities"][n]["kind"] in MODEL_KINDS]
    return planned + _plan_tests(design, resolved, names)


PLACEHOLDER = "-- dv-spec: scaffold"


def checksum_state(text: str) -> str:
    """'generated' if the file still matches the checksum in its header,
    'placeholder' if it is empty or only holds PLACEHOLDER (a stub that makes
    dbt see a new model), else 'edited'."""
    if text.strip() in ("", PLACEHOLDER):
        return "placeholder"
    match = _CHECKSUM.search(text)
    if not match:
        return "edited"
    body = text[match.end():]
    return "generated" if hashlib.md5(body.encode("utf-8")).hexdigest() == match.group(1) else "edited"


def apply(root: str, planned: list, force: bool = False, dry_run: bool = False) -> list:
    """Write the planned files; returns what happened to each, in order."""
    outcomes = []
    for item in planned:
        target = os.path.join(root, item.path)
        current = _read(target)
        if current == item.content:
            outcomes.append(Outcome(item.path, "unchanged"))
            continue
        if current is not None and item.kind == "model" and checksum_state(current) == "edited" and not force:
            outcomes.append(Outcome(item.path, "kept (edited by a person; --force overwrites)"))
            continue
        action = "created" if current is None else "updated"
        if dry_run:
            outcomes.append(Outcome(item.path, f"would be {action}"))
            continue
        write_atomic(target, item.content)
        outcomes.append(Outcome(item.path, action))
    return outcomes


def _read(path: str):
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot be read: {exc}") from None


# ----------------------------------------------------------------- tests in YAML

def _plan_tests(design: Design, resolved: dict, names: list) -> list:
    """The design's schema files with each entity's `ac_` tests brought up to date."""
    by_file = {}
    for name in names:
        entry = design.entities[name]
        tests = design.runner.call("scaffold_tests", resolved["entities"][name], resolved)
        by_file.setdefault(entry.file.path, []).append((entry, tests))
    planned = []
    for path, items in sorted(by_file.items()):
        original = _read(os.path.join(design.project.root, path))
        updated = merge_tests(original, [(entry.model_path[1], entry.name, tests) for entry, tests in items])
        if updated != original:
            planned.append(Planned(path, updated, ", ".join(sorted(e.name for e, _ in items)), "tests"))
    return planned


def merge_tests(text: str, changes: list) -> str:
    """`text` with, for each (model index, entity name, tests), that entry's
    `ac_<name>_*` tests replaced by `tests`.

    Only the changed entries' lines change; every other byte of the file stays
    as the person wrote it (yamledit.splice_entries). Within an entry, ruamel's
    round trip keeps comments, order and quoting; tests not named
    `ac_<name>_...` are kept.
    """
    from .yamledit import splice_entries

    def change(name, tests):
        return lambda entry: [] if _replace_tests(entry, name, tests) else None

    return splice_entries(text, [(index, change(name, tests)) for index, name, tests in changes])


def _replace_tests(entry, name: str, tests: list) -> bool:
    """Bring the entry's `ac_<name>_` tests up to date in place; True if anything changed."""
    key = "data_tests" if "data_tests" in entry or "tests" not in entry else "tests"
    existing = entry.get(key)
    prefix = f"ac_{name}_"
    kept = [t for t in (existing or []) if not _is_generated(t, prefix)]
    fresh = [plain(t) for t in tests]  # fresh objects: no YAML anchors for shared lists
    if [plain(t) for t in (existing or [])] == [plain(t) for t in kept + fresh]:
        return False
    if isinstance(existing, list):
        # Edit the list in place: ruamel keeps the comments attached to it.
        for index in reversed(range(len(existing))):
            if _is_generated(existing[index], prefix):
                del existing[index]
        existing.extend(fresh)
        if not existing:
            del entry[key]
    elif fresh:
        entry[key] = fresh
    return True


def _is_generated(test, prefix: str) -> bool:
    if not isinstance(test, dict) or len(test) != 1:
        return False
    body = next(iter(test.values()))
    return isinstance(body, dict) and str(body.get("name", "")).startswith(prefix)
