"""Edit dbt schema YAML files without losing what a person wrote.

Two operations, both splicing text so that every byte outside the touched
model entries stays as it was (comments, blank lines, quoting, key order):

* `splice_entries`: change existing entries of the `models:` list in place;
  only the changed entries are dumped again, through ruamel's round trip,
  which keeps the comments and quoting inside them;
* `append_entries`: add new entries at the end of the `models:` list (or
  start the list, or the file).

Either can attach `# TODO(dv-spec): ...` comment lines above keys of the
entries they write (`annotations`: [(key path inside the entry, message)]).
`scaffold` uses the first for acceptance tests; the importers and
`dv-spec new` use both for design entries.
"""

from __future__ import annotations

import functools
import io
import re

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.util import load_yaml_guess_indent

TODO_MARK = "# TODO(dv-spec): "
NEW_FILE = "version: 2\n\nmodels:\n"


def _yaml(text: str):
    """A round-trip YAML instance set up like `text`'s indentation, and the list offset."""
    sequence_indent, offset = None, None
    if text.strip():
        _, sequence_indent, offset = load_yaml_guess_indent(text)
    offset = 2 if offset is None else offset
    yaml = YAML()
    yaml.indent(mapping=2, sequence=sequence_indent or offset + 2, offset=offset)
    yaml.width = 4096
    yaml.preserve_quotes = True
    return yaml, offset


def keeping_line_endings(edit):
    """Run a text edit on LF text and give a file written with CRLF line ends back with CRLF.

    Only a file whose every line ends in CRLF is converted (a mixed file is
    edited as it is), so every byte outside the edited entries stays.
    """
    @functools.wraps(edit)
    def wrapper(text, *args, **kwargs):
        crlf = bool(text) and "\r\n" in text and text.count("\n") == text.count("\r\n")
        result = edit(text.replace("\r\n", "\n") if crlf else text, *args, **kwargs)
        return result.replace("\n", "\r\n") if crlf else result

    return wrapper


