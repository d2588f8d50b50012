{#-
    graph_design_entities(): the design entities of the running dbt project,
    read from the graph: every model with a `config.meta.dv` (or older
    top-level `meta.dv`) block, as [{name, dv, description, file}] for
    resolve_design. Only available at execution time (run-operation).
-#}
{%- macro graph_design_entities() -%}
    {%- set entities = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute="name")
          if node.resource_type == "model" and node.package_name == project_name -%}
        {%- set config_meta = node.config.get("meta") or {} -%}
        {%- set dv = config_meta.get("dv") or (node.get("meta") or {}).get("dv") -%}
        {%- if dv -%}
            {%- set file = (node.patch_path or node.original_file_path).split("://")[-1] -%}
            {%- do entities.append({"name": node.name, "dv": dv, "description": node.description or "", "file": file}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(entities) }}
{%- endmacro -%}
