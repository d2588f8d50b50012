"""yamledit: new and changed model entries are spliced into schema YAML so
every byte a person wrote outside them stays; TODO comments land above keys."""

import difflib

import pytest
import yaml

from dv_spec_tool.edit.yamledit import TODO_MARK, append_entries, block, entry_lines, splice_entries, todo_lines

EXISTING = """\
# Customer design.   Owner: architecture
version: 2   # dbt schema version

models:
  - name: hub_customer
    description: 'A customer.'  # quoted on purpose
    config:
      meta:
        dv: {kind: hub, hash_key: customer_hk, business_keys: [customer_id], sources: [{model: raw_customers}]}

  # the end of the hubs

sources:
  - name: crm
    tables: [{name: customers}]
"""

NEW = block({"name": "sat_customer", "config": {"meta": {"dv": {
    "kind": "sat", "parent": "hub_customer", "hashdiff": "customer_hashdiff", "payload": ["name", "email"],
    "sources": []}}}})


def only_inserts(before: str, after: str) -> bool:
    matcher = difflib.SequenceMatcher(a=before.splitlines(True), b=after.splitlines(True), autojunk=False)
    return all(op[0] in ("equal", "insert") for op in matcher.get_opcodes())


@pytest.mark.parametrize("text", [
    pytest.param(EXISTING, id="models_then_sources"),
    pytest.param(EXISTING.split("\nsources:")[0], id="models_last"),
    pytest.param("version: 2\n\nsources:\n  - name: crm\n", id="no_models_key"),
    pytest.param("version: 2\nmodels: []\n", id="empty_flow_list"),
    pytest.param(None, id="new_file"),
    pytest.param("# only a comment\n", id="comment_only"),
])
def test_append_keeps_every_byte_and_adds_a_valid_entry(text):
    out = append_entries(text, [(NEW, [(("config", "meta", "dv", "sources"), "name the source")])])
    data = yaml.safe_load(out)
    names = [m["name"] for m in data["models"]]
    assert names[-1] == "sat_customer"
    assert data["models"][-1]["config"]["meta"]["dv"]["payload"] == ["name", "email"]
    if text and "[]" not in text:
        assert only_inserts(text, out)
    line = entry_lines(out)["sat_customer"]
    [todo] = todo_lines(out, line, ["name the source"])
    lines = out.splitlines()
    assert lines[todo - 1].strip() == TODO_MARK + "name the source"
    assert lines[todo].strip() == "sources: []"
    assert len(lines[todo - 1]) - len(lines[todo - 1].lstrip()) == len(lines[todo]) - len(lines[todo].lstrip())


def test_append_uses_flow_lists_and_the_file_indentation():
    text = "version: 2\nmodels:\n- name: a\n  description: x\n"
    out = append_entries(text, [(NEW, [])])
    assert "\n- name: sat_customer\n  config:\n" in out
    assert "payload: [name, email]" in out


def test_splice_changes_only_the_named_entry():
    def change(entry):
        entry["config"]["meta"]["dv"]["business_keys"].append("customer_email")
        return [(("config", "meta", "dv", "business_keys"), "confirm the second key")]

    out = splice_entries(EXISTING, [(0, change)])
    assert only_inserts(EXISTING.replace(
        "        dv: {kind: hub, hash_key: customer_hk, business_keys: [customer_id], sources: [{model: raw_customers}]}\n",
        ""), out)
    assert "  # the end of the hubs\n" in out
    assert "description: 'A customer.'  # quoted on purpose" in out
    assert "business_keys: [customer_id, customer_email]" in out
    assert "# TODO(dv-spec): confirm the second key" in out
    assert out.endswith("sources:\n  - name: crm\n    tables: [{name: customers}]\n")


def test_splice_with_no_change_returns_the_text():
    assert splice_entries(EXISTING, [(0, lambda entry: None)]) == EXISTING