def _lines(text: str) -> list:
    """The file's lines with their ends, the last one ended too (so lines can be inserted after it)."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return lines


def load(text: str):
    """The round-trip document of a schema file (CommentedMap, or None when empty)."""
    yaml, _ = _yaml(text)
    return yaml.load(text)


@keeping_line_endings
def splice_entries(text: str, changes: list, key: str = "models") -> str:
    """`text` with some entries of its `key:` list changed.

    `changes` is [(index, change)] where `change(entry)` edits the ruamel
    entry in place and returns None when nothing changed, else a list of
    annotations (key path inside the entry, TODO message) to write above keys.
    Only the changed entries' lines change; every other byte stays.
    """
    yaml, offset = _yaml(text)
    data = yaml.load(text)
    items = data[key]
    lines = _lines(text)
    spans = []
    for index, change in changes:
        start, end = items.lc.item(index)[0], _entry_end(data, items, index, key, len(lines))
        while start > 0 and not lines[start].lstrip().startswith("-"):
            start -= 1  # the dash on a line of its own
        # Blank and comment lines closing the entry stay where they are, and
        # the entry is read from its own lines: in the whole document ruamel
        # attaches them to the entry's last value and would re-emit them
        # wherever a new key lands.
        body_end = end
        while body_end > start + 1 and _blank_or_comment(lines[body_end - 1]):
            body_end -= 1
        indent = len(lines[start]) - len(lines[start].lstrip(" ")) - offset
        own = lines[start:body_end]
        if indent >= 0:
            own = [line[min(indent, len(line) - len(line.lstrip(" "))):] if line.strip() else line for line in own]
        else:
            own = [(" " * -indent + line) if line.strip() else line for line in own]
        entry = yaml.load("".join(own))[0]
        annotations = change(entry)
        if annotations is not None:
            spans.append((start, body_end, entry, annotations, indent))
    if not spans:
        return text
    # Splice from the bottom up so earlier entries' line numbers stay valid.
    for start, end, entry, annotations, indent in sorted(spans, key=lambda span: span[0], reverse=True):
        dumped = _dump_entry(yaml, entry, indent, annotations)
        while dumped and _blank_or_comment(dumped[-1]):
            dumped.pop()
        lines[start:end] = dumped
    return "".join(lines)


@keeping_line_endings
def append_entries(text: str | None, entries: list, key: str = "models") -> str:
    """`text` (None or empty: a new schema file) with `entries` added at the end of its `key:` list.

    `entries` is [(entry mapping, annotations)]. Entries are separated by a
    blank line, as in the sample project; nothing already in the file changes.
    """
    if not entries:
        return text or ""
    if not text or not text.strip():
        text = NEW_FILE
    yaml, offset = _yaml(text)
    data = yaml.load(text)
    if data is None:
        data = CommentedMap()
    if not isinstance(data, dict):
        raise ValueError("the file is not a YAML mapping")
    lines = _lines(text)
    items = data.get(key)
    if key not in data:
        lines += ["\n"] if lines and lines[-1].strip() else []
        lines.append(f"{key}:\n")
        insert_at, indent, separate = len(lines), 0, False
    elif not items:  # `models:` with nothing, or `models: []`
        line = data.lc.key(key)[0]
        lines[line] = f"{key}:\n"
        insert_at, indent, separate = line + 1, 0, False
    else:
        last = len(items) - 1
        start = items.lc.item(0)[0]
        indent = len(lines[start]) - len(lines[start].lstrip(" ")) - offset
        insert_at = _entry_end(data, items, last, key, len(lines))
        while insert_at > items.lc.item(last)[0] + 1 and not lines[insert_at - 1].strip():
            insert_at -= 1
        separate = True
    added = []
    for number, (entry, notes) in enumerate(entries):
        if separate or number:
            added.append("\n")
        added += _dump_entry(yaml, entry, indent, notes)
    if insert_at < len(lines) and lines[insert_at].strip() and added:
        added.append("\n")
    lines[insert_at:insert_at] = added
    return "".join(lines)


def entry_lines(text: str, key: str = "models") -> dict:
    """{entry name: 1-based line of its `- name:` item} for the `key:` list of `text`."""
    data = load(text) if text and text.strip() else None
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return {}
    return {entry["name"]: items.lc.item(index)[0] + 1
            for index, entry in enumerate(items) if isinstance(entry, dict) and isinstance(entry.get("name"), str)}


def todo_lines(text: str, start_line: int, messages: list) -> list:
    """1-based line of each TODO comment `message`, searching from `start_line` on."""
    lines = text.splitlines()
    found = []
    for message in messages:
        target = TODO_MARK + message
        line = next((n + 1 for n in range(max(start_line - 1, 0), len(lines)) if lines[n].strip() == target), start_line)
        found.append(line)
    return found


def _dump_entry(yaml, entry, indent: int, annotations) -> list:
    stream = io.StringIO()
    yaml.dump(CommentedSeq([entry]), stream)
    dumped = stream.getvalue().rstrip("\n") + "\n"
    if annotations:
        dumped = _annotate(dumped, annotations)
    if indent > 0:
        dumped = "".join((" " * indent + line) if line.strip() else line for line in dumped.splitlines(keepends=True))
    return dumped.splitlines(keepends=True)


def _annotate(dumped: str, annotations) -> str:
    """Insert `# TODO(dv-spec): message` lines above the keys named by the annotations' paths."""
    document = YAML().load(dumped)
    lines = dumped.splitlines(keepends=True)
    inserts = []
    for path, message in annotations:
        line, _ = _key_position(document[0], tuple(path))
        col = len(lines[line]) - len(lines[line].lstrip(" "))
        if lines[line].lstrip(" ").startswith("- "):
            col += 2  # above the first key of a list item, aligned with the key
        inserts.append((line, col, message))
    # bottom up; for one line, the last annotation first, so they read in the order given
    for _, (line, col, message) in sorted(enumerate(inserts), key=lambda item: (item[1][0], item[0]), reverse=True):
        lines.insert(line, " " * col + TODO_MARK + message + "\n")
    return "".join(lines)


