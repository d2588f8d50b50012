"""The typed boundary to the portable dbt macros: the only caller of the macro runner.

The generators are dbt macros (`macros/design/`, `macros/scaffold/`,
`macros/spec/`), so that `dbt run-operation` gives what the CLI gives;
`jinja.MacroRunner` renders them here. Every macro Python uses is called
through one function below, with its arguments named and its result typed,
so a macro's name is written once in Python and private macros
(`_spec_conventions`, `_hash_settings`, `_md_generated`) are named only here.
tests/test_macro_api.py fails when another module calls the runner.

Results are the macros' own dicts and lists, never copied: the TypedDicts of
`resolved_design` describe them at no run-time cost.
"""

from __future__ import annotations

from typing import TypedDict

from dv_spec_tool.core.jinja import macro_runner
from dv_spec_tool.core.resolved_design import ResolvedDesign, ResolvedEntity, Settings


class DesignEntity(TypedDict):
    """One entity as resolve_design takes it: its name, its structurally valid `dv` block, where it is written."""

    name: str
    dv: dict
    description: str
    file: str


class GeneratedFile(TypedDict, total=False):
    """A file a macro writes: its path (relative to the project), its text; `name`, `managed` when given."""

    path: str
    content: str
    name: str  # scaffold_plan: the entity (or stage) the model is for
    managed: bool  # instruction_files: a managed block merged into a person's file


def _call(macro: str, *args):
    return macro_runner().call(macro, *args)


# ---------------------------------------------------------------- design

def design_settings(settings_input: dict) -> Settings:
    """vars.dv_spec (well-formed, else {}) with every default applied."""
    return _call("design_settings", settings_input)


def resolve_design(entities: list[DesignEntity], settings_input: dict) -> ResolvedDesign:
    """The design with every default of the contract applied (schemas/resolved_design.schema.json)."""
    return _call("resolve_design", entities, settings_input)


def acceptance_criteria(entity: ResolvedEntity, resolved: ResolvedDesign) -> list[dict]:
    """The entity's acceptance criteria: {id, criterion, verified_by, ...}, the ids specs and dbt tests use."""
    return _call("acceptance_criteria", entity, resolved)


# ---------------------------------------------------------------- scaffold

def scaffold_plan(resolved: ResolvedDesign, select: list | None, model_path: str) -> list[GeneratedFile]:
    """The models (and derived stages) scaffolding writes for the selected entities (all when None)."""
    return _call("scaffold_plan", resolved, select, model_path)


def scaffold_tests(entity: ResolvedEntity, resolved: ResolvedDesign) -> list[dict]:
    """The entity's `ac_` data_tests entries, as the schema YAML holds them."""
    return _call("scaffold_tests", entity, resolved)


# ---------------------------------------------------------------- specs and prompts

def hash_settings(project_vars: dict) -> dict:
    """The hash SQL settings (algorithm, bytes, concat string, placeholder, casing) under the project's `vars`."""
    runner = macro_runner()
    with runner.project_vars(project_vars):
        return runner.call("_hash_settings")


def entity_spec(name: str, resolved: ResolvedDesign, context: dict) -> dict:
    return _call("entity_spec", name, resolved, context)


def subject_area_spec(area: str, resolved: ResolvedDesign, context: dict, entity_specs: dict) -> dict:
    return _call("subject_area_spec", area, resolved, context, entity_specs)


def spec_markdown(spec: dict, cache: dict | None = None) -> str:
    """A spec's Markdown; `cache` keeps each entity's lines for its subject area's document."""
    return _call("spec_markdown", spec, cache)


def spec_conventions(settings: Settings, context: dict) -> dict:
    """The project conventions section of a spec (naming, hashing, load metadata)."""
    return _call("_spec_conventions", settings, context)


def spec_prompt(spec: dict, style: str) -> str:
    """The starter prompt of an entity's or a subject area's spec."""
    return _call("spec_prompt", spec, style)


def review_prompt(spec: dict, sql: str | None, sql_origin: str | None, findings: list | None, tests: list | None) -> str:
    return _call("review_prompt", spec, sql, sql_origin, findings, tests)


def instruction_files(resolved: ResolvedDesign, context: dict, prefix: str, style: str) -> list[GeneratedFile]:
    """Assistants' instruction files, paths relative to `prefix`."""
    return _call("instruction_files", resolved, context, prefix, style)


def generated_markdown(body: str, what: str, command: str) -> str:
    """`body` with the header every generated Markdown file carries (what it was generated from, by which command, a checksum)."""
    return _call("_md_generated", body, what, command)


# ---------------------------------------------------------------- change sets

def change_set_markdown(change_set: dict) -> str:
    return _call("change_set_markdown", change_set)


def change_set_prompt(change_set: dict, specs: list, style: str) -> str:
    return _call("change_set_prompt", change_set, specs, style)
