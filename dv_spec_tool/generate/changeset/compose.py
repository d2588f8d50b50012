"""Composing the change set: pair the entities of both designs, run the
change-set rules on each, and gather what the changes imply: affected
downstream entities and models, migration steps in phase order, change and
entity acceptance criteria, open questions. The result is plain data; its
Markdown and starter prompt are the dbt macros change_set_markdown and
change_set_prompt.
"""

from __future__ import annotations

from dv_spec_tool.core import macro_api
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.generated import without_header
from dv_spec_tool.core.kinds import RANK, SAT_KINDS
from dv_spec_tool.generate.changeset.base import design_at
from dv_spec_tool.generate.changeset.changes import KEY_ASPECTS, PHASES, Pair, as_code
from dv_spec_tool.generate.spec import SpecBuilder
from dv_spec_tool.generate.changeset.entity_rules import (
    entity_added,
    entity_removed,
    kind_changed,
    satellite_split,
    settings_changed,
)
from dv_spec_tool.generate.changeset.rules import key_rules


def compare(base: SpecBuilder, head: SpecBuilder, base_label: dict) -> dict:
    """The change set from `base` to `head` (both resolved designs with their specs), as data."""
    changed = _entity_changes(_pairs(base, head), base)
    settings = settings_changed(base.resolved, head.resolved)
    entries = [_entry(pair, status, changes, base, head) for pair, status, changes in changed]
    affected = _affected_elsewhere(entries)
    return {
        "spec_type": "change_set",
        "project": head.design.project.name,
        "base": base_label,
        "head": "working tree",
        "summary": {
            "added": [e["entity"] for e in entries if e["status"] == "added"],
            "removed": [e["entity"] for e in entries if e["status"] == "removed"],
            "changed": [e["entity"] for e in entries if e["status"] == "changed"],
            "settings_changed": bool(settings),
        },
        "settings_changes": [{"rule": c.rule, "aspect": c.aspect, "text": c.text, "before": c.before, "after": c.after,
                              "implications": c.implications} for c in settings],
        "changes": entries,
        "affected": affected,
        "migration_steps": _migration_steps(changed, entries, settings, affected, head),
        "acceptance_criteria": _entity_criteria(entries, head),
        "change_criteria": _change_criteria(changed),
        "open_questions": _open_questions(changed, head),
    }


def _pairs(base: SpecBuilder, head: SpecBuilder) -> list:
    """Every entity of either design as a Pair, in build order (kind rank, then name)."""
    names = sorted(set(base.resolved["entities"]) | set(head.resolved["entities"]),
                   key=lambda n: (RANK.get(((head.resolved["entities"].get(n) or base.resolved["entities"].get(n))["kind"]), 9), n))
    pairs = []
    for name in names:
        b, h = base.resolved["entities"].get(name), head.resolved["entities"].get(name)
        pairs.append(Pair(name, b, h, base.entity_spec(name) if b else None, head.entity_spec(name) if h else None,
                          base.resolved, head.resolved))
    return pairs


def _entity_changes(pairs: list, base: SpecBuilder) -> list:
    """(pair, status, changes) of every entity added, removed or changed; a split satellite's split first."""
    splits = _split_satellites(pairs)
    found = []
    for pair in pairs:
        split_from = [old for old, targets in splits.items() if any(t == pair.name for t, _ in targets)]
        status, changes = _changes_of(pair, base, split_from)
        if status is None:
            continue
        if pair.name in splits:
            changes.insert(0, satellite_split(pair.name, splits[pair.name]))
        found.append((pair, status, changes))
    return found


def _changes_of(pair: Pair, base: SpecBuilder, split_from: list) -> tuple:
    """(status, changes) of one entity; status None when nothing changed."""
    if pair.base is None:
        return "added", [entity_added(pair.name, pair.head, split_from)]
    if pair.head is None:
        readers = [d["name"] for d in _downstream_closure(pair.name, base) if d["name"] in pair.head_design["entities"]]
        return "removed", [entity_removed(pair.name, pair.base, readers)]
    if pair.base["kind"] != pair.head["kind"]:
        return "changed", [kind_changed(pair)]
    changes = [change for rule in key_rules() for change in rule.func(pair)]
    return ("changed" if changes else None), changes


