{#-
    entity_spec(name, design, context): the implementation spec of one design
    entity, as data (rendered by spec_markdown, serialised as JSON by
    `dv-spec spec --format json`). Every fact comes from the resolved design
    (resolve_design), its acceptance criteria (acceptance_criteria) and the
    context; nothing is looked up elsewhere, so the command line and
    `dbt run-operation dv_spec_entity_spec` print the same spec. Each section
    is built by private macros in its own file: entity_spec_columns.sql (and
    entity_spec_types.sql), _model, _mapping, _hashing, _load_pattern, _ddl,
    _dependencies, _criteria and _open_questions.

    context (see spec_context in macros/spec/spec.yml):
      hash            the hash settings (dv_spec._hash_settings()): algorithm, bytes,
                      concat_string, null_placeholder, casing;
      column_types    {reference: {column: declared type}}, lower-case names, for
                      seeds (column_types, data_type), models and dbt sources (data_type);
      downstream_models {entity: [dbt models outside the design that select from it]};
      model_path      the project's first model path (where derived stages go);
      project         the dbt project's name (optional);
      diagrams        {subject area: Mermaid erDiagram} for subject-area specs (optional;
                      the command line draws them with `dv-spec export mermaid`'s exporter).
      inferred_types  {reference: {column: {type, origin}}}: types no declaration gives, from
                      target/catalog.json or dbt's seed CSV inference (optional; the command line);
      source_columns  {reference: [column]}: the columns of seeds (CSV header) and declared
                      sources and models, for the stages' full column lists (optional);
      design_warnings {entity: [{rule, message, hint}]}: validate's warnings that become
                      open questions (optional; the command line runs the rules, DV230-DV232).
-#}
{%- macro entity_spec(name, design, context) -%}
    {%- if name not in design.entities -%}
        {{ exceptions.raise_compiler_error("entity_spec: no design entity named `" ~ name ~ "`; entities: "
            ~ design.entities.keys() | sort | join(", ")) }}
    {%- endif -%}
    {%- set context = dv_spec._spec_context(context) -%}
    {%- set entity = design.entities[name] -%}
    {%- set kind = entity.kind -%}
    {%- set columns = dv_spec._spec_columns(entity, design, context) -%}
    {%- set criteria = dv_spec._spec_criteria(entity, design) -%}
    {%- set spec = {
        "spec_type": "entity",
        "name": name,
        "kind": kind,
        "subject_area": entity.subject_area,
        "owner": entity.owner,
        "design_file": entity.file,
        "purpose": (entity.description or "") | trim,
        "model": dv_spec._spec_model(entity, design, context),
        "sources": dv_spec._spec_sources(entity),
        "mapping": dv_spec._spec_mapping(entity, design),
        "hash_keys": dv_spec._spec_hash_keys(entity, design, context),
        "hashdiff": dv_spec._spec_hashdiff(entity, design, context),
        "hashing": dv_spec._spec_hashing(entity, context),
        "load_pattern": dv_spec._spec_load_pattern(entity, design),
        "columns": columns,
        "ddl": dv_spec._spec_ddl(entity, columns),
        "dependencies": dv_spec._spec_dependencies(entity, design, context),
        "acceptance_criteria": criteria,
        "open_questions": dv_spec._spec_open_questions(entity, design, context, columns),
        "conventions": dv_spec._spec_conventions(design.settings, context),
    } -%}
    {%- if kind == "xts" -%}{%- do spec.update(dv_spec._spec_xts_sections(entity, design, context, spec)) -%}{%- endif -%}
    {{ return(spec) }}
{%- endmacro -%}


{%- macro _spec_context(context) -%}
    {%- set given = context or {} -%}
    {%- if given is not mapping or given.get("hash") is not mapping -%}
        {{ exceptions.raise_compiler_error("entity_spec: `context` must be a mapping with `hash` (dv_spec._hash_settings()), e.g. "
            ~ "{hash: {algorithm: md5, bytes: 16, concat_string: '||', null_placeholder: '^^', casing: upper}}; got " ~ given) }}
    {%- endif -%}
    {{ return({"hash": given.hash, "column_types": given.get("column_types") or {},
               "downstream_models": given.get("downstream_models") or {},
               "model_path": given.get("model_path") or "models", "project": given.get("project") or "",
               "diagrams": given.get("diagrams") or {}, "design_warnings": given.get("design_warnings") or {},
               "inferred_types": given.get("inferred_types") or {}, "source_columns": given.get("source_columns") or {}}) }}
{%- endmacro -%}


{#- The project conventions an implementation follows (vars.dv_spec with defaults, and the hash settings). -#}
{%- macro _spec_conventions(settings, context) -%}
    {%- set naming = {} -%}
    {%- for key, value in settings.naming | dictsort if value -%}
        {%- do naming.update({key: value}) -%}
    {%- endfor -%}
    {{ return({"load_datetime_column": settings.load_datetime_column, "record_source_column": settings.record_source_column,
               "hash_algorithm": context.hash.algorithm, "stage_prefix": settings.stage_prefix,
               "stage_folder": context.model_path ~ "/" ~ settings.stage_folder, "naming": naming}) }}
{%- endmacro -%}
