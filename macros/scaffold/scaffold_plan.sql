{#-
    scaffold_plan(design, select=none, model_path="models"): the model files
    scaffolding writes for the selected entities (all by default) of a
    resolved design, in a stable order: [{path, name, content}]. Vault models
    sit beside the schema file holding their design; a declared stage beside
    its own; derived stages in <model_path>/<stage_folder>/.
-#}
{%- macro scaffold_plan(design, select=none, model_path="models") -%}
    {%- set model_kinds = dv_spec._kinds_where("model") -%}
    {%- set chosen = (select | sort) if select else (design.entities.keys() | sort) -%}
    {%- set files = [] -%}
    {%- set stage_names = [] -%}
    {%- for name in chosen -%}
        {%- if name not in design.entities -%}
            {{ exceptions.raise_compiler_error("scaffold: no design entity named `" ~ name ~ "`; entities: "
                ~ design.entities.keys() | sort | join(", ")) }}
        {%- endif -%}
        {%- set entity = design.entities[name] -%}
        {%- if entity.kind == "stage" and name not in stage_names -%}
            {%- do stage_names.append(name) -%}
        {%- endif -%}
        {%- for source in entity.sources if entity.kind != "stage" and source.stage not in stage_names -%}
            {%- do stage_names.append(source.stage) -%}
        {%- endfor -%}
        {%- if entity.kind in model_kinds -%}
            {%- do files.append({"path": dv_spec._beside(entity.file, name), "name": name,
                                 "content": dv_spec.scaffold_model(name, design)}) -%}
        {%- endif -%}
        {%- if entity.get("unloaded_model") -%}
            {%- do files.append({"path": dv_spec._beside(entity.file, entity.unloaded_model), "name": entity.unloaded_model,
                                 "content": dv_spec.scaffold_model(entity.unloaded_model, design)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set stage_folder = [model_path, design.settings.stage_folder] | select | join("/") -%}
    {%- for name in stage_names | sort -%}
        {%- set stage = design.stages[name] -%}
        {%- set path = dv_spec._beside(stage.file, name) if stage.declared else stage_folder ~ "/" ~ name ~ ".sql" -%}
        {%- do files.append({"path": path, "name": name, "content": dv_spec.scaffold_model(name, design)}) -%}
    {%- endfor -%}
    {{ return(files) }}
{%- endmacro -%}


{%- macro _beside(schema_file, name) -%}
    {%- set parts = schema_file.split("/") -%}
    {{ return((parts[:-1] + [name ~ ".sql"]) | join("/")) }}
{%- endmacro -%}
