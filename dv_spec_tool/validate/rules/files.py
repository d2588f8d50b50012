"""Rules about files and where design blocks live."""

from dv_spec_tool.core.dv_schema import settings_errors
from dv_spec_tool.core.yamlpos import YamlLimitError
from dv_spec_tool.validate.rules.rule import Issue, rule


@rule("DV001", "unreadable-yaml")
def unreadable_yaml(ctx):
    """A schema file under the project's paths cannot be read as YAML.

    dbt would fail on it too; nothing in the file can be checked until it parses.
    """
    for schema_file in ctx.project.files:
        if schema_file.error is not None and not isinstance(schema_file.error, YamlLimitError):
            error = schema_file.error
            yield Issue(schema_file.path, error.line, error.col, f"{schema_file.path} {error.message}"
                        if error.message.startswith("is ") else error.message,
                        "fix the YAML syntax; `python -c 'import yaml,sys; yaml.safe_load(open(sys.argv[1]))' FILE` shows it too")


@rule("DV004", "yaml-beyond-limits")
def yaml_beyond_limits(ctx):
    """A schema file nests too deeply, or its aliases expand to too many values, to be read safely.

    Anchors nested in anchors (a "billion laughs" file) grow exponentially and very deep nesting
    exhausts the stack; dv-spec stops reading such a file rather than hang or crash.
    """
    for schema_file in ctx.project.files:
        if isinstance(schema_file.error, YamlLimitError):
            error = schema_file.error
            yield Issue(schema_file.path, error.line, error.col, f"{schema_file.path} {error.message}",
                        "write the repeated values out or nest less; a dbt schema file never needs this much")


@rule("DV002", "duplicate-yaml-key")
def duplicate_yaml_key(ctx):
    """A mapping repeats a key; YAML loaders silently keep only the last value.

    A design edited in a pull request can lose a value this way without anyone noticing.
    """
    for schema_file in ctx.project.files:
        if schema_file.doc is None:
            continue
        for path, line, col in schema_file.doc.duplicate_keys:
            yield Issue(schema_file.path, line, col, f"key `{path[-1]}` appears twice in the same mapping",
                        "remove or merge one of them; only the last one would count")


@rule("DV003", "empty-yaml-file", severity="warning")
def empty_yaml_file(ctx):
    """A schema file is empty; it defines nothing."""
    for schema_file in ctx.project.files:
        if schema_file.empty:
            yield Issue(schema_file.path, 1, 1, f"{schema_file.path} is empty", "delete it or add `version: 2`")


@rule("DV010", "design-defined-twice")
def design_defined_twice(ctx):
    """A model has a design under both `config.meta.dv` and the older top-level `meta.dv`.

    Only one can be the design; dv-spec reads `config.meta.dv`.
    """
    for entry in ctx.project.entries:
        if entry.both_locations:
            line, col = entry.file.doc.position(entry.model_path + ("meta", "dv"))
            yield Issue(entry.file.path, line, col, f"model `{entry.name}` has a design in both `config.meta.dv` and `meta.dv`",
                        "keep only `config.meta.dv`", entry.name)


@rule("DV011", "legacy-design-location", severity="warning")
def legacy_design_location(ctx):
    """A design sits under the model's top-level `meta`, which dbt 1.10+ warns about.

    dbt now reads `meta` under `config`; moving it keeps dbt quiet and the design unchanged.
    """
    for entry in ctx.project.entries:
        if entry.legacy_location:
            yield ctx.at(entry, (), f"model `{entry.name}` keeps its design in top-level `meta.dv`",
                         "move it under `config: {meta: {dv: ...}}`")


@rule("DV020", "invalid-settings")
def invalid_settings(ctx):
    """`vars: {dv_spec: ...}` in dbt_project.yml has an unknown key or value."""
    file, line, col = ctx.project.settings_position
    doc = ctx.project.project_doc
    for error in settings_errors(ctx.project.settings):
        if doc is not None:
            line, col = doc.position(("vars", "dv_spec") + error.path)
        yield Issue(file, line, col, error.message.replace("the dv_spec settings", "`vars.dv_spec`"), error.hint)
