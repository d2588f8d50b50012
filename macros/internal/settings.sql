{#-
    Project settings read by dv_spec's macros.

    dv_spec._setting(name, default): one key of `vars: {dv_spec: {...}}` in
    dbt_project.yml (the design contract's "Project settings" table), or the
    default when the key is absent.

    dv_spec._hash_settings(): everything that changes a hash, resolved once:
      algorithm     md5 | sha256 | sha1, from dv_spec.hash_algorithm, else from
                    AutomateDV's `hash` var (MD5 | SHA | SHA1), else md5;
      concat_string AutomateDV's `concat_string` var (default '||');
      null_placeholder  AutomateDV's `null_placeholder_string` var (default '^^');
      casing        AutomateDV's `hash_content_casing` var: upper | disabled;
      bytes         digest length: 16, 32 or 20.
    Both hash settings may be set; they must then agree, because the vault is
    loaded with AutomateDV's and tested with ours.
-#}

{%- macro _setting(name, default=none) -%}
    {%- set settings = var('dv_spec', {}) -%}
    {%- if settings is none -%}
        {%- set settings = {} -%}
    {%- endif -%}
    {%- if settings is not mapping -%}
        {%- do exceptions.raise_compiler_error(
            "dv_spec: the project var `dv_spec` must be a mapping, e.g.\n"
            ~ "  vars:\n    dv_spec:\n      hash_algorithm: md5\n"
            ~ "got: " ~ settings) -%}
    {%- endif -%}
    {%- set value = settings.get(name) -%}
    {%- do return(default if value is none else value) -%}
{%- endmacro -%}


{%- macro _hash_settings() -%}
    {%- set automate_dv_names = {'md5': 'md5', 'sha': 'sha256', 'sha1': 'sha1'} -%}
    {%- set ours = dv_spec._setting('hash_algorithm') -%}
    {%- set theirs = var('hash', none) -%}

    {%- if ours is not none -%}
        {%- if ours is not string or (ours | lower) not in ['md5', 'sha256', 'sha1'] -%}
            {%- do exceptions.raise_compiler_error(
                "dv_spec: vars.dv_spec.hash_algorithm must be one of md5, sha256, sha1, e.g.\n"
                ~ "  vars:\n    dv_spec:\n      hash_algorithm: sha256\n"
                ~ "got: " ~ ours) -%}
        {%- endif -%}
        {%- set ours = ours | lower -%}
    {%- endif -%}

    {%- if theirs is not none -%}
        {%- if theirs is not string or (theirs | lower) not in automate_dv_names -%}
            {%- do exceptions.raise_compiler_error(
                "dv_spec: AutomateDV's var `hash` is '" ~ theirs ~ "', which AutomateDV does not "
                ~ "recognise (it silently falls back to MD5). Set it to MD5, SHA or SHA1, e.g.\n"
                ~ "  vars:\n    hash: MD5") -%}
        {%- endif -%}
        {%- set theirs = automate_dv_names[theirs | lower] -%}
    {%- endif -%}

    {%- if ours is not none and theirs is not none and ours != theirs -%}
        {%- do exceptions.raise_compiler_error(
            "dv_spec: vars.dv_spec.hash_algorithm is '" ~ ours ~ "' but AutomateDV's var `hash` "
            ~ "means '" ~ theirs ~ "'; the tests would recompute hashes AutomateDV never wrote. "
            ~ "Make them agree (md5 <-> MD5, sha256 <-> SHA, sha1 <-> SHA1) or drop one.") -%}
    {%- endif -%}

    {%- set algorithm = ours or theirs or 'md5' -%}

    {%- set casing = var('hash_content_casing', 'upper') -%}
    {%- if casing is not string or (casing | lower) not in ['upper', 'disabled'] -%}
        {%- do exceptions.raise_compiler_error(
            "dv_spec: AutomateDV's var `hash_content_casing` must be 'upper' or 'disabled', e.g.\n"
            ~ "  vars:\n    hash_content_casing: upper\n"
            ~ "got: " ~ casing) -%}
    {%- endif -%}

    {%- set concat_string = var('concat_string', '||') -%}
    {%- set null_placeholder = var('null_placeholder_string', '^^') -%}
    {%- for name, value in [('concat_string', concat_string), ('null_placeholder_string', null_placeholder)] -%}
        {%- if value is not string -%}
            {%- do exceptions.raise_compiler_error(
                "dv_spec: AutomateDV's var `" ~ name ~ "` must be a string, e.g.\n"
                ~ "  vars:\n    concat_string: '||'\n    null_placeholder_string: '^^'\n"
                ~ "got: " ~ value) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- do return({
        'algorithm': algorithm,
        'bytes': {'md5': 16, 'sha256': 32, 'sha1': 20}[algorithm],
        'concat_string': concat_string,
        'null_placeholder': null_placeholder,
        'casing': casing | lower,
    }) -%}
{%- endmacro -%}
