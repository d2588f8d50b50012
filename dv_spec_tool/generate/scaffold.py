"""`dv-spec scaffold`: plan the generated files, then write them safely.

The text of every model comes from the dbt macro `scaffold_model` and every
acceptance test from `scaffold_tests` (macros/scaffold/), the same macros
`dbt run-operation scaffold_vault` prints. This module decides where files
go, whether a person has edited them since they were generated, and writes
them atomically; it never overwrites a person's edit without `force`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import yaml

from dv_spec_tool.core import macro_api
from dv_spec_tool.core.design import Design
from dv_spec_tool.core.files import read_if_exists, write_atomic
from dv_spec_tool.core.generated import header_state
from dv_spec_tool.core.kinds import MODEL_KINDS
from dv_spec_tool.core.resolved_design import ResolvedDesign
from dv_spec_tool.edit.yamledit import plain, splice_entries
from dv_spec_tool.validate import require_valid


@dataclass(frozen=True)
class Planned:
    path: str  # relative to the project root
    content: str
    origin: str  # entity or stage name
    kind: str  # model | tests


@dataclass(frozen=True)
class Outcome:
    path: str
    action: str  # created | updated | unchanged | kept (edited by a person) | would be created | would be updated
    why: str = ""  # what makes the file differ from what the design generates ("" when unchanged)

    @property
    def differs(self) -> bool:
        """Whether the file on disk is not what the design generates (to create, to update, or kept)."""
        return self.action != "unchanged"


def plan(design: Design, select=None) -> list:
    """Every file scaffolding would write for the selected entities (all by default)."""
    require_valid(design)
    resolved = design.resolve()
    chosen = sorted(select) if select else None
    files = macro_api.scaffold_plan(resolved, chosen, design.project.model_paths[0])
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
    return header_state(text) or "edited"


def apply(root: str, planned: list, force: bool = False, dry_run: bool = False) -> list:
    """Write the planned files; returns what happened to each, in order."""
    outcomes = []
    for item in planned:
        target = os.path.join(root, item.path)
        current = read_if_exists(target)
        if current == item.content:
            outcomes.append(Outcome(item.path, "unchanged"))
            continue
        state = checksum_state(current) if current is not None and item.kind == "model" else None
        if state == "edited" and not force:
            outcomes.append(Outcome(item.path, "kept (edited by a person; --force overwrites)",
                                    "a person wrote or edited it since dv-spec generated it"))
            continue
        action = "created" if current is None else "updated"
        why = _why_different(item, current, state)
        if dry_run:
            outcomes.append(Outcome(item.path, f"would be {action}", why))
            continue
        write_atomic(target, item.content, durable=item.kind != "model")  # a schema file is a person's
        outcomes.append(Outcome(item.path, action, why))
    return outcomes



def _why_different(item: Planned, current: str | None, state: str | None) -> str:
    if current is None:
        return "no such file yet"
    if item.kind == "tests":
        return "its acceptance tests (`ac_...`) differ from what the design generates"
    if state == "placeholder":
        return "a placeholder (`-- dv-spec: scaffold`) waiting for its model"
    if state == "edited":
        return "edited by a person; --force replaces it"
    return "generated from an earlier design (or dv-spec version)"


# ----------------------------------------------------------------- tests in YAML

def _plan_tests(design: Design, resolved: ResolvedDesign, names: list) -> list:
    """The design's schema files with each entity's `ac_` tests brought up to date."""
    by_file = {}
    for name in names:
        entry = design.entities[name]
        tests = macro_api.scaffold_tests(resolved["entities"][name], resolved)
        by_file.setdefault(entry.file.path, []).append((entry, tests))
    planned = []
    for path, items in sorted(by_file.items()):
        original = read_if_exists(os.path.join(design.project.root, path))
        doc = items[0][0].file.doc
        updated, rest = original, []
        # Entries whose tests are all dv-spec's are edited as text (fast, and no byte
        # of the person's entry moves); entries mixing in a person's tests go through ruamel.
        for entry, tests in sorted(items, key=lambda item: item[0].model_path[1], reverse=True):
            spliced = _splice_generated_tests(updated, doc, entry, tests)
            if spliced is None:
                rest.append((entry.model_path[1], entry.name, tests))
            else:
                updated = spliced
        if rest:
            updated = merge_tests(updated, rest)
        if updated != original:
            planned.append(Planned(path, updated, ", ".join(sorted(e.name for e, _ in items)), "tests"))
    return planned


def _splice_generated_tests(text: str, doc, entry, tests: list):
    """`text` with the entry's tests block written anew, when every test in it is
    dv-spec's (or there is none); None when a person's test is among them.

    Uses the positions of the file as loaded (`doc`); entries are processed
    from the bottom up, so the lines above stay where `doc` says they are.
    """
    model = doc.data["models"][entry.model_path[1]]
    key = "data_tests" if "data_tests" in model or "tests" not in model else "tests"
    existing = model.get(key)
    prefix = f"ac_{entry.name}_"
    if existing is not None and not (isinstance(existing, list) and all(_is_generated(t, prefix) for t in existing)):
        return None
    fresh = [plain(t) for t in tests]
    if existing == fresh or (existing is None and not fresh):
        return text
    lines = text.splitlines(keepends=True)
    base = entry.model_path
    models_at = doc.position(("models",))
    indent = doc.position(base + ("name",))[1] - 1
    keys = list(model)
    entry_start = doc.position(base)[0] - 1
    if existing is not None:
        start = doc.position(base + (key,))[0] - 1
        after = keys[keys.index(key) + 1:]
        end = doc.position(base + (after[0],))[0] - 1 if after else _entry_end_line(doc, base, models_at, len(lines))
    else:
        start, end = entry_start, _entry_end_line(doc, base, models_at, len(lines))
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1  # blank lines and comments after the entry stay after it
    if existing is None:
        start = end
    block = ""
    if fresh:
        dumped = dump_tests(fresh)
        block = " " * indent + f"{key}:\n" + "".join(" " * (indent + 2) + line if line.strip() else line
                                                    for line in dumped.splitlines(keepends=True))
    return "".join(lines[:start]) + block + "".join(lines[end:])


def dump_tests(tests: list) -> str:
    """The YAML of a tests list, lists indented under their key, as dbt projects write them.

    PyYAML's pure-Python emitter was half of scaffolding (libyaml's cannot indent lists under
    their key), so the usual shape (mappings and lists of identifiers, integers and booleans)
    is written here, and anything else by PyYAML. Both give the same text (tests/test_scaffold.py).
    """
    lines: list = []
    try:
        _block_list(tests, 0, lines)
    except _NotPlain:
        return yaml.dump(tests, Dumper=_IndentedDumper, sort_keys=False, default_flow_style=False, width=4096,
                         allow_unicode=True)
    return "".join(lines)


class _NotPlain(Exception):
    """A value dump_tests leaves to PyYAML."""


# What PyYAML writes unquoted whatever the context: identifier-like words it does not read as
# another type (booleans and null are the only such words starting with a letter or underscore).
_PLAIN_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_TYPED_WORDS = frozenset({"yes", "no", "true", "false", "on", "off", "null", "y", "n"})


def _scalar(value) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is int:
        return str(value)
    if type(value) is str and len(value) < 128 and _PLAIN_WORD.match(value) and value.lower() not in _TYPED_WORDS:
        return value
    raise _NotPlain


def _block_list(items: list, indent: int, lines: list) -> None:
    if type(items) is not list or not items:
        raise _NotPlain
    for item in items:
        if type(item) is dict:
            _block_mapping(item, indent + 2, lines, " " * indent + "- ")
        else:
            lines.append(f"{' ' * indent}- {_scalar(item)}\n")


def _block_mapping(mapping: dict, indent: int, lines: list, first: str | None = None) -> None:
    if not mapping:
        raise _NotPlain
    for index, (key, value) in enumerate(mapping.items()):
        lead = (first if index == 0 and first is not None else " " * indent) + _scalar(key)
        if type(value) is dict:
            lines.append(lead + ":\n")
            _block_mapping(value, indent + 2, lines)
        elif type(value) is list:
            lines.append(lead + ":\n")
            _block_list(value, indent + 2, lines)
        else:
            lines.append(f"{lead}: {_scalar(value)}\n")


class _IndentedDumper(yaml.SafeDumper):
    """Lists indented under their key, as dbt projects write them."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _entry_end_line(doc, base: tuple, models_at: tuple, line_count: int) -> int:
    """0-based line where the model entry `base` ends: the next entry, the next top-level key, or the end."""
    following = doc.positions.get(base[:-1] + (base[-1] + 1,))
    if following:
        return following[0] - 1
    later = [doc.positions[(k,)][0] for k in doc.data if isinstance(doc.data, dict) and (k,) in doc.positions
             and doc.positions[(k,)][0] > models_at[0]]
    return min(later) - 1 if later else line_count


def merge_tests(text: str, changes: list) -> str:
    """`text` with, for each (model index, entity name, tests), that entry's
    `ac_<name>_*` tests replaced by `tests`.

    Only the changed entries' lines change; every other byte of the file stays
    as the person wrote it (yamledit.splice_entries). Within an entry, ruamel's
    round trip keeps comments, order and quoting; tests not named
    `ac_<name>_...` are kept.
    """
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