def _downstream_closure(name: str, builder: SpecBuilder) -> list:
    """Design entities that read `name`, directly or through others, with the first reason seen."""
    out, queue, seen = [], [name], {name}
    while queue:
        current = queue.pop(0)
        if current not in builder.resolved["entities"]:
            continue
        for item in builder.entity_spec(current)["dependencies"]["downstream"]:
            if item["name"] not in seen:
                seen.add(item["name"])
                why = item["why"] if current == name else f"through `{current}`: {item['why']}"
                out.append({"name": item["name"], "kind": item["kind"], "why": why})
                queue.append(item["name"])
    return out


def _split_satellites(pairs: list) -> dict:
    """{satellite removed (or shrunk): [(new satellite on the same parent, [payload columns moved to it])]}."""
    found = {}
    for pair in pairs:
        if pair.base is None or pair.base["kind"] not in SAT_KINDS:
            continue
        lost = [c for c in pair.base["payload"] if pair.head is None or c not in pair.head["payload"]]
        if not lost:
            continue
        targets = []
        for other in pairs:
            if other.base is None and other.head and other.head["kind"] in SAT_KINDS and other.head.get("parent") == pair.base["parent"]:
                moved = [c for c in other.head["payload"] if c in lost]
                if moved:
                    targets.append((other.name, moved))
        if targets:
            found[pair.name] = targets
    return found


def _entry(pair: Pair, status: str, changes: list, base: SpecBuilder, head: SpecBuilder) -> dict:
    """One entity's entry of the change set: its changes and implications, and what downstream they reach."""
    builder = head if pair.head is not None else base
    affected = _downstream_closure(pair.name, builder)
    rekey = any(c.rekeys_downstream for c in changes)
    for item in affected:
        item["rekeyed"] = rekey
    models = []
    for entity in [pair.name] + [a["name"] for a in affected]:
        models.extend(head.context["downstream_models"].get(entity, []))
    entity = pair.head or pair.base
    return {
        "entity": pair.name, "kind": pair.kind, "status": status,
        "subject_area": entity.get("subject_area"), "owner": entity.get("owner"), "design_file": entity.get("file"),
        "changes": [{"rule": c.rule, "aspect": c.aspect, "text": c.text, "before": c.before, "after": c.after,
                     "key_level": c.aspect in KEY_ASPECTS or c.rekeys_downstream} for c in changes],
        "implications": [i for c in changes for i in c.implications],
        "affected": affected, "affected_models": sorted(set(models)),
    }


def _affected_elsewhere(entries: list) -> list:
    """Downstream entities the changes reach that did not change themselves, in build order; re-keyed wins."""
    all_affected = {}
    for entry in entries:
        for item in entry["affected"]:
            known = all_affected.get(item["name"])
            if known is None or (item["rekeyed"] and not known["rekeyed"]):
                all_affected[item["name"]] = dict(item, because_of=entry["entity"])
    changed_names = [e["entity"] for e in entries]
    return [a for name, a in sorted(all_affected.items(), key=lambda kv: (RANK.get(kv[1]["kind"], 9), kv[0]))
            if name not in changed_names]


