"""Score diagram import against hand-labelled real diagrams.

    python benchmarks/diagram_corpus.py DIR LABELS.json [--verbose]

LABELS.json lists diagrams (`file` under DIR, `format`: drawio|mermaid|lucidchart,
optional `page`, `conventions`) and, per diagram, the expected design of each
entity: `kind`, and as the kind has them `hash_key`, `business_keys`,
`hubs`, `parent`, `hashdiff`, `payload`. A value "TODO" means the picture does
not settle it and the right outcome is a TODO on that key. Each diagram is
imported with `dv-spec import FORMAT FILE --dry-run` into an empty dbt
project; the written YAML (the diff) and its `# TODO(dv-spec)` comments are
read back, and each attribute is counted as

* right: the value is the labelled one (names compared case-insensitively,
  lists as sets);
* wrong with a TODO: not right, but a TODO on that key (or, for an entity
  left out, a report naming its table, or a refusal of the whole file) says so;
* wrong silently: not right and nothing says so.

The real diagrams are other people's files: keep them outside the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

ATTRIBUTES = ("kind", "hash_key", "business_keys", "hubs", "parent", "hashdiff", "payload")
TODO = re.compile(r"^\s*# TODO\(dv-spec\): (.*)$")
KEY = re.compile(r"^\s*([a-z_]+):")


def _project() -> str:
    path = tempfile.mkdtemp(prefix="dv_corpus_")
    with open(os.path.join(path, "dbt_project.yml"), "w") as handle:
        handle.write("name: corpus\nversion: '1.0'\nconfig-version: 2\nprofile: corpus\nmodel-paths: [models]\n")
    os.makedirs(os.path.join(path, "models"))
    return path


def import_diagram(path: str, fmt: str, extra: list) -> tuple:
    """(entities {name: dv}, todos {name: set(keys)}, report text, exit code) of a dry-run import."""
    command = [sys.executable, "-m", "dv_spec_tool", "import", fmt, path, "--dry-run", "--project-dir", _project(), *extra]
    done = subprocess.run(command, capture_output=True, text=True)
    added = [line[1:] for line in done.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    entities, todos, name, pending = {}, {}, None, []
    for line in added:
        match = re.match(r"^  - name: (.*)$", line)
        if match:
            name, pending = match.group(1).strip().strip("'\""), []
            continue
        todo = TODO.match(line)
        if todo:
            pending.append(todo.group(1))
            continue
        key = KEY.match(line)
        if key and name and pending:
            todos.setdefault(name.lower(), set()).add(key.group(1))
            for message in pending:  # a TODO about another key names it first (`parent: ...`)
                lead = re.match(r"^([a-z_]+):", message)
                if lead:
                    todos[name.lower()].add(lead.group(1))
            pending = []
    try:
        document = yaml.safe_load("\n".join(added)) or {}
    except yaml.YAMLError:
        document = {}
    for model in document.get("models", []) or []:
        dv = ((model.get("config") or {}).get("meta") or {}).get("dv")
        if dv:
            entities[str(model["name"]).lower()] = dv
    return entities, todos, done.stdout + done.stderr, done.returncode


def _norm(value):
    if isinstance(value, list):
        items = []
        for item in value:
            items.append(str(item.get("hub") if isinstance(item, dict) else item).lower())
        return sorted(items)
    if isinstance(value, dict):
        return str(value.get("hub", value)).lower()
    return None if value is None else str(value).lower()


def score(diagram: dict, directory: str, verbose: bool) -> dict:
    path = os.path.join(directory, diagram["file"])
    extra = []
    if diagram.get("page"):
        extra += ["--page", diagram["page"]]
    if diagram.get("conventions"):
        extra += ["--conventions", os.path.join(directory, diagram["conventions"])]
    entities, todos, report, code = import_diagram(path, diagram["format"], extra)
    counts = {"right": 0, "todo": 0, "silent": 0, "traceback": int("Traceback" in report)}
    lines = []
    for name, expected in diagram["entities"].items():
        got = entities.get(name.lower())
        flagged = todos.get(name.lower(), set())
        # a file refused with a one-line error (exit 2) or a table left out with a report is not silent
        reported = got is None and (code == 2 or re.search(rf"(?i)\b{re.escape(name)}\b", report) is not None)
        for attribute in ATTRIBUTES:
            if attribute not in expected:
                continue
            want = expected[attribute]
            if got is None:
                outcome = "todo" if reported else "silent"
                shown = "(left out)"
            else:
                value = got.get(attribute)
                shown = value
                if want == "TODO":
                    outcome = "right" if attribute in flagged else "silent"
                elif _norm(value) == _norm(want):
                    outcome = "right"
                else:
                    outcome = "todo" if attribute in flagged else "silent"
            counts[outcome] += 1
            if outcome != "right":
                lines.append(f"    {outcome:6} {name}.{attribute}: expected {want!r}, got {shown!r}")
    for name in sorted(set(entities) - {n.lower() for n in diagram["entities"]}):
        counts["silent"] += 1  # a table that is not one of the labelled entities became one
        lines.append(f"    silent {name}: imported, but the labels have no such entity")
    if verbose:
        for line in lines:
            print(line)
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("labels")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    with open(args.labels, encoding="utf-8") as handle:
        labels = json.load(handle)
    total = {"right": 0, "todo": 0, "silent": 0, "traceback": 0}
    print(f"{'diagram':58} {'right':>6} {'todo':>5} {'silent':>6}  share right")
    for diagram in labels["diagrams"]:
        counts = score(diagram, args.directory, args.verbose)
        n = counts["right"] + counts["todo"] + counts["silent"]
        print(f"{diagram['file'][:58]:58} {counts['right']:6} {counts['todo']:5} {counts['silent']:6}  "
              f"{counts['right'] / n if n else 0:6.1%}" + ("  TRACEBACK" if counts["traceback"] else ""))
        for key in total:
            total[key] += counts[key]
    n = total["right"] + total["todo"] + total["silent"]
    print(f"{'TOTAL':58} {total['right']:6} {total['todo']:5} {total['silent']:6}  {total['right'] / n if n else 0:6.1%}"
          f"  ({n} attributes, {len(labels['diagrams'])} diagrams, {total['traceback']} tracebacks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
