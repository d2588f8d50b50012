{#-
    graph_spec_context(design): the spec context (see entity_spec) of the
    running dbt project, read from dbt's graph: the hash settings
    (dv_spec._hash_settings()), declared column types (seed column_types and
    data_type of seeds', models' and sources' columns) and the models outside
    the design that select from each entity. The command line reads the same
    facts from the YAML files and target/manifest.json (dv_spec_tool/generate/spec.py).
    Only available at execution time (run-operation).
-#}
{%- macro graph_spec_context(design) -%}
    {%- set types = {} -%}
    {%- for node in graph.nodes.values() | sort(attribute="name")
          if node.resource_type in ("model", "seed", "snapshot") and node.package_name == project_name -%}
        {%- set columns = {} -%}
        {%- for name, column in (node.columns or {}).items() if column.data_type and (column.data_type | trim) -%}
            {%- if (name | lower) not in columns -%}{%- do columns.update({name | lower: column.data_type | trim}) -%}{%- endif -%}
        {%- endfor -%}
        {%- if node.resource_type == "seed" -%}
            {%- for name, declared in (node.config.get("column_types") or {}).items() if declared -%}
                {%- do columns.update({name | lower: declared | trim}) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- if columns -%}{%- do types.update({node.name | lower: columns}) -%}{%- endif -%}
    {%- endfor -%}
    {%- for source in graph.sources.values() | sort(attribute="unique_id") if source.package_name == project_name -%}
        {%- set columns = {} -%}
        {%- for name, column in (source.columns or {}).items() if column.data_type and (column.data_type | trim) -%}
            {%- do columns.update({name | lower: column.data_type | trim}) -%}
        {%- endfor -%}
        {%- if columns -%}{%- do types.update({(source.source_name ~ "." ~ source.name) | lower: columns}) -%}{%- endif -%}
    {%- endfor -%}

    {%- set ids = {} -%}
    {%- for node in graph.nodes.values() if node.resource_type == "model" and node.name in design.entities -%}
        {%- do ids.update({node.unique_id: node.name}) -%}
    {%- endfor -%}
    {%- set downstream = {} -%}
    {%- for node in graph.nodes.values() | sort(attribute="name")
          if node.resource_type == "model" and node.name not in design.entities -%}
        {%- for parent in node.depends_on.nodes if parent in ids -%}
            {%- if ids[parent] not in downstream -%}{%- do downstream.update({ids[parent]: []}) -%}{%- endif -%}
            {%- if node.name not in downstream[ids[parent]] -%}{%- do downstream[ids[parent]].append(node.name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return({"hash": dv_spec._hash_settings(), "column_types": types, "downstream_models": downstream,
               "model_path": "models", "project": project_name}) }}
{%- endmacro -%}
