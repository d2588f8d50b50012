"""The one registry: validation rules, check criteria, review flags and change-set
rules share one table of stable ids, each with a one-line doc, and `dv-spec rules`
and the docs list every one of them. No database needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dv_spec_tool.core.registry import ENTRIES, Family
from dv_spec_tool.interfaces.cli import main
from dv_spec_tool.interfaces.commands.rules import registered_families

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_ids_are_unique_across_families_and_each_has_a_one_line_doc():
    families = registered_families()
    assert sum(len(family.table) for family in families) == len(ENTRIES)
    for family in families:
        assert family.table, f"{family.name}: nothing registered"
        for entry in family.entries():
            assert ENTRIES[entry.id] is entry and entry.family == family.name
            assert entry.summary and "\n" not in entry.summary, entry.id


def test_every_change_set_id_is_registered():
    """CS001-CS004 (entities added, removed, re-kinded, split) and CS100 (settings) too, not only the key-level rules."""
    registered_families()
    ids = {key for key in ENTRIES if key.startswith("CS")}
    source = "".join(p.read_text() for p in (Path(__file__).resolve().parents[1] / "dv_spec_tool" / "generate" / "changeset").glob("*.py"))
    assert set(re.findall(r'"(CS\d{3})"', source)) == ids
    assert {"CS001", "CS002", "CS003", "CS004", "CS100"} <= ids


def test_a_taken_id_or_a_missing_doc_is_refused():
    registered_families()
    other = Family("test family", "Test")

    def documented():
        """Documented."""

    def undocumented():
        pass

    with pytest.raises(ValueError, match="DV101 is registered twice"):
        other.register("DV101")(documented)
    with pytest.raises(ValueError, match="needs a one-line doc"):
        other.register("XX999")(undocumented)
    assert "XX999" not in ENTRIES


def test_rules_lists_every_registered_item_and_explains_any(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for family in registered_families():
        assert f"{family.title}:" in out
    listed = {line.split()[0] for line in out.splitlines() if line and not line.endswith(":")}
    assert listed == set(ENTRIES)
    assert main(["rules", "cs003"]) == 0
    assert capsys.readouterr().out.startswith("CS003 kind_changed (change-set rule)\nAn entity's kind changed")
    assert main(["rules", "RV01"]) == 0
    assert capsys.readouterr().out.startswith("RV01 filter (review flag, warning)\n")


@pytest.mark.parametrize("doc, prefix", [("check.md", "RV"), ("specs-and-prompts.md", "CS")])
def test_docs_tables_list_every_registered_id(doc, prefix):
    registered_families()
    text = (DOCS / doc).read_text()
    in_tables = set(re.findall(rf"^\| ({prefix}\d+)(?: / ({prefix}\d+))? \|", text, re.M))
    documented = {key for pair in in_tables for key in pair if key}
    assert documented == {key for key in ENTRIES if key.startswith(prefix)}


def test_check_doc_lists_every_criterion():
    from dv_spec_tool.core.registry import CHECK_CRITERIA

    registered_families()
    text = (DOCS / "check.md").read_text()
    assert {e.id for e in CHECK_CRITERIA.entries()} <= set(re.findall(r"^\| `AC-<entity>-\d+` \| `(\w+)` \|", text, re.M))