def _migration_steps(changed: list, entries: list, settings: list, affected: list, head: SpecBuilder) -> list:
    """The changes' migration steps and the closing ones, by phase, then build order; each text once."""
    steps = [(PHASES.index(phase), RANK.get(pair.kind, 9), pair.name, text)
             for pair, _, changes in changed for c in changes for phase, text in c.migration]
    steps += [(PHASES.index(phase), -1, "", text) for c in settings for phase, text in c.migration]
    rebuild = [a["name"] for a in affected if a["rekeyed"]]
    if rebuild:
        steps.append((PHASES.index("rebuild"), 9, "", "Re-key and rebuild the affected downstream models with `--full-refresh`, in build order: " + as_code(rebuild) + "."))
    if entries or settings:
        select = " ".join(f"{e['entity']}+" for e in entries if e["entity"] in head.resolved["entities"])
        steps.append((PHASES.index("verify"), 9, "", "Run `dv-spec validate`, then `dbt build --select " + (select or "<changed models>") + "` (models and their `ac_` tests), then `dv-spec check`."))
        owners = sorted({e["owner"] for e in entries if e["owner"]})
        steps.append((PHASES.index("agree"), -1, "", "Review this change set with the architect and the owners" + (f" ({as_code(owners)})" if owners else "") + "."))
    seen_steps, migration = set(), []
    for phase, _, entity, text in sorted(steps, key=lambda s: (s[0], s[1], s[2])):
        if text not in seen_steps:
            seen_steps.add(text)
            migration.append({"phase": PHASES[phase], "entity": entity or None, "text": text})
    return migration


def _entity_criteria(entries: list, head: SpecBuilder) -> list:
    """The acceptance criteria of every entity added or changed, from its spec."""
    return [criterion for entry in entries if entry["status"] != "removed"
            for criterion in head.entity_spec(entry["entity"])["acceptance_criteria"]]


def _change_criteria(changed: list) -> list:
    """The changes' own acceptance criteria (CS-01 ...), verified by review."""
    criteria = [(pair.name, text) for pair, _, changes in changed for c in changes for text in c.criteria]
    return [{"id": f"CS-{index:02d}", "entity": entity, "text": text, "verified_by": "review"}
            for index, (entity, text) in enumerate(criteria, start=1)]


def _open_questions(changed: list, head: SpecBuilder) -> list:
    """Per entity, the changes' questions, then the open questions of its spec in the working tree."""
    questions = []
    for pair, _, changes in changed:
        questions += [{"entity": pair.name, "topic": c.aspect.replace("_", " "), "question": text}
                      for c in changes for text in c.questions]
        if pair.head is not None:
            questions += [{"entity": pair.name, "topic": q["topic"], "question": q["question"]}
                          for q in head.entity_spec(pair.name)["open_questions"]]
    return questions


def change_set(project_dir: str, ref: str, design_loader, style: str = "automate_dv") -> tuple:
    """(change set, its Markdown, its starter prompt) from the design at `ref` to the working tree's
    (loaded by `design_loader()`). The change set carries the prompt under `starter_prompt`."""
    head = SpecBuilder(design_loader())
    with design_at(project_dir, ref) as (base_design, commit):
        try:
            base = SpecBuilder(base_design)
        except UsageError as exc:
            raise UsageError(f"the design at {ref} ({commit[:12]}): {exc}") from None
        data = _compared(base, head, {"ref": ref, "commit": commit})
    specs = [head.entity_spec(e["entity"]) for e in data["changes"] if e["status"] != "removed"]
    prompt = macro_api.change_set_prompt(data, specs, style)
    data["starter_prompt"] = without_header(prompt)
    return data, macro_api.change_set_markdown(data), prompt


def _compared(base: SpecBuilder, head: SpecBuilder, base_label: dict) -> dict:
    for name in base.entity_names:
        base.entity_spec(name)
    data = compare(base, head, base_label)
    data["conventions"] = macro_api.spec_conventions(head.resolved["settings"], head.context)
    return data


def change_set_between(base_design, head_design, base_label: dict, head_label: str) -> tuple:
    """(change set, its Markdown) from one loaded design to another, e.g. the files on disk to a proposed
    edit (the MCP server's propose_entities). Both must validate (UsageError otherwise)."""
    head = SpecBuilder(head_design)
    data = _compared(SpecBuilder(base_design), head, base_label)
    data["head"] = head_label
    return data, macro_api.change_set_markdown(data)