def _key_position(entry, path: tuple) -> tuple:
    """(0-based line, column) of the deepest existing key of `path` inside `entry`."""
    node, position = entry, entry.lc.key("name") if "name" in entry else (0, 0)
    for part in path:
        if isinstance(node, dict) and part in node:
            position = node.lc.key(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            position = node.lc.item(part)
        else:
            break
        node = node[part]
    return position


def _blank_or_comment(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def _entry_end(data, items, index: int, key: str, line_count: int) -> int:
    """0-based line after entry `index` of the `key:` list: the next item, the next top-level key, or the end."""
    if index + 1 < len(items):
        return items.lc.item(index + 1)[0]
    keys = list(data.keys())
    position = keys.index(key)
    if position + 1 < len(keys):
        return data.lc.key(keys[position + 1])[0]
    return line_count


def plain(value):
    """ruamel's commented containers as plain dicts and lists (for comparisons)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def block(value, flow_lists: bool = True):
    """Plain data as ruamel containers: lists of scalars in flow style (`[a, b]`), everything else in block style."""
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = block(v, flow_lists)
        return out
    if isinstance(value, list):
        out = CommentedSeq(block(v, flow_lists) for v in value)
        if flow_lists and value and all(not isinstance(v, (dict, list)) for v in value):
            out.fa.set_flow_style()
        return out
    return value


@keeping_line_endings
def remove_entries(text: str, indexes: list, key: str = "models") -> str:
    """`text` without the entries at `indexes` of its `key:` list.

    Only the removed entries' own lines go: the blank and comment lines
    closing an entry stay (they may describe what follows), and when the last
    entry goes the list is left as `key: []` so the file stays valid.
    """
    yaml, _ = _yaml(text)
    data = yaml.load(text)
    items = data[key]
    lines = _lines(text)
    emptied = len(set(indexes)) == len(items)
    for index in sorted(set(indexes), reverse=True):
        start, end = items.lc.item(index)[0], _entry_end(data, items, index, key, len(lines))
        # the dash may sit on a line of its own, above the item's first key
        while start > 0 and not lines[start].lstrip().startswith("-"):
            start -= 1
        cut = end
        while cut > start + 1 and _blank_or_comment(lines[cut - 1]):
            cut -= 1
        kept = lines[cut:end]
        if start == 0 or not lines[start - 1].strip() or lines[start - 1].startswith(f"{key}:"):
            while kept and not kept[0].strip():
                kept.pop(0)
        lines[start:end] = kept
    if emptied:
        line = data.lc.key(key)[0]
        head, _, rest = lines[line].partition(":")
        comment = rest.strip() if rest.strip().startswith("#") else ""
        lines[line] = f"{head}: []" + (f"  {comment}" if comment else "") + "\n"
    return "".join(lines)


def add_project_settings(text: str, values: dict) -> str:
    """dbt_project.yml with `values` added under vars.dv_spec (comments and layout kept; keys already set are kept).

    A file with a key twice (which dbt reads, keeping the last) is not rewritten: the lines are inserted
    under `vars:`; when it already has a `dv_spec:` block, ruamel.yaml's DuplicateKeyError is raised."""
    try:
        yaml, _ = _yaml(text)
        data = yaml.load(text)
    except DuplicateKeyError:
        return _insert_project_settings(text, values)
    variables = data.get("vars")
    if variables is None:
        variables = data["vars"] = CommentedMap()
    settings = variables.get("dv_spec")
    if settings is None:
        settings = variables["dv_spec"] = CommentedMap()
    for key, value in values.items():
        if key not in settings:
            settings[key] = value
        elif isinstance(value, dict) and isinstance(settings[key], dict):
            for inner, item in value.items():
                settings[key].setdefault(inner, item)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _insert_project_settings(text: str, values: dict) -> str:
    """`values` as a new `dv_spec:` block inserted under the top-level `vars:` (or a new `vars:` at the end)."""
    lines = text.splitlines(keepends=True)
    if any(re.match(r"^\s+dv_spec\s*:", line) for line in lines):
        raise DuplicateKeyError("while adding vars.dv_spec", None, "the file has a key twice and a dv_spec block", None)
    dumped = io.StringIO()
    plain = YAML()
    plain.default_flow_style = False
    plain.dump({"dv_spec": values}, dumped)
    at = next((i for i, line in enumerate(lines) if re.match(r"^vars\s*:\s*(#.*)?$", line)), None)
    if at is None:
        ending = "" if not lines or lines[-1].endswith("\n") else "\n"
        return text + ending + "vars:\n" + "".join("  " + line for line in dumped.getvalue().splitlines(True))
    child = next((line for line in lines[at + 1:] if line.strip() and not line.lstrip().startswith("#")), "  x")
    indent = " " * (len(child) - len(child.lstrip())) if child.startswith(" ") else "  "
    block = "".join(indent + line for line in dumped.getvalue().splitlines(True))
    return "".join(lines[:at + 1]) + block + "".join(lines[at + 1:])
